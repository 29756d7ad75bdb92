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
/// Value type: the tree is read once and never mutated; edits are expressed as byte-range
/// replacements on the original file (see `XMLEdit`).
public struct XMLElement: Sendable, Hashable {
    /// The element's name as written (`disk`, `address`).
    public var name: String
    /// The attributes in document order.
    public var attributes: [XMLAttribute]
    /// The child elements in document order (text, comments and processing instructions are not
    /// elements).
    public var children: [XMLElement]
    /// The element's own character data (direct text children, concatenated, entity-decoded),
    /// except whitespace-only text before any other: the indentation between child elements.
    public var text: String
    /// `<name ...>` or `<name .../>`, from `<` to just past `>`.
    public var startTag: Range<Int>
    /// `</name>`, from `<` to just past `>`; nil for a self-closing element.
    public var endTag: Range<Int>?

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
