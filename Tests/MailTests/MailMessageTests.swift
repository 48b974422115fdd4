import Foundation
import TestSupport
import Testing

@testable import Mail

/// A realistic alert: French subject and names, text and HTML, list headers and the idempotency key.
func sampleAlert(html: String? = "<p>Un nouvel essai correspond à votre recherche « lymphome ».</p>") -> MailMessage {
    MailMessage(
        from: MailAddress("alertes@passerelle.quebec", displayName: "Passerelle — Alertes"),
        to: [MailAddress("zoe.tremblay@example.org", displayName: "Zoé Tremblay")],
        replyTo: MailAddress("aide@passerelle.quebec", displayName: "Équipe d'aide"),
        subject: "Nouvel essai : lymphome à grandes cellules B — recrutement ouvert",
        text: "Bonjour Zoé,\n\nUn nouvel essai correspond à votre recherche « lymphome ».\n.\nÀ bientôt,\nPasserelle\n",
        html: html,
        messageID: "alert-42.7@passerelle.quebec",
        date: Date(timeIntervalSince1970: 1_752_588_180),
        headers: [
            MailHeader("List-Unsubscribe", "<https://passerelle.quebec/alertes/desabonnement?jeton=0123456789abcdef0123456789abcdef>, <mailto:desabonnement@passerelle.quebec?subject=alerte-42>"),
            MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            MailHeader("X-Passerelle-Key", "alert:42:NCT01234567:2025-07-15"),
        ])
}

@Suite("MailMessage rendering")
struct MailMessageTests {
    let frenchSubject = "Nouvel essai : lymphome à grandes cellules B — recrutement ouvert"

    @Test func frenchSubjectIsEncodedInBoundedWordsAndDecodesBack() throws {
        let reader = MIMEReader(try sampleAlert().rendered())
        let subjectLines = reader.headerLines.drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subjectLines.count >= 2, "a 70-character subject with accents needs several encoded-words")
        let raw = try #require(reader.raw("Subject"))
        let words = raw.split(separator: " ")
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "\(word)")
            #expect(word.count <= 75, "encoded-word of \(word.count) characters")
            // Each word alone decodes to valid UTF-8: no character is split between two words.
            let payload = word.dropFirst(10).dropLast(2)
            #expect(String(validating: Data(base64Encoded: String(payload))!, as: UTF8.self) != nil)
        }
        for line in subjectLines { #expect(line.count <= 76, "\(line)") }
        #expect(reader.decoded("Subject") == frenchSubject)
    }

    @Test func asciiTextStaysReadable() throws {
        var message = sampleAlert()
        message.subject = "New trial: large B-cell lymphoma - recruiting"
        let reader = MIMEReader(try message.rendered())
        #expect(reader.raw("Subject") == "New trial: large B-cell lymphoma - recruiting")
        #expect(reader.raw("X-Passerelle-Key") == "alert:42:NCT01234567:2025-07-15")
        // ASCII that looks like an encoded-word is encoded, so it reads back as typed.
        message.subject = "Literal =?UTF-8?B?SGk=?= text"
        let tricky = MIMEReader(try message.rendered())
        #expect(tricky.raw("Subject")!.hasPrefix("=?UTF-8?B?"))
        #expect(tricky.decoded("Subject") == "Literal =?UTF-8?B?SGk=?= text")
    }

    @Test func longWordsAndEmojiNeverSplitACharacter() throws {
        var message = sampleAlert()
        message.subject = String(repeating: "é", count: 100) + " 👩🏽‍⚕️👨‍👩‍👧‍👦 " + String(repeating: "ü", count: 40) + " e\u{301}"
        let reader = MIMEReader(try message.rendered())
        for word in reader.raw("Subject")!.split(separator: " ") {
            #expect(word.count <= 75)
            let bytes = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!
            #expect(String(validating: bytes, as: UTF8.self) != nil, "\(word) splits a character")
        }
        #expect(reader.decoded("Subject") == message.subject)
    }

    @Test func displayNamesAreEncodedOrQuotedAndAddressesKeptAsIs() throws {
        var message = sampleAlert()
        message.to = [
            MailAddress("zoe.tremblay@example.org", displayName: "Zoé Tremblay"),
            MailAddress("smith@example.org", displayName: "Smith, John \"JJ\""),
            MailAddress("plain@example.org", displayName: "Plain Name"),
            MailAddress("bare@example.org"),
        ]
        let reader = MIMEReader(try message.rendered())
        let to = try #require(reader.raw("To"))
        #expect(to.contains("<zoe.tremblay@example.org>"))
        #expect(to.contains("\"Smith, John \\\"JJ\\\"\" <smith@example.org>"))
        #expect(to.contains("Plain Name <plain@example.org>"))
        #expect(to.hasSuffix(", bare@example.org"))
        #expect(!to.contains("Zoé"))
        #expect(reader.decoded("To")!.hasPrefix("Zoé Tremblay <zoe.tremblay@example.org>"))
        #expect(reader.decoded("From") == "Passerelle — Alertes <alertes@passerelle.quebec>")
        #expect(reader.decoded("Reply-To") == "Équipe d'aide <aide@passerelle.quebec>")
        for line in reader.headerLines where !line.hasPrefix("List-Unsubscribe:") {
            #expect(line.count <= 76, "\(line)")
        }
    }

    @Test func everyLineEndsInCRLFAndTheMessageIsSevenBit() throws {
        let bytes = try sampleAlert().rendered()
        #expect(bytes.allSatisfy { $0 < 0x80 })
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)") }
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
        }
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
    }

    @Test func standardHeadersInOrder() throws {
        let reader = MIMEReader(try sampleAlert().rendered())
        #expect(reader.headers.map(\.name) == [
            "Date", "From", "To", "Reply-To", "Message-ID", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post",
            "X-Passerelle-Key", "MIME-Version", "Content-Type",
        ])
        #expect(reader.raw("Date") == "Tue, 15 Jul 2025 14:03:00 +0000")
        #expect(reader.raw("Message-ID") == "<alert-42.7@passerelle.quebec>")
        #expect(reader.raw("MIME-Version") == "1.0")
    }

    @Test func longHeadersFoldAtSpacesAndUnfoldToTheValue() throws {
        let message = sampleAlert()
        let reader = MIMEReader(try message.rendered())
        let lines = reader.headerLines.drop { !$0.hasPrefix("List-Unsubscribe:") }.prefix { $0.hasPrefix("List-Unsubscribe:") || $0.hasPrefix(" ") }
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count <= 998 })
        #expect(reader.raw("List-Unsubscribe") == message.headers[0].value)
    }

    @Test func datesFormatPerRFC5322() {
        #expect(RFC5322Date.format(secondsSince1970: 0) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.format(secondsSince1970: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(RFC5322Date.format(secondsSince1970: -86_400) == "Wed, 31 Dec 1969 00:00:00 +0000")
        #expect(RFC5322Date.format(secondsSince1970: 1_752_588_180) == "Tue, 15 Jul 2025 14:03:00 +0000")
    }

    @Test func renderingIsDeterministic() throws {
        let message = sampleAlert()
        #expect(try message.rendered() == message.rendered())
        var other = message
        other.text += "autre"
        #expect(try MIMEReader(message.rendered()).boundary != MIMEReader(other.rendered()).boundary)
        let explicit = try MIMEReader(message.rendered(date: Date(timeIntervalSince1970: 0)))
        #expect(explicit.raw("Date") == "Thu, 1 Jan 1970 00:00:00 +0000")
    }
}

@Suite("Bodies")
struct BodyTests {
    @Test func textOnlyIsQuotedPrintableUTF8() throws {
        let message = sampleAlert(html: nil)
        let reader = MIMEReader(try message.rendered())
        #expect(reader.raw("Content-Type") == "text/plain; charset=UTF-8")
        #expect(reader.raw("Content-Transfer-Encoding") == "quoted-printable")
        #expect(reader.boundary == nil)
        #expect(reader.decodedBody == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func multipartAlternativeHasTextThenHTML() throws {
        let message = sampleAlert()
        let reader = MIMEReader(try message.rendered())
        let boundary = try #require(reader.boundary)
        #expect(reader.raw("Content-Type") == "multipart/alternative; boundary=\"\(boundary)\"")
        #expect(reader.raw("Content-Transfer-Encoding") == nil)
        let parts = reader.parts()
        #expect(parts.count == 2)
        #expect(parts.map { $0.raw("Content-Type") } == ["text/plain; charset=UTF-8", "text/html; charset=UTF-8"])
        #expect(parts.allSatisfy { $0.raw("Content-Transfer-Encoding") == "quoted-printable" })
        #expect(parts[0].decodedBody == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(parts[1].decodedBody == message.html! + "\r\n", "a final line break is added")
        #expect(reader.body.hasSuffix("--\(boundary)--\r\n"))
    }

    @Test func boundaryCannotOccurInTheBodies() throws {
        var message = sampleAlert()
        // Bodies that contain boundary-like text: quoted-printable turns each "=" into "=3D", and every boundary
        // starts with "=_".
        message.text = "--=_Passerelle_0000000000000000\n=_Passerelle_"
        message.html = "<pre>\n--=_Passerelle_ffffffffffffffff--\n</pre>"
        let reader = MIMEReader(try message.rendered())
        let boundary = try #require(reader.boundary)
        #expect(boundary.hasPrefix("=_Passerelle_"))
        let delimiters = reader.body.components(separatedBy: "\r\n").filter { $0.hasPrefix("--=_") }
        #expect(delimiters == ["--\(boundary)", "--\(boundary)", "--\(boundary)--"])
        #expect(!reader.body.contains("=_Passerelle_0000") && !reader.body.contains("=_Passerelle_ffff"))
        #expect(reader.parts()[0].decodedBody.hasPrefix("--=_Passerelle_0000000000000000\r\n"))
    }

    @Test func quotedPrintableLinesAreAtMost76AndDecodeBack() {
        let text = String(repeating: "é", count: 300) + "\n" + String(repeating: "a", count: 75) + "=" + "\n"
            + "fin de ligne avec espaces   \ntab\t\nFrom the start\n" + String(repeating: "x", count: 200)
        let encoded = QuotedPrintable.encode(text)
        let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
        for line in lines { #expect(line.utf8.count <= 76, "\(line.utf8.count): \(line)") }
        #expect(lines.contains { $0.hasSuffix("espaces  =20") })
        #expect(lines.contains("tab=09"))
        #expect(lines.contains("=46rom the start"))
        #expect(!String(decoding: encoded, as: UTF8.self).contains("=_"))
        // Soft breaks never split an =XX escape.
        for line in lines where line.hasSuffix("=") {
            #expect(!line.dropLast().hasSuffix("=") && !line.dropLast(2).hasSuffix("="), "\(line)")
        }
        let decoded = String(decoding: MIMEReader.decodeQuotedPrintable(String(decoding: encoded, as: UTF8.self)), as: UTF8.self)
        #expect(decoded == text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
    }

    @Test func lineBreaksOfAnyKindBecomeCRLF() {
        let encoded = String(decoding: QuotedPrintable.encode("a\r\nb\rc\nd"), as: UTF8.self)
        #expect(encoded == "a\r\nb\r\nc\r\nd\r\n")
        #expect(String(decoding: QuotedPrintable.encode(""), as: UTF8.self) == "\r\n")
    }
}

@Suite("SMTP data framing")
struct DotStuffingTests {
    @Test func linesStartingWithADotGetAnotherDot() {
        let framed = SMTPData.framed(Array(".hidden\r\n..\r\nend\r\n.\r\nlast".utf8))
        #expect(String(decoding: framed, as: UTF8.self) == "..hidden\r\n...\r\nend\r\n..\r\nlast\r\n.\r\n")
    }

    @Test func messageEndingInCRLFGetsOnlyTheTerminator() {
        #expect(String(decoding: SMTPData.framed(Array("a\r\n".utf8)), as: UTF8.self) == "a\r\n.\r\n")
        #expect(String(decoding: SMTPData.framed(Array("a\nb\n".utf8)), as: UTF8.self) == "a\r\nb\r\n.\r\n")
        #expect(String(decoding: SMTPData.framed([]), as: UTF8.self) == ".\r\n")
    }

    @Test func aRenderedBodyLineOfOneDotIsStuffed() throws {
        let framed = String(decoding: SMTPData.framed(try sampleAlert().rendered()), as: UTF8.self)
        #expect(framed.contains("\r\n..\r\n"))
        #expect(framed.hasSuffix("--\r\n.\r\n"))
        #expect(framed.components(separatedBy: "\r\n.\r\n").count == 2)
    }
}

@Suite("Header injection and validation")
struct ValidationTests {
    func error(_ change: (inout MailMessage) -> Void) -> MailMessageError? {
        var message = sampleAlert()
        change(&message)
        do {
            _ = try message.rendered()
            return nil
        } catch {
            return error
        }
    }

    @Test func lineBreaksAreRejectedNamingTheField() {
        #expect(error { $0.subject = "Hello\r\nBcc: victim@example.org" }?.field == "Subject")
        #expect(error { $0.subject = "Hello\nBcc: victim@example.org" }?.reason.contains("line break") == true)
        #expect(error { $0.to[0].displayName = "Zoé\r\nBcc: x@example.org" }?.field == "To display name")
        #expect(error { $0.from = MailAddress("a@example.org\r\nRCPT TO:<x@example.org>") }?.field == "From")
        #expect(error { $0.replyTo = MailAddress("a@example.org\n") }?.field == "Reply-To")
        #expect(error { $0.headers.append(MailHeader("X-Passerelle-Key", "k\r\nBcc: x@example.org")) }?.field == "header X-Passerelle-Key")
        #expect(error { $0.headers.append(MailHeader("X-Evil\r\nBcc", "x")) }?.field.hasPrefix("header") == true)
        #expect(error { $0.messageID = "a@b\r\nBcc: x@example.org" }?.field == "Message-ID")
        #expect(error { $0.subject = "nul\u{0}" }?.reason.contains("control character") == true)
        let description = error { $0.subject = "Hello\r\nBcc: victim@example.org" }!.description
        #expect(description == "invalid Subject: contains a line break (CR or LF): \"Hello\\r\\nBcc: victim@example.org\"")
    }

    @Test func malformedAddressesAndHeadersAreRejected() {
        #expect(error { $0.to = [] }?.field == "To")
        #expect(error { $0.to = [MailAddress("no-at-sign")] }?.field == "To")
        #expect(error { $0.to = [MailAddress("a b@example.org")] }?.field == "To")
        #expect(error { $0.to = [MailAddress("a@exa mple.org")] }?.field == "To")
        #expect(error { $0.to = [MailAddress("a..b@example.org")] }?.field == "To")
        #expect(error { $0.to = [MailAddress("<a@example.org>")] }?.field == "To")
        #expect(error { $0.to = [MailAddress("zoé@example.org")] }?.reason.contains("SMTPUTF8") == true)
        #expect(error { $0.headers = [MailHeader("Bcc", "x@example.org")] }?.reason.contains("set by the message") == true)
        #expect(error { $0.headers = [MailHeader("Subject", "again")] } != nil)
        #expect(error { $0.headers = [MailHeader("Bad Name", "x")] } != nil)
        #expect(error { $0.headers = [MailHeader("Bad:Name", "x")] } != nil)
        #expect(error { $0.messageID = "no-at-sign" }?.field == "Message-ID")
        #expect(error { $0.messageID = "a b@c" }?.field == "Message-ID")
        #expect(error { $0.headers = [MailHeader("X-Long", String(repeating: "x", count: 1000))] }?.reason.contains("998") == true)
    }

    @Test func acceptedForms() throws {
        var message = sampleAlert()
        message.messageID = "<already-bracketed@passerelle.quebec>"
        message.to = [MailAddress("o'brien+alertes@sub.example-domain.org"), MailAddress("x@[127.0.0.1]")]
        message.headers = [MailHeader("X-Note", "Essai très « intéressant »")]
        let reader = MIMEReader(try message.rendered())
        #expect(reader.raw("Message-ID") == "<already-bracketed@passerelle.quebec>")
        #expect(reader.decoded("X-Note") == "Essai très « intéressant »")
        #expect(message.recipients == ["o'brien+alertes@sub.example-domain.org", "x@[127.0.0.1]"])
        message.to.append(MailAddress("O'Brien+alertes@sub.example-domain.org"))
        #expect(message.recipients.count == 2)
    }

    @Test func outgoingMailEnvelopeIsValidated() throws {
        let good = try OutgoingMail(sampleAlert())
        #expect(good.sender == "alertes@passerelle.quebec")
        #expect(good.recipients == ["zoe.tremblay@example.org"])
        var bad = good
        bad.recipients = ["x@example.org>\r\nDATA"]
        #expect(throws: MailMessageError.self) { try bad.validateEnvelope() }
        bad.recipients = []
        #expect(throws: MailMessageError.self) { try bad.validateEnvelope() }
    }
}
