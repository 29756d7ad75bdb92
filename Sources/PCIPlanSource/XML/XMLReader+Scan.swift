#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte-level scanning of tags that libxml2 has already checked for well-formedness; used only
/// to recover the byte ranges libxml2's SAX interface does not report.
enum TagScanner {
    struct ScannedAttribute {
        var name: Range<Int>
        var value: Range<Int>
    }

    /// Name and attributes of the start tag `bytes[tagStart..<limit]`, where `tagStart` is the
    /// `<` and `limit` is the `>` or the `/` of `/>`. Nil if the bytes do not look like one.
    /// The attributes go into `attributes` (emptied first), which the caller keeps from one tag
    /// to the next so that scanning allocates nothing.
    static func scanStartTag(_ bytes: [UInt8], from tagStart: Int, to limit: Int,
                             attributes: inout [ScannedAttribute]) -> Range<Int>?
    {
        attributes.removeAll(keepingCapacity: true)
        guard tagStart < limit, limit <= bytes.count, bytes[tagStart] == UInt8(ascii: "<") else { return nil }
        var i = tagStart + 1
        while i < limit, !XMLReader.isXMLSpace(bytes[i]) { i += 1 }
        let name = (tagStart + 1)..<i
        guard !name.isEmpty else { return nil }
        while true {
            while i < limit, XMLReader.isXMLSpace(bytes[i]) { i += 1 }
            if i >= limit { break }
            let nameStart = i
            while i < limit, bytes[i] != UInt8(ascii: "="), !XMLReader.isXMLSpace(bytes[i]) { i += 1 }
            let nameEnd = i
            while i < limit, XMLReader.isXMLSpace(bytes[i]) { i += 1 }
            guard nameStart < nameEnd, i < limit, bytes[i] == UInt8(ascii: "=") else { return nil }
            i += 1
            while i < limit, XMLReader.isXMLSpace(bytes[i]) { i += 1 }
            guard i < limit, bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "\"") else { return nil }
            let quote = bytes[i]
            let valueStart = i + 1
            i = valueStart
            while i < limit, bytes[i] != quote { i += 1 }
            guard i < limit else { return nil }
            attributes.append(ScannedAttribute(name: nameStart..<nameEnd, value: valueStart..<i))
            i += 1
        }
        return name
    }

    /// The first start tag with more than `limit` attributes: the offset of its `<`, its name
    /// and how many it has. Runs before libxml2, whose check for duplicate attributes compares
    /// each one with every earlier one. Counts `=` outside quoted values; comments, CDATA
    /// sections, processing instructions, declarations and end tags are skipped. One pass;
    /// malformed input may be miscounted, and libxml2 then reports what is wrong with it.
    static func firstCrowdedStartTag(_ bytes: [UInt8], limit: Int) -> (offset: Int, name: String, count: Int)? {
        // A start tag with more than `limit` attributes has more than `limit` `=` between two
        // `<`, so more than `limit` bytes: where no stretch is that long or none that long has
        // that many `=`, none is crowded, and the exact scan below is not needed. From `<` to
        // `<` with `memchr`: a domain's tags and texts are a few dozen bytes long.
        let mayBeCrowded = bytes.withUnsafeBufferPointer { b -> Bool in
            guard let base = b.baseAddress else { return false }
            var from = 0
            while from < b.count {
                let next = memchr(base + from, 0x3C, b.count - from)
                    .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? b.count
                if next - from > limit {
                    var equals = 0
                    for i in from..<next where b[i] == 0x3D { equals += 1 }
                    if equals > limit { return true }
                }
                from = next + 1
            }
            return false
        }
        guard mayBeCrowded else { return nil }
        return bytes.withUnsafeBufferPointer { b -> (offset: Int, name: String, count: Int)? in
            let n = b.count
            func starts(_ prefix: StaticString, at i: Int) -> Bool {
                let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
                return i + p.count <= n && (0..<p.count).allSatisfy { b[i + $0] == p[$0] }
            }
            func past(_ terminator: StaticString, from i: Int) -> Int {
                let first = terminator.utf8Start.pointee
                var j = i
                while j < n {
                    if b[j] == first, starts(terminator, at: j) { return j + terminator.utf8CodeUnitCount }
                    j += 1
                }
                return n
            }
            // Constants, not UInt8(ascii:) calls: this loop sees every byte of the input.
            let lt: UInt8 = 0x3C, gt: UInt8 = 0x3E, equals: UInt8 = 0x3D, apostrophe: UInt8 = 0x27, quotation: UInt8 = 0x22
            var i = 0
            while i < n {
                guard b[i] == lt else {
                    i += 1
                    continue
                }
                if starts("<!--", at: i) {
                    i = past("-->", from: i + 4)
                } else if starts("<![CDATA[", at: i) {
                    i = past("]]>", from: i + 9)
                } else if starts("<?", at: i) {
                    i = past("?>", from: i + 2)
                } else if starts("<!", at: i) || starts("</", at: i) {
                    i = past(">", from: i + 2)
                } else {
                    var j = i + 1, count = 0, quote: UInt8 = 0
                    while j < n {
                        let c = b[j]
                        if quote != 0 {
                            if c == quote { quote = 0 }
                        } else if c == apostrophe || c == quotation {
                            quote = c
                        } else if c == equals {
                            count += 1
                        } else if c == gt || c == lt {
                            break
                        }
                        j += 1
                    }
                    if count > limit {
                        var end = i + 1
                        while end < n, !XMLReader.isXMLSpace(b[end]), b[end] != UInt8(ascii: "/"), b[end] != gt { end += 1 }
                        return (i, String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<end]), as: UTF8.self), count)
                    }
                    i = j < n && b[j] == gt ? j + 1 : j
                }
            }
            return nil
        }
    }

    /// Decodes a raw attribute value the way an XML processor without a DTD does: predefined
    /// entities, character references, whitespace normalised to spaces. Used only for the few
    /// namespace declarations libxml2 does not report (`xmlns:xml`, empty or invalid ones).
    static func decodeAttributeValue(_ raw: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let c = raw[i]
            if c == 0x0D {
                out.append(0x20)
                i += (i + 1 < raw.endIndex && raw[i + 1] == 0x0A) ? 2 : 1
            } else if c == 0x09 || c == 0x0A {
                out.append(0x20)
                i += 1
            } else if c == UInt8(ascii: "&"), let semicolon = raw[i...].firstIndex(of: UInt8(ascii: ";")),
                      let scalar = reference(raw[(i + 1)..<semicolon])
            {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i = semicolon + 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func reference(_ body: ArraySlice<UInt8>) -> Unicode.Scalar? {
        switch String(decoding: body, as: UTF8.self) {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "apos": return "'"
        case "quot": return "\""
        case let s where s.hasPrefix("#x"): return UInt32(s.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        case let s where s.hasPrefix("#"): return UInt32(s.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
        default: return nil
        }
    }

    /// libxml2 (with entity substitution off, as it must stay) hands `&` in attribute values
    /// back as the character reference `&#38;`; every other reference is already decoded and
    /// a literal `&` cannot remain, so turning each `&#38;` into `&` completes the decoding.
    static func libxmlAttributeValue(_ value: UnsafeBufferPointer<UInt8>) -> String {
        guard value.contains(UInt8(ascii: "&")) else { return String(decoding: value, as: UTF8.self) }
        let escape = Array("&#38;".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        while i < value.count {
            if value[i] == UInt8(ascii: "&"), i + escape.count <= value.count,
               value[i..<(i + escape.count)].elementsEqual(escape)
            {
                out.append(UInt8(ascii: "&"))
                i += escape.count
            } else {
                out.append(value[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
