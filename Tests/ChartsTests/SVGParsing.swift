import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One parsed XML element.
struct Node {
    var name: String
    var attributes: [String: String]
    var text: String
}

/// Parses an SVG string with Foundation's XMLParser, failing on any XML error, and lists its elements in
/// document order.
final class SVGDocument: NSObject, XMLParserDelegate {
    private(set) var nodes: [Node] = []
    private var stack: [Int] = []
    private(set) var error: Error?

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else { throw parser.parserError ?? error ?? CocoaError(.fileReadCorruptFile) }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        stack.append(nodes.count)
        nodes.append(Node(name: elementName, attributes: attributes, text: ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = stack.last { nodes[index].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = parseError
    }

    var root: Node? { nodes.first }

    func all(_ name: String) -> [Node] { nodes.filter { $0.name == name } }

    func texts() -> [String] { all("text").map(\.text) }
}
