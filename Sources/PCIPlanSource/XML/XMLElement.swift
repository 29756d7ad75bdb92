/// One attribute of an element, with the byte ranges of its name and of its value
/// (the value range excludes the quotes).
public struct XMLAttribute: Sendable, Hashable {
    /// The attribute's name as written (`slot`, `xmlns:q`).
    public var name: String
    /// The value with entities and character references decoded.
    public var value: String
    /// Bytes of the name in the file.
    public var nameRange: Range<Int>
    /// Bytes of the value between the quotes; where the writer edits an attribute and where
    /// diagnostics about a value point.
    public var valueRange: Range<Int>

    /// An attribute with its decoded value and the byte ranges of its name and value.
    public init(name: String, value: String, nameRange: Range<Int>, valueRange: Range<Int>) {
        self.name = name
        self.value = value
        self.nameRange = nameRange
        self.valueRange = valueRange
    }
}

/// An element of the input document with the exact byte ranges of its tags.
///
/// Immutable: the tree is read once and never changed; edits are expressed as byte-range
/// replacements on the original file (see `XMLEdit`). A final class, so that the model's
/// devices, which hold their elements, copy a reference instead of a whole subtree's fields.
/// Two elements are equal when name, attributes, children, text and ranges are.
public final class XMLElement: Sendable, Hashable {
    /// The element's name as written (`disk`, `address`).
    public let name: String
    /// The attributes in document order.
    public let attributes: [XMLAttribute]
    /// The child elements in document order (text, comments and processing instructions are not
    /// elements).
    public let children: [XMLElement]
    /// The element's own character data (direct text children, concatenated, entity-decoded),
    /// except whitespace-only text before any other: the indentation between child elements.
    public let text: String
    /// `<name ...>` or `<name .../>`, from `<` to just past `>`.
    public let startTag: Range<Int>
    /// `</name>`, from `<` to just past `>`; nil for a self-closing element.
    public let endTag: Range<Int>?

    /// An element with its tag ranges; `XMLReader` builds these, tests may too.
    public init(
        name: String, attributes: [XMLAttribute] = [], children: [XMLElement] = [], text: String = "",
        startTag: Range<Int>, endTag: Range<Int>?
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.startTag = startTag
        self.endTag = endTag
    }

    /// Same name, attributes, children, text and ranges.
    public static func == (a: XMLElement, b: XMLElement) -> Bool {
        a === b || (a.startTag == b.startTag && a.endTag == b.endTag && a.name == b.name && a.text == b.text
            && a.attributes == b.attributes && a.children == b.children)
    }

    /// Hashes what `==` compares first: the name and the tag ranges.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(startTag)
        hasher.combine(endTag)
    }

    /// Whether the element is written `<name/>`; the writer opens it up to insert children.
    public var isSelfClosing: Bool { endTag == nil }

    /// From the start tag's `<` to the end of the end tag (or of the start tag when self-closing).
    public var range: Range<Int> { startTag.lowerBound..<(endTag?.upperBound ?? startTag.upperBound) }

    /// The decoded value of the attribute `name`, or nil when it is absent.
    public subscript(attribute name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The attribute `name` with its byte ranges, or nil when it is absent.
    public func attributeNode(_ name: String) -> XMLAttribute? {
        attributes.first { $0.name == name }
    }

    /// The first child element called `name` (libvirt reads the first one too).
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child element called `name`, in document order.
    public func children(named name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }
}
