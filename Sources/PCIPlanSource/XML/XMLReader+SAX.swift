import CLibXML2

/// `xmlInitParser` must run once before libxml2 is used from several threads; a global's
/// initialiser runs exactly once, thread-safely.
private let libxml2Initialized: Void = xmlInitParser()

/// Builds the `XMLDocument` from libxml2 SAX2 callbacks over one in-memory parser context.
///
/// Where libxml2's cursor (`xmlByteConsumed`) stands when the callbacks fire (measured on
/// libxml2 2.9.14): `startElementNs` — on the `>` or on the `/` of `/>` of the start tag;
/// `endElementNs` — just past the `/>` (empty element) or just past the `>` of `</name>`;
/// structured errors — where libxml2's line:column points. CR LF normalisation and a UTF-8
/// byte order mark do not shift it: it counts bytes of the original buffer.
struct SAXTreeBuilder {
    // A struct the callbacks reach through a pointer (libxml2's user data): the stored
    // properties of a class would be checked for exclusive access at run time on every use,
    // which was a tenth of reading.
    private let bytes: [UInt8]
    /// `bytes`' storage while libxml2 runs (`build` holds it for the whole parse).
    private var base: UnsafePointer<UInt8>?
    private var ctxt: xmlParserCtxtPtr?
    /// The document so far; it keeps the stack of open elements.
    private var document: XMLDocumentBuilder
    /// The current start tag's attribute ranges (kept between tags, so they allocate once).
    private var scanned: [TagScanner.ScannedAttribute] = []
    /// Element names by libxml2's interned name pointers (direct-mapped; a miss builds the
    /// name again): most tags repeat a few dozen names, each a string once per document.
    private var names: [(local: UnsafePointer<xmlChar>?, prefix: UnsafePointer<xmlChar>?, name: String)] =
        Array(repeating: (nil, nil, ""), count: 64)
    /// Our own reason to stop (document type declaration, lost positions); wins over libxml2's.
    private var refusal: XMLReadError?
    /// The refusal is that we lost track of the input, not a rule of ours (see `lostTrack`).
    private var refusalIsLostTrack = false
    private var firstFatal: XMLReadError?
    private var firstError: XMLReadError?

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // About one element per 40 bytes of a libvirt domain: reserve once, not while growing.
        document = XMLDocumentBuilder(source: bytes, expectedElements: bytes.count / 40)
    }

    static func build(_ bytes: [UInt8]) throws(XMLReadError) -> XMLElement {
        _ = libxml2Initialized
        var builder = SAXTreeBuilder(bytes)
        let result = withUnsafeMutablePointer(to: &builder) { b in
            bytes.withUnsafeBufferPointer { buffer -> Result<XMLElement, XMLReadError> in
                guard buffer.count <= Int(Int32.max), let base = buffer.baseAddress,
                      let ctxt = UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: buffer.count, {
                          xmlCreateMemoryParserCtxt($0, Int32(buffer.count))
                      })
                else { return .failure(XMLReadError("libxml2 could not create a parser context")) }
                defer { xmlFreeParserCtxt(ctxt) }
                b.pointee.base = base
                defer { b.pointee.base = nil }
                return run(b, ctxt)
            }
        }
        return try result.get()
    }

    /// Parses with `b` as the callbacks' builder (only through `b` while libxml2 runs).
    private static func run(_ b: UnsafeMutablePointer<SAXTreeBuilder>, _ ctxt: xmlParserCtxtPtr) -> Result<XMLElement, XMLReadError> {
        guard let sax = ctxt.pointee.sax else { return .failure(XMLReadError("libxml2 parser context has no SAX handler")) }
        // Overwrite the context's own (xmlMalloc'ed) handler so xmlFreeParserCtxt frees it as usual.
        sax.pointee = handler()
        // No network, and ignore the declared encoding: the bytes were checked to be UTF-8
        // and a converter would make byte positions meaningless. No NOENT, no DTDLOAD.
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue))
        ctxt.pointee.replaceEntities = 0  // TagScanner.libxmlAttributeValue relies on this
        ctxt.pointee.loadsubset = 0
        ctxt.pointee.validate = 0
        ctxt.pointee.userData = UnsafeMutableRawPointer(b)
        b.pointee.ctxt = ctxt
        defer { b.pointee.ctxt = nil }

        let status = xmlParseDocument(ctxt)
        return b.pointee.outcome(status: status, wellFormed: ctxt.pointee.wellFormed != 0)
    }

    private func outcome(status: Int32, wellFormed: Bool) -> Result<XMLElement, XMLReadError> {
        if let refusal {
            if refusalIsLostTrack, let syntax = firstFatal ?? firstError { return .failure(syntax) }
            return .failure(refusal)
        }
        if status != 0 || !wellFormed {
            return .failure(firstFatal ?? firstError ?? XMLReadError("the input is not well-formed XML"))
        }
        guard document.isComplete else { return .failure(XMLReadError("Document is empty", offset: 0)) }
        return .success(document.finish().root)
    }

    private static func handler() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, local, prefix, _, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes in
            SAXTreeBuilder.from(ctx)?.pointee.startElement(
                local, prefix, Int(nbNamespaces), namespaces, Int(nbAttributes), Int(nbDefaulted), attributes)
        }
        sax.endElementNs = { ctx, _, _, _ in SAXTreeBuilder.from(ctx)?.pointee.endElement() }
        sax.characters = { ctx, ch, len in SAXTreeBuilder.from(ctx)?.pointee.characters(ch, Int(len)) }
        // Whitespace is character data like any other (the element's `text` keeps it).
        sax.ignorableWhitespace = sax.characters
        // A DOCTYPE is refused as soon as libxml2 has read its name, before an internal subset
        // is parsed: no entity is ever declared, so none can be expanded or fetched. No
        // externalSubset / resolveEntity / getEntity callbacks: nothing external is loaded.
        sax.internalSubset = { ctx, _, _, _ in SAXTreeBuilder.from(ctx)?.pointee.refuseDocumentType() }
        sax.entityDecl = { ctx, _, _, _, _, _ in SAXTreeBuilder.from(ctx)?.pointee.refuseDocumentType() }
        sax.serror = { ctx, error in
            if let error { SAXTreeBuilder.from(ctx)?.pointee.record(error.pointee) }
        }
        return sax
    }

    private static func from(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<SAXTreeBuilder>? {
        ctx?.assumingMemoryBound(to: SAXTreeBuilder.self)
    }

    /// libxml2's byte cursor in the original buffer.
    private var cursor: Int? {
        guard let ctxt else { return nil }
        let position = Int(xmlByteConsumed(ctxt))
        return (0...bytes.count).contains(position) ? position : nil
    }

    private mutating func stop(_ error: XMLReadError) {
        if refusal == nil { refusal = error }
        if let ctxt { xmlStopParser(ctxt) }
    }

    /// Almost always the input is malformed and libxml2 is about to say how: a control byte
    /// right after a tag name ends the name, and libxml2 reports the start tag before its
    /// "Couldn't find end of Start Tag". So build nothing more, let libxml2 go on, and report
    /// its error if it finds one (`run`); only well-formed input we lost track of is our bug.
    private mutating func lostTrack(_ what: String) {
        guard refusal == nil else { return }
        refusal = XMLReadError("internal error: could not locate the \(what) in the input", offset: cursor)
        refusalIsLostTrack = true
    }

    // MARK: Callbacks

    private mutating func startElement(
        _ local: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
        _ nbNamespaces: Int, _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
        _ nbAttributes: Int, _ nbDefaulted: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        guard refusal == nil else { return }
        let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/")
        guard let limit = cursor else { return lostTrack("end of a start tag") }
        // libxml2 reports a start tag cut off by the end of the input before it complains.
        guard limit < bytes.count else {
            return stop(XMLReadError("the input ends inside a start tag (truncated file?)", offset: bytes.count))
        }
        let selfClosing: Bool
        if bytes[limit] == gt {
            selfClosing = false
        } else if bytes[limit] == slash, limit + 1 < bytes.count, bytes[limit + 1] == gt {
            selfClosing = true
        } else {
            return lostTrack("end of a start tag")
        }
        let tagEnd = selfClosing ? limit + 2 : limit + 1
        // Nearly every tag: the values libxml2 reports are bytes of its input buffer, which
        // place them in ours; no byte of the tag is scanned twice.
        if nbNamespaces == 0, nbDefaulted == 0, let local {
            if let start = attributesInPlace(limit: limit, local: local, prefix: prefix, count: nbAttributes, attributes) {
                // Debug builds (every test) prove the placement against the scanner.
                assert(scannerAgrees(start: start, limit: limit), "attributes placed from libxml2's buffer differ from the scanned tag")
                _ = document.open(name: elementName(local, prefix), startTag: start..<tagEnd, selfClosing: selfClosing)
                return
            }
            document.dropUnclaimedAttributes()
        }
        // No `<` can occur inside a start tag (not even in attribute values) except its first byte.
        var start = limit - 1
        while start > 0, bytes[start] != lt { start -= 1 }
        guard start >= 0, let tagName = TagScanner.scanStartTag(bytes, from: start, to: limit, attributes: &scanned) else {
            return lostTrack("start tag")
        }
        var nextNamespace = 0
        var nextAttribute = 0
        for attribute in scanned {
            // Most values are their bytes as written; only the others are kept as strings,
            // decoded by libxml2 (XMLDocument). libxml2 reports the attributes that are not
            // namespace declarations, in document order; the declarations it reports, in order, apart.
            let decode = needsDecoding(attribute.value)
            var value: String?
            if let prefix = namespacePrefix(attribute.name) {
                if nextNamespace < nbNamespaces, let namespaces,
                   matches(prefix, prefix: nil, local: namespaces[2 * nextNamespace], allowNil: true)
                {
                    if decode, let uri = namespaces[2 * nextNamespace + 1] {
                        value = TagScanner.libxmlAttributeValue(UnsafeBufferPointer(start: uri, count: Int(xmlStrlen(uri))))
                    }
                    nextNamespace += 1
                }
            } else {
                if decode, let attributes {
                    // In document order; search only if that ever fails.
                    let found = (nextAttribute < nbAttributes
                        && matches(attribute.name, prefix: attributes[5 * nextAttribute + 1], local: attributes[5 * nextAttribute]))
                        ? nextAttribute
                        : (0..<nbAttributes).first {
                            matches(attribute.name, prefix: attributes[5 * $0 + 1], local: attributes[5 * $0])
                        }
                    if let k = found, let begin = attributes[5 * k + 3], let end = attributes[5 * k + 4], begin <= end {
                        value = TagScanner.libxmlAttributeValue(UnsafeBufferPointer(start: begin, count: end - begin))
                    }
                }
                nextAttribute += 1
            }
            document.appendAttribute(
                name: attribute.name, value: attribute.value,
                decodedValue: decode ? value ?? TagScanner.decodeAttributeValue(bytes[attribute.value]) : nil)
        }
        _ = document.open(name: bytes.utf8Text(tagName), startTag: start..<tagEnd, selfClosing: selfClosing)
    }

    /// The start tag whose `>` (or the `/` of `/>`) is at `limit`, located from what libxml2
    /// reported: its `<`, with its attributes appended to the document; nil when that does not
    /// account for every byte of the tag (the caller drops what was appended and scans the tag).
    ///
    /// libxml2 hands over a value unchanged as a pointer into its input buffer, whose bytes
    /// are ours from offset `xmlByteConsumed - (cur - pointer)`; a value it had to change (a
    /// reference, a tab or line break, any non-ASCII byte) is a copy outside the buffer. From
    /// each value the name is found backwards (`name S? = S? quote`) by its known spelling,
    /// and the element's name before the first attribute; only white space may lie between.
    private mutating func attributesInPlace(
        limit: Int, local: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, count: Int,
        _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) -> Int? {
        guard let src = base, let input = ctxt?.pointee.input, let cur = input.pointee.cur,
              let bufferStart = input.pointee.base, cur.pointee == src[limit]
        else { return nil }
        /// Where `prefix:local` starts if the bytes just before `end` spell it (names are a
        /// few bytes: compared in place rather than through strlen and memcmp).
        func spelled(_ local: UnsafePointer<xmlChar>, _ prefix: UnsafePointer<xmlChar>?, endingAt end: Int) -> Int? {
            func matches(_ name: UnsafePointer<xmlChar>, endingAt end: Int) -> Int? {
                var n = 0
                while name[n] != 0 { n += 1 }
                let start = end - n
                guard start > 0 else { return nil }
                for i in 0..<n where src[start + i] != name[i] { return nil }
                return start
            }
            guard let start = matches(local, endingAt: end) else { return nil }
            guard let prefix else { return start }
            guard src[start - 1] == UInt8(ascii: ":") else { return nil }
            return matches(prefix, endingAt: start - 1)
        }
        func skipSpaceBackwards(from i: Int) -> Int {
            var j = i
            while j > 0, XMLReader.isXMLSpace(src[j]) { j -= 1 }
            return j
        }
        /// Whether `src[from..<to]` is white space, at least one byte of it.
        func separated(_ from: Int, _ to: Int) -> Bool {
            guard from < to else { return false }
            for i in from..<to where !XMLReader.isXMLSpace(src[i]) { return false }
            return true
        }
        var firstName = limit
        var previousEnd = -1  // just past the previous attribute's closing quote
        if count > 0 {
            guard let attributes else { return nil }
            for k in 0..<count {
                guard let name = attributes[5 * k], let begin = attributes[5 * k + 3], let end = attributes[5 * k + 4],
                      bufferStart <= begin, begin <= end, end <= cur
                else { return nil }
                let valueStart = limit - begin.distance(to: cur)
                let valueEnd = valueStart + begin.distance(to: end)
                guard valueStart >= 4, valueEnd < limit else { return nil }
                let quote = src[valueEnd]
                guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"), src[valueStart - 1] == quote else { return nil }
                let equals = skipSpaceBackwards(from: valueStart - 2)
                guard src[equals] == UInt8(ascii: "=") else { return nil }
                let nameEnd = skipSpaceBackwards(from: equals - 1) + 1
                guard let nameStart = spelled(name, attributes[5 * k + 1], endingAt: nameEnd),
                      k == 0 ? XMLReader.isXMLSpace(src[nameStart - 1]) : separated(previousEnd, nameStart)
                else { return nil }
                if k == 0 { firstName = nameStart }
                document.appendAttribute(name: nameStart..<nameEnd, value: valueStart..<valueEnd, decodedValue: nil)
                previousEnd = valueEnd + 1
            }
            // What follows the last attribute up to `>` or `/>` is white space.
            if previousEnd < limit, !separated(previousEnd, limit) { return nil }
        }
        guard let nameStart = spelled(local, prefix, endingAt: skipSpaceBackwards(from: firstName - 1) + 1),
              src[nameStart - 1] == UInt8(ascii: "<")
        else { return nil }
        return nameStart - 1
    }

    /// Whether scanning the tag at `start` finds the attributes `attributesInPlace` placed.
    private func scannerAgrees(start: Int, limit: Int) -> Bool {
        var scanned: [TagScanner.ScannedAttribute] = []
        guard TagScanner.scanStartTag(bytes, from: start, to: limit, attributes: &scanned) != nil else { return false }
        let placed = document.unclaimedAttributeRanges
        return scanned.count == placed.count
            && zip(scanned, placed).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The element name `prefix:local` as a string, once per name and document.
    private mutating func elementName(_ local: UnsafePointer<xmlChar>, _ prefix: UnsafePointer<xmlChar>?) -> String {
        let slot = Int(truncatingIfNeeded: UInt(bitPattern: local) >> 3) & (names.count - 1)
        if names[slot].local == local, names[slot].prefix == prefix { return names[slot].name }
        let localName = String(cString: local)
        let name = prefix.map { String(cString: $0) + ":" + localName } ?? localName
        names[slot] = (local, prefix, name)
        return name
    }

    private mutating func endElement() {
        guard refusal == nil else { return }
        guard let k = document.innermostOpen else { return lostTrack("start tag of an element") }
        let afterStartTag = document.startTag(k).upperBound
        var endTag = afterStartTag..<afterStartTag
        if !document.isSelfClosing(k) {
            guard let end = cursor, end >= 2, bytes[end - 1] == UInt8(ascii: ">") else {
                return lostTrack("end tag of <\(document.name(k))>")
            }
            var start = end - 2
            while start >= afterStartTag, bytes[start] != UInt8(ascii: "<") { start -= 1 }
            guard start >= afterStartTag, bytes[start + 1] == UInt8(ascii: "/") else {
                return lostTrack("end tag of <\(document.name(k))>")
            }
            endTag = start..<end
        }
        document.close(endTag: endTag)
    }

    private mutating func characters(_ ch: UnsafePointer<xmlChar>?, _ length: Int) {
        guard refusal == nil, let k = document.innermostOpen, let ch, length > 0 else { return }
        let chunk = UnsafeBufferPointer(start: ch, count: length)
        // Indentation between child elements comes as whitespace-only chunks before any other
        // text: not kept (`XMLElement.text`), which spares a string per element.
        if document.hasNoText(k) && chunk.allSatisfy(XMLReader.isXMLSpace) { return }
        document.appendText(String(decoding: chunk, as: UTF8.self), to: k)
    }

    private mutating func refuseDocumentType() {
        var offset = cursor
        if let end = offset {
            // Report the `<!DOCTYPE` itself: the last one before the cursor.
            let keyword = Array("<!DOCTYPE".utf8)
            var i = end - keyword.count
            while i >= 0, !bytes[i...].starts(with: keyword) { i -= 1 }
            if i >= 0 { offset = i }
        }
        stop(XMLReadError("document type declarations are not accepted in domain XML", offset: offset))
    }

    private mutating func record(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var text = error.message.map { String(cString: $0) } ?? ""
        // libxml2 messages end in a newline and sometimes carry a second, byte-dump line.
        text = String(text.split(separator: "\n").first ?? "")
        while text.last == " " { text.removeLast() }
        if text.isEmpty { text = "XML error \(error.code)" }
        let readError = XMLReadError(text, offset: cursor)
        if error.level == XML_ERR_FATAL, firstFatal == nil { firstFatal = readError }
        if firstError == nil { firstError = readError }
    }

    // MARK: Name matching

    /// Whether the value `bytes[range]` changes when decoded: it holds a reference (`&`) or a
    /// tab or line break, which become a space.
    private func needsDecoding(_ range: Range<Int>) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            for i in range {
                let c = b[i]
                if c == UInt8(ascii: "&") || c == 0x09 || c == 0x0A || c == 0x0D { return true }
            }
            return false
        }
    }

    /// For `xmlns` / `xmlns:p`: the range of `p` (empty for the default namespace); else nil.
    private func namespacePrefix(_ name: Range<Int>) -> Range<Int>? {
        // Byte by byte: this runs for every attribute.
        guard name.count >= 5, bytes[name.lowerBound] == UInt8(ascii: "x"), bytes[name.lowerBound + 1] == UInt8(ascii: "m"),
              bytes[name.lowerBound + 2] == UInt8(ascii: "l"), bytes[name.lowerBound + 3] == UInt8(ascii: "n"),
              bytes[name.lowerBound + 4] == UInt8(ascii: "s")
        else { return nil }
        if name.count == 5 { return name.upperBound..<name.upperBound }
        guard bytes[name.lowerBound + 5] == UInt8(ascii: ":") else { return nil }
        return (name.lowerBound + 6)..<name.upperBound
    }

    /// Whether `bytes[name]` spells `prefix:local` (or `local` without a prefix). With
    /// `allowNil`, a nil `local` stands for the empty name.
    private func matches(
        _ name: Range<Int>, prefix: UnsafePointer<xmlChar>?, local: UnsafePointer<xmlChar>?, allowNil: Bool = false
    ) -> Bool {
        var i = name.lowerBound
        func consume(_ cString: UnsafePointer<xmlChar>) -> Bool {
            var p = cString
            while p.pointee != 0 {
                guard i < name.upperBound, bytes[i] == p.pointee else { return false }
                i += 1
                p += 1
            }
            return true
        }
        if let prefix {
            guard consume(prefix), i < name.upperBound, bytes[i] == UInt8(ascii: ":") else { return false }
            i += 1
        }
        if let local {
            guard consume(local) else { return false }
        } else if !allowNil {
            return false
        }
        return i == name.upperBound
    }
}
