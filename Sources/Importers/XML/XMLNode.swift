import Catalog

/// A small element tree, built for one record at a time (an Atom `<entry>`, an OAI `<record>`)
/// while the document itself streams past.
public final class XMLNode {
    public let name: XMLPullParser.Name
    public let attributes: [String: String]
    public private(set) var children: [XMLNode] = []
    /// The element's own text (not its children's), as written.
    public private(set) var rawText = ""
    /// Line on which the element starts.
    public let line: Int

    init(name: XMLPullParser.Name, attributes: [String: String], line: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    /// The text with runs of white space collapsed (XML feeds wrap long lines).
    public var text: String { rawText.collapsingWhitespace() }

    /// The first child with this local name.
    public func child(_ local: String) -> XMLNode? { children.first { $0.name.local == local } }

    public func children(_ local: String) -> [XMLNode] { children.filter { $0.name.local == local } }

    /// The collapsed text of the first child with this local name, nil if absent or blank.
    public func childText(_ local: String) -> String? {
        guard let text = child(local)?.text, !text.isEmpty else { return nil }
        return text
    }

    fileprivate func append(_ node: XMLNode) { children.append(node) }
    fileprivate func appendText(_ text: String) { rawText += text }
}

extension XMLPullParser {
    /// The next start tag below the root, after checking that the root element is named `root`
    /// (a reader of one format refuses documents of another); nil at the end of the document.
    public func nextStartTag(insideRoot root: String) throws -> (Name, [String: String])? {
        while let event = try next() {
            guard case .start(let element, let attributes) = event else { continue }
            if startTagsRead == 1 {
                guard element.local == root else { throw fail("expected <\(root)>, found <\(element.local)>") }
                continue
            }
            return (element, attributes)
        }
        return nil
    }

    /// Reads the element whose start tag was just returned, with all its content, and returns
    /// it as a tree. `maxNodes` bounds the memory one record can take.
    public func readElement(_ name: Name, attributes: [String: String], maxNodes: Int = 100_000) throws -> XMLNode {
        let root = XMLNode(name: name, attributes: attributes, line: line)
        var stack = [root]
        var nodes = 1
        while let event = try next() {
            switch event {
            case .start(let childName, let childAttributes):
                nodes += 1
                if nodes > maxNodes { throw fail("a record with more than \(maxNodes) elements") }
                let node = XMLNode(name: childName, attributes: childAttributes, line: line)
                stack.last!.append(node)
                stack.append(node)
            case .end:
                stack.removeLast()
                if stack.isEmpty { return root }
            case .text(let text):
                stack.last!.appendText(text)
            }
        }
        throw fail("unexpected end of input inside <\(name.local)>")
    }
}
