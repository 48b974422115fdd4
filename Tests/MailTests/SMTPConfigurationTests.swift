import Testing

@testable import Mail

@Suite("SMTP URL")
struct SMTPConfigurationTests {
    @Test func fullURL() throws {
        let configuration = try SMTPConfiguration(
            url: "smtp://alertes%40passerelle.quebec:p%40ss%3Aw%C3%B4rd@mail.example.org:587?starttls=required&tls_verify=false&helo=passerelle.quebec&timeout=30&connect_timeout=2.5")
        #expect(configuration.host == "mail.example.org")
        #expect(configuration.port == 587)
        #expect(!configuration.implicitTLS)
        #expect(configuration.startTLS == .required)
        #expect(!configuration.verifyCertificates)
        #expect(configuration.credentials == .init(username: "alertes@passerelle.quebec", password: "p@ss:wôrd"))
        #expect(configuration.heloName == "passerelle.quebec")
        #expect(configuration.replyTimeout == .seconds(30))
        #expect(configuration.connectTimeout == .milliseconds(2500))
    }

    @Test func defaults() throws {
        let plain = try SMTPConfiguration(url: "smtp://localhost")
        #expect(plain.port == 25 && !plain.implicitTLS && plain.startTLS == .opportunistic && plain.verifyCertificates)
        #expect(plain.credentials == nil)
        #expect(!plain.heloName.isEmpty && !plain.heloName.contains(" "))
        let implicit = try SMTPConfiguration(url: "SMTPS://user:pass@mail.example.org/")
        #expect(implicit.port == 465 && implicit.implicitTLS)
        let ipv6 = try SMTPConfiguration(url: "smtp://[::1]:2525")
        #expect(ipv6.host == "::1" && ipv6.port == 2525 && ipv6.hostIsLoopback)
        // A user name with a raw "@" works: the host follows the last "@".
        let rawAt = try SMTPConfiguration(url: "smtp://me@example.org:secret@mail.example.org:587")
        #expect(rawAt.credentials?.username == "me@example.org" && rawAt.host == "mail.example.org")
    }

    @Test(arguments: [
        ("http://mail.example.org", "scheme"),
        ("mail.example.org:25", "scheme"),
        ("smtp://mail.example.org:99999", "port"),
        ("smtp://mail.example.org:abc", "port"),
        ("smtp://mail.example.org:", "port"),
        ("smtp://user@mail.example.org", "password"),
        ("smtp://user:@mail.example.org", "password"),
        ("smtp://:pass@mail.example.org", "user"),
        ("smtp://user:p%zzss@mail.example.org", "password"),
        ("smtp://us%4:pass@mail.example.org", "user"),
        ("smtp://mail.example.org/path", "path"),
        ("smtp://mail.example.org#frag", "fragment"),
        ("smtp://:25", "host"),
        ("smtp://", "host"),
        ("smtp://::1:25", "host"),
        ("smtp://[::1:25", "host"),
        ("smtp://mail.example.org?foo=1", "option foo"),
        ("smtp://mail.example.org?starttls=sometimes", "option starttls"),
        ("smtps://mail.example.org?starttls=required", "option starttls"),
        ("smtp://mail.example.org?tls_verify=maybe", "option tls_verify"),
        ("smtp://mail.example.org?timeout=-1", "option timeout"),
        ("smtp://mail.example.org?connect_timeout", "option connect_timeout"),
        ("smtp://mail.example.org?helo=a%20b", "option helo"),
    ])
    func errorsNameThePart(url: String, part: String) {
        do {
            _ = try SMTPConfiguration(url: url)
            Issue.record("\(url) parsed")
        } catch {
            #expect(error.part == part, "\(url): \(error)")
        }
    }

    @Test func thePasswordIsNeverShown() throws {
        let configuration = try SMTPConfiguration(url: "smtp://alertes:tr%C3%A8s-secret@mail.example.org:587?tls_verify=false")
        #expect(configuration.description == "smtp://alertes:***@mail.example.org:587?tls_verify=false")
        #expect(!"\(configuration)".contains("secret") && !String(reflecting: configuration.credentials!).contains("secret"))
        #expect("\(configuration.credentials!)" == "alertes:***")
        do {
            _ = try SMTPConfiguration(url: "smtp://alertes:secret%zz@mail.example.org")
        } catch {
            #expect(!error.description.contains("secret"))
        }
        #expect(try SMTPConfiguration(url: "smtps://[::1]").description == "smtps://[::1]:465")
    }

    @Test func loopbackHosts() {
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "LOCALHOST"] { #expect(SMTPConfiguration.isLoopback(host), "\(host)") }
        for host in ["mail.example.org", "128.0.0.1", "10.0.0.1", "localhost.example.org"] { #expect(!SMTPConfiguration.isLoopback(host), "\(host)") }
    }
}

@Suite("SMTP replies")
struct SMTPReplyTests {
    @Test func multiLineRepliesAcrossChunks() throws {
        var parser = SMTPReplyParser()
        parser.append(Array("220 mail.example.org ESMTP ready\r\n250-mail.example.org\r\n250-SIZE 1000".utf8))
        #expect(try parser.next() == SMTPReply(code: 220, lines: ["mail.example.org ESMTP ready"]))
        #expect(try parser.next() == nil)
        parser.append(Array("0\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-8BITMIME\r\n250 STARTTLS\n354\r\n".utf8))
        let ehlo = try #require(try parser.next())
        #expect(ehlo.code == 250 && ehlo.lines == ["mail.example.org", "SIZE 10000", "AUTH=LOGIN", "AUTH PLAIN LOGIN CRAM-MD5", "8BITMIME", "STARTTLS"])
        let extensions = SMTPExtensions(ehloReply: ehlo)
        #expect(extensions.maximumSize == 10000)
        #expect(extensions.authMechanisms == ["PLAIN", "LOGIN", "CRAM-MD5"])
        #expect(extensions.supportsStartTLS && extensions.supports8BitMIME && !extensions.supportsPipelining)
        #expect(try parser.next() == SMTPReply(code: 354, lines: [""]))
        #expect(!parser.hasPendingInput)
    }

    @Test func malformedRepliesAreProtocolErrors() {
        for bad in ["hello\r\n", "25\r\n", "250x\r\n", "650 nope\r\n", "250-a\r\n251 b\r\n"] {
            var parser = SMTPReplyParser()
            parser.append(Array(bad.utf8))
            #expect(throws: SMTPError.self, "\(bad)") {
                while try parser.next() != nil {}
            }
        }
        var parser = SMTPReplyParser()
        parser.append([UInt8](repeating: UInt8(ascii: "2"), count: 5000))
        #expect(throws: SMTPError.self) { try parser.next() }
    }

    @Test func errorClassification() {
        let permanent = SMTPError(reply: SMTPReply(code: 550, lines: ["5.1.1 No such user"]), command: "RCPT TO")
        #expect(permanent.isPermanent && !permanent.isTransient)
        #expect(permanent.enhancedStatusCode == "5.1.1")
        #expect(permanent.description == "SMTP RCPT TO failed: 550 5.1.1 No such user (permanent)")
        #expect(!SMTPError(reply: SMTPReply(code: 451, lines: ["try later"]), command: "DATA").isPermanent)
        #expect(SMTPError(reply: SMTPReply(code: 451, lines: ["try later"]), command: "DATA").enhancedStatusCode == nil)
        #expect(!SMTPError(kind: .connection, message: "refused").isPermanent)
        #expect(!SMTPError(kind: .timeout, message: "slow").isPermanent)
        #expect(!SMTPError(kind: .tls, message: "bad certificate").isPermanent)
        #expect(SMTPError(kind: .configuration, message: "no STARTTLS").isPermanent)
        #expect(SMTPError(kind: .invalidMessage, message: "too big").isPermanent)
    }
}
