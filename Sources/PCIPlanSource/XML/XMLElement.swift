/// One attribute of an element, with the byte ranges of its name and of its value
/// (the value range excludes the quotes).
public struct XMLAttribute: Sendable, Hashable {
    public var name: String
    public var value: String
    public var nameRange: Range<Int>
    public var valueRange: Range<Int>

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
    public var name: String
    public var attributes: [XMLAttribute]
    public var children: [XMLElement]
    /// The element's own character data (direct text children, concatenated, entity-decoded).
    public var text: String
    /// `<name ...>` or `<name .../>`, from `<` to just past `>`.
    public var startTag: Range<Int>
    /// `</name>`, from `<` to just past `>`; nil for a self-closing element.
    public var endTag: Range<Int>?

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

    public var isSelfClosing: Bool { endTag == nil }

    /// From the start tag's `<` to the end of the end tag (or of the start tag when self-closing).
    public var range: Range<Int> { startTag.lowerBound..<(endTag?.upperBound ?? startTag.upperBound) }

    public subscript(attribute name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    public func attributeNode(_ name: String) -> XMLAttribute? {
        attributes.first { $0.name == name }
    }

    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    public func children(named name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }
}
