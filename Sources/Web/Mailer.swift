import Foundation
import Hummingbird
import Mail
import Mustache
import Storage

/// Turns what Passerelle has to say into outbox messages: one bilingual layout (HTML and plain text, from the
/// `mail-html` and `mail-text` templates) for every e-mail, rendered now and stored whole, so the delivery worker
/// only sends bytes.
struct Mailer: Sendable {
    /// One e-mail's content, in the recipient's language.
    struct Content {
        var subject: String
        var heading: String
        var paragraphs: [String]
        /// Trials or other items, each with a link.
        var items: [(title: String, url: String, detail: String)] = []
        /// The main button.
        var action: (label: String, url: String)?
        /// The signed one-click unsubscribe link, for alerts.
        var unsubscribeURL: String?
    }

    let library: MustacheLibrary
    let from: MailAddress
    /// The site's address as people reach it (`https://passerelle.example`), for links in e-mails.
    let publicURL: String

    /// The outbox message for `content`, with `key` as idempotency key and Message-ID.
    func message(key: String, to recipient: String, language: Language, content: Content, now: Date) throws -> OutboxMessage {
        let strings = Strings.table(for: language)
        var context: [String: Any] = [
            "lang": language.rawValue, "t": strings, "heading": content.heading,
            "paragraphs": content.paragraphs,
            "items": content.items.map { ["title": $0.title, "url": $0.url, "detail": $0.detail] },
            "hasItems": !content.items.isEmpty,
        ]
        if let action = content.action { context["action"] = ["label": action.label, "url": action.url] }
        if let unsubscribe = content.unsubscribeURL { context["unsubscribe"] = unsubscribe }
        let html = library.render(context, withTemplate: "mail-html") ?? ""
        let text = Self.tidy(library.render(context, withTemplate: "mail-text") ?? "")
        var headers: [MailHeader] = [MailHeader("X-Passerelle-Key", key)]
        if let unsubscribe = content.unsubscribeURL {
            headers.append(MailHeader("List-Unsubscribe", "<\(unsubscribe)>"))
            headers.append(MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        }
        let mail = MailMessage(
            from: from, to: [MailAddress(recipient)], subject: content.subject, text: text, html: html,
            messageID: "\(key)@passerelle", date: now, headers: headers)
        let bytes = try mail.rendered(date: now)
        return OutboxMessage(key: key, recipient: recipient, message: String(decoding: bytes, as: UTF8.self), createdAt: now)
    }

    /// An absolute link to `path` on the site.
    func link(_ path: String) -> String { publicURL + path }

    /// The plain-text part without the blank lines Mustache sections leave (its template writes values unescaped).
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
