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

/// A read document: every element's record, every attribute and every child list in three
/// flat arrays, so reading a domain allocates a few arrays rather than objects per element,
/// and dropping it frees them at once. Elements are numbered in document order (the root is
/// 0). Immutable once read; `XMLElement` is a position in one.
///
/// An attribute read from a file is two byte ranges of the file: its name and value become
/// strings only when asked for (most never are), and the ranges hold no references, so the
/// array of them is freed without visiting it. Only a value that decoding changes (an entity,
/// a character reference, a tab or line break) is kept as a string, and so is every attribute
/// of a document built in memory.
public final class XMLDocument: Sendable {
    /// A byte range of the source in 32 bits (the reader takes at most 32 MiB, `XMLReader.maximumSize`):
    /// the records below are what a large domain's reading allocates, element by element.
    struct Span: Sendable, Equatable {
        var lower: UInt32
        var upper: UInt32

        init(_ range: Range<Int>) {
            precondition(range.lowerBound >= 0 && range.upperBound <= Int(UInt32.max), "XMLDocument byte positions are 0 ..< 4 GiB")
            lower = UInt32(truncatingIfNeeded: range.lowerBound)
            upper = UInt32(truncatingIfNeeded: range.upperBound)
        }

        var range: Range<Int> { Int(lower)..<Int(upper) }
    }

    /// One attribute: its ranges, and where its name and value are (24 bytes).
    struct Attribute: Sendable {
        var nameRange: Span
        var valueRange: Span
        /// -1: the name is `source[nameRange]`; else its index in `strings`.
        var name: Int32
        /// -1: the value is `source[valueRange]`, unchanged by decoding; else its index in `strings`.
        var value: Int32
    }

    /// One element (56 bytes; a 4,000-device domain has about 12,000).
    struct Node: Sendable {
        var name: String
        var startTag: Span
        /// `endTag` of the element; empty at `startTag.upperBound` while the element is open.
        var endTag: Span
        /// -1: no text; else its index in `strings`.
        var text: Int32
        var firstAttribute: Int32
        var attributeCount: Int32
        var firstChild: Int32
        var childCount: Int32
        var selfClosing: Bool
    }

    /// The bytes attribute ranges point into (empty for a document built in memory).
    let source: [UInt8]
    let nodes: [Node]
    let attributes: [Attribute]
    /// Names and values that are not bytes of `source` as they stand, and element texts.
    let strings: [String]
    /// The children of node k: `children[firstChild ..< firstChild + childCount]` (node numbers).
    let children: [Int32]

    init(source: [UInt8], nodes: [Node], attributes: [Attribute], strings: [String], children: [Int32]) {
        self.source = source
        self.nodes = nodes
        self.attributes = attributes
        self.strings = strings
        self.children = children
    }

    /// The record arrays of the last document a thread let go, for the next one it reads
    /// (`ThreadSpare`: a 4,000-device domain's records are 1.2 MB the heap would otherwise
    /// hand back to the kernel and fault in again on the next read).
    static let spareNodes = ThreadSpare<[Node]>()
    static let spareAttributes = ThreadSpare<[Attribute]>()

    deinit {
        XMLDocument.spareNodes.putArray(nodes)
        XMLDocument.spareAttributes.putArray(attributes)
    }

    /// Attribute `k` as the public value type.
    func attribute(_ k: Int) -> XMLAttribute {
        let a = attributes[k]
        return XMLAttribute(name: a.name < 0 ? source.utf8Text(a.nameRange.range) : strings[Int(a.name)], value: value(ofAttribute: k),
                            nameRange: a.nameRange.range, valueRange: a.valueRange.range)
    }

    /// The decoded value of attribute `k`.
    func value(ofAttribute k: Int) -> String {
        let a = attributes[k]
        return a.value < 0 ? source.utf8Text(a.valueRange.range) : strings[Int(a.value)]
    }

    /// Whether attribute `k` is called `name`; by bytes, without making a string of its name.
    func attribute(_ k: Int, isNamed name: String) -> Bool {
        let a = attributes[k]
        return a.name < 0 ? source(a.nameRange.range, spells: name) : strings[Int(a.name)] == name
    }

    /// Whether `source[range]` is the UTF-8 of `name`; by bytes, without making a string.
    private func source(_ range: Range<Int>, spells name: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == range.count else { return false }
        return source.withUnsafeBufferPointer { bytes in
            utf8.withContiguousStorageIfAvailable { wanted in
                var i = range.lowerBound
                for c in wanted {
                    if bytes[i] != c { return false }
                    i += 1
                }
                return true
            } ?? utf8.elementsEqual(bytes[range])
        }
    }

    /// The root element (the first in document order).
    public var root: XMLElement { XMLElement(self, 0) }
}

/// An element of the input document with the exact byte ranges of its tags.
///
/// Immutable: the tree is read once and never changed; edits are expressed as byte-range
/// replacements on the original file (see `XMLEdit`). A position in its `XMLDocument` (a
/// reference and a number), so the model's devices, which hold their elements, copy two words
/// instead of a subtree's fields. Two elements are equal when name, attributes, children, text
/// and ranges are.
public struct XMLElement: Sendable, Hashable {
    /// The document the element belongs to.
    public let document: XMLDocument
    let index: Int

    init(_ document: XMLDocument, _ index: Int) {
        self.document = document
        self.index = index
    }

    /// An element with its tag ranges, in a document of its own (copying `children` and their
    /// subtrees into it); `XMLReader` builds documents in one go, tests and renderers may use this.
    /// Ranges are byte offsets of a file, from 0 to below 4 GiB (the document keeps them in 32 bits).
    public init(
        name: String, attributes: [XMLAttribute] = [], children: [XMLElement] = [], text: String = "",
        startTag: Range<Int>, endTag: Range<Int>?
    ) {
        var builder = XMLDocumentBuilder()
        let root = builder.open(name: name, attributes: attributes, startTag: startTag, selfClosing: endTag == nil)
        for child in children { builder.copy(child) }
        builder.appendText(text, to: root)
        builder.close(endTag: endTag ?? startTag.upperBound..<startTag.upperBound)
        self.init(builder.finish(), 0)
    }

    private var node: XMLDocument.Node {
        _read { yield document.nodes[index] }
    }

    /// The element's name as written (`disk`, `address`).
    public var name: String { node.name }

    /// The attributes in document order.
    public var attributes: Attributes {
        let n = node
        return Attributes(document: document, first: Int(n.firstAttribute), count: Int(n.attributeCount))
    }

    /// The child elements in document order (text, comments and processing instructions are not
    /// elements).
    public var children: Children {
        let n = node
        return Children(document: document, first: Int(n.firstChild), count: Int(n.childCount))
    }

    /// The element's own character data (direct text children, concatenated, entity-decoded),
    /// except whitespace-only text before any other: the indentation between child elements.
    public var text: String {
        let t = node.text
        return t < 0 ? "" : document.strings[Int(t)]
    }

    /// `<name ...>` or `<name .../>`, from `<` to just past `>`.
    public var startTag: Range<Int> { node.startTag.range }

    /// `</name>`, from `<` to just past `>`; nil for a self-closing element.
    public var endTag: Range<Int>? {
        let n = node
        return n.selfClosing ? nil : n.endTag.range
    }

    /// Same name, attributes, children, text and ranges.
    public static func == (a: XMLElement, b: XMLElement) -> Bool {
        if a.document === b.document && a.index == b.index { return true }
        return a.startTag == b.startTag && a.endTag == b.endTag && a.name == b.name && a.text == b.text
            && a.attributes.elementsEqual(b.attributes) && a.children.elementsEqual(b.children)
    }

    /// Hashes what `==` compares first: the name and the tag ranges.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(startTag)
        hasher.combine(endTag)
    }

    /// Whether the element is written `<name/>`; the writer opens it up to insert children.
    public var isSelfClosing: Bool { node.selfClosing }

    /// From the start tag's `<` to the end of the end tag (or of the start tag when self-closing).
    public var range: Range<Int> {
        let n = node
        return Int(n.startTag.lower)..<Int(n.selfClosing ? n.startTag.upper : n.endTag.upper)
    }

    /// The decoded value of the attribute `name`, or nil when it is absent.
    public subscript(attribute name: String) -> String? {
        attributeIndex(name).map { document.value(ofAttribute: $0) }
    }

    /// The attribute `name` with its byte ranges, or nil when it is absent.
    public func attributeNode(_ name: String) -> XMLAttribute? {
        attributeIndex(name).map { document.attribute($0) }
    }

    /// The document's number of the attribute `name` of this element.
    private func attributeIndex(_ name: String) -> Int? {
        let n = node
        let first = Int(n.firstAttribute)
        for k in first..<(first + Int(n.attributeCount)) where document.attribute(k, isNamed: name) { return k }
        return nil
    }

    /// The first child element called `name` (libvirt reads the first one too).
    public func child(_ name: String) -> XMLElement? {
        let n = node
        let nodes = document.nodes
        for k in Int(n.firstChild)..<Int(n.firstChild + n.childCount) {
            let c = Int(document.children[k])
            if nodes[c].name == name { return XMLElement(document, c) }
        }
        return nil
    }

    /// Every child element called `name`, in document order.
    public func children(named name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// An element's attributes, in document order, indexed from 0.
    public struct Attributes: RandomAccessCollection, Sendable {
        let document: XMLDocument
        let first: Int
        /// The number of attributes.
        public let count: Int

        /// 0.
        public var startIndex: Int { 0 }
        /// The number of attributes.
        public var endIndex: Int { count }

        /// The `i`th attribute.
        public subscript(i: Int) -> XMLAttribute {
            precondition(i >= 0 && i < count, "XMLElement.Attributes index out of range")
            return document.attribute(first + i)
        }
    }

    /// An element's child elements, in document order, indexed from 0.
    public struct Children: RandomAccessCollection, Sendable {
        let document: XMLDocument
        let first: Int
        /// The number of children.
        public let count: Int

        /// 0.
        public var startIndex: Int { 0 }
        /// The number of children.
        public var endIndex: Int { count }

        /// The `i`th child element.
        public subscript(i: Int) -> XMLElement {
            precondition(i >= 0 && i < count, "XMLElement.Children index out of range")
            return XMLElement(document, Int(document.children[first + i]))
        }
    }
}

/// Builds an `XMLDocument` in document order: `open` an element (its attributes with it), add
/// its children and text, `close` it. It keeps the stack of open elements; their finished
/// children wait on one shared stack and are moved into the document's child list,
/// contiguously, when their parent closes.
struct XMLDocumentBuilder {
    private var nodes: [XMLDocument.Node] = []
    private let source: [UInt8]
    private var attributes: [XMLDocument.Attribute] = []
    private var strings: [String] = []
    private var children: [Int32] = []
    /// The open elements' finished children, innermost element's last.
    private var pending: [Int32] = []
    /// The open elements, innermost last, and where each one's children begin on `pending`.
    private var open: [(element: Int, firstPending: Int)] = []
    /// The attributes that belong to elements already opened.
    private var claimedAttributes = 0

    /// A builder for a document whose attribute ranges point into `source`.
    init(source: [UInt8] = [], expectedElements: Int = 0) {
        self.source = source
        if expectedElements > 0 {
            nodes = XMLDocument.spareNodes.takeArray(reserving: expectedElements)
            attributes = XMLDocument.spareAttributes.takeArray(reserving: expectedElements * 2)
            children.reserveCapacity(expectedElements)
        }
    }

    /// Attributes appended before `open`: the next element's.
    mutating func appendAttribute(_ attribute: XMLAttribute) {
        strings.append(attribute.name)
        strings.append(attribute.value)
        attributes.append(XMLDocument.Attribute(nameRange: .init(attribute.nameRange), valueRange: .init(attribute.valueRange),
                                                name: Int32(strings.count - 2), value: Int32(strings.count - 1)))
    }

    /// An attribute of the source: its name is `source[name]`, its value `source[value]`
    /// unless `decodedValue` (what decoding made of those bytes) is given.
    mutating func appendAttribute(name: Range<Int>, value: Range<Int>, decodedValue: String?) {
        var valueIndex: Int32 = -1
        if let decodedValue {
            valueIndex = Int32(strings.count)
            strings.append(decodedValue)
        }
        attributes.append(XMLDocument.Attribute(nameRange: .init(name), valueRange: .init(value), name: -1, value: valueIndex))
    }

    /// The name and value ranges of the attributes appended since the last `open`.
    var unclaimedAttributeRanges: [(name: Range<Int>, value: Range<Int>)] {
        attributes[claimedAttributes...].map { ($0.nameRange.range, $0.valueRange.range) }
    }

    /// Forgets the attributes appended since the last `open`.
    mutating func dropUnclaimedAttributes() {
        attributes.removeSubrange(claimedAttributes...)
    }

    /// Opens an element (a child of the innermost open one) with the attributes appended since
    /// the last `open`, and returns its number.
    mutating func open(name: String, startTag: Range<Int>, selfClosing: Bool) -> Int {
        let k = nodes.count
        if !open.isEmpty { pending.append(Int32(k)) }
        let tag = XMLDocument.Span(startTag)
        nodes.append(XMLDocument.Node(
            name: name, startTag: tag, endTag: XMLDocument.Span(startTag.upperBound..<startTag.upperBound), text: -1,
            firstAttribute: Int32(claimedAttributes), attributeCount: Int32(attributes.count - claimedAttributes),
            firstChild: 0, childCount: 0, selfClosing: selfClosing))
        claimedAttributes = attributes.count
        open.append((k, pending.count))
        return k
    }

    /// `open` with these attributes.
    mutating func open(name: String, attributes new: some Collection<XMLAttribute>, startTag: Range<Int>, selfClosing: Bool) -> Int {
        for attribute in new { appendAttribute(attribute) }
        return open(name: name, startTag: startTag, selfClosing: selfClosing)
    }

    /// The innermost open element; nil when none is open.
    var innermostOpen: Int? { open.last?.element }

    /// Element `k`'s name.
    func name(_ k: Int) -> String { nodes[k].name }

    /// Element `k`'s start tag.
    func startTag(_ k: Int) -> Range<Int> { nodes[k].startTag.range }

    /// Whether element `k` was written `<name/>`.
    func isSelfClosing(_ k: Int) -> Bool { nodes[k].selfClosing }

    /// Whether element `k` has no text yet.
    func hasNoText(_ k: Int) -> Bool { nodes[k].text < 0 }

    /// Appends character data to element `k`'s text.
    mutating func appendText(_ text: String, to k: Int) {
        guard !text.isEmpty else { return }
        let t = nodes[k].text
        if t < 0 {
            nodes[k].text = Int32(strings.count)
            strings.append(text)
        } else {
            strings[Int(t)] += text
        }
    }

    /// Closes the innermost open element.
    mutating func close(endTag: Range<Int>) {
        let (k, start) = open.removeLast()
        nodes[k].firstChild = Int32(children.count)
        nodes[k].childCount = Int32(pending.count - start)
        nodes[k].endTag = XMLDocument.Span(endTag)
        if start < pending.count {
            children.append(contentsOf: pending[start...])
            pending.removeSubrange(start...)
        }
    }

    /// Copies `element` and its subtree (from any document) as a child of the innermost open one.
    mutating func copy(_ element: XMLElement) {
        let k = open(name: element.name, attributes: element.attributes, startTag: element.startTag,
                     selfClosing: element.isSelfClosing)
        for child in element.children { copy(child) }
        appendText(element.text, to: k)
        close(endTag: element.endTag ?? element.startTag.upperBound..<element.startTag.upperBound)
    }

    /// Whether every opened element has been closed.
    var isComplete: Bool { open.isEmpty && !nodes.isEmpty }

    /// The document (its root is element 0).
    func finish() -> XMLDocument {
        XMLDocument(source: source, nodes: nodes, attributes: attributes, strings: strings, children: children)
    }
}
