import CLibXML2

/// Why an input could not be read as XML. Every case is one clear, user-facing message.
public struct XMLReadError: Error, Sendable, Hashable {
    /// The user-facing reason, as printed after `error:` (`input is not valid UTF-8`).
    public var message: String
    /// Byte offset of the problem when libxml2 told us one.
    public var offset: Int?
    /// A read failure saying `message`, at byte `offset` when known.
    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }
}

/// Reads a document through libxml2, keeping the byte range of every element and attribute.
///
/// libxml2 runs in SAX2 mode over an in-memory parser context (see `XMLReader+SAX.swift`);
/// the callbacks take the parser's byte cursor and scan the original bytes around it to find
/// the exact extent of tags and attributes. Before libxml2 sees anything the input is checked
/// here: size limit, strict UTF-8 (libxml2 would otherwise auto-detect UTF-16 or honour a
/// declared legacy encoding, which would break byte offsets). Document type declarations are
/// refused from the SAX callbacks before any entity is declared or expanded, and no external
/// resource is ever loaded.
public enum XMLReader {
    /// Largest input accepted; domain XML of thousands of devices stays far below this.
    public static let maximumSize = 32 * 1024 * 1024
    /// Most attributes one element may have. libvirt's elements have a handful; libxml2
    /// compares each attribute of a start tag with every earlier one, so 10^6 took minutes.
    public static let maximumAttributes = 1024

    /// Stage 1 of the pipeline: the root element of `file`, with the byte ranges of every element
    /// and attribute. Throws `XMLReadError` for input that is too large, empty, not UTF-8, not
    /// well-formed, or has a document type declaration.
    public static func parse(_ file: SourceFile) throws(XMLReadError) -> XMLElement {
        let bytes = file.bytes
        if bytes.count > maximumSize {
            throw XMLReadError("file is larger than the \(maximumSize / (1024 * 1024)) MiB limit")
        }
        if bytes.isEmpty {
            // libxml2's wording; its memory context refuses a zero-length buffer outright.
            throw XMLReadError("Document is empty", offset: 0)
        }
        if let bad = firstInvalidUTF8Offset(bytes) {
            throw XMLReadError("input is not valid UTF-8", offset: bad)
        }
        // NUL is valid UTF-8 but never XML; in the first bytes it is how libxml2 recognises
        // UTF-16/UCS-4 without a byte order mark.
        if let nul = bytes.prefix(4).firstIndex(of: 0) {
            throw XMLReadError("input is not valid UTF-8", offset: nul)
        }
        if let (name, offset) = declaredEncoding(bytes) {
            let upper = name.uppercased()
            if !["UTF-8", "UTF8", "US-ASCII", "ASCII"].contains(upper) {
                throw XMLReadError("input is not valid UTF-8 (declared encoding \"\(name)\")", offset: offset)
            }
        }
        if let crowded = TagScanner.firstCrowdedStartTag(bytes, limit: maximumAttributes) {
            throw XMLReadError(
                "element <\(crowded.name)> has \(crowded.count) attributes, more than the \(maximumAttributes) accepted (libvirt's elements have a handful)",
                offset: crowded.offset)
        }
        return try SAXTreeBuilder.build(bytes)
    }

    /// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence
    /// (no overlongs, no surrogates, nothing above U+10FFFF), or nil if all of it is UTF-8.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            let n = b.count
            var i = 0
            guard let base = b.baseAddress else { return nil }
            let raw = UnsafeRawPointer(base)
            while i < n {
                // ASCII (nearly all of a domain) eight bytes at a time.
                while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
                guard i < n else { break }
                let c = b[i]
                if c < 0x80 {
                    i += 1
                    continue
                }
                var lo: UInt8 = 0x80
                var hi: UInt8 = 0xBF
                let trailing: Int
                switch c {
                case 0xC2...0xDF: trailing = 1
                case 0xE0: trailing = 2; lo = 0xA0
                case 0xE1...0xEC, 0xEE, 0xEF: trailing = 2
                case 0xED: trailing = 2; hi = 0x9F
                case 0xF0: trailing = 3; lo = 0x90
                case 0xF1...0xF3: trailing = 3
                case 0xF4: trailing = 3; hi = 0x8F
                default: return i
                }
                if i + trailing >= n { return i }
                if b[i + 1] < lo || b[i + 1] > hi { return i }
                var k = 2
                while k <= trailing {
                    if b[i + k] & 0xC0 != 0x80 { return i }
                    k += 1
                }
                i += trailing + 1
            }
            return nil
        }
    }

    /// The `encoding` pseudo-attribute of the XML declaration and the offset of its value.
    static func declaredEncoding(_ bytes: [UInt8]) -> (String, Int)? {
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard bytes[i...].starts(with: Array("<?xml".utf8)), i + 5 < bytes.count,
              isXMLSpace(bytes[i + 5])
        else { return nil }
        i += 5
        let keyword = Array("encoding".utf8)
        while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "?") && bytes[i + 1] == UInt8(ascii: ">")) {
            guard bytes[i...].starts(with: keyword) else {
                i += 1
                continue
            }
            var j = skipSpaces(bytes, i + keyword.count)
            guard j < bytes.count, bytes[j] == UInt8(ascii: "=") else { return nil }
            j = skipSpaces(bytes, j + 1)
            guard j < bytes.count, bytes[j] == UInt8(ascii: "'") || bytes[j] == UInt8(ascii: "\"") else {
                return nil
            }
            let quote = bytes[j]
            guard let end = bytes[(j + 1)...].firstIndex(of: quote) else { return nil }
            return (String(decoding: bytes[(j + 1)..<end], as: UTF8.self), j + 1)
        }
        return nil
    }

    static func isXMLSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    static func skipSpaces(_ bytes: [UInt8], _ from: Int) -> Int {
        var i = from
        while i < bytes.count, isXMLSpace(bytes[i]) { i += 1 }
        return i
    }
}
