#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The bytes of one input file and the means to turn byte offsets into line:column.
///
/// Positions are kept as byte offsets everywhere (as swift-syntax does) and become
/// `line:column` only when a diagnostic is printed. Columns count bytes, 1-based, like
/// compilers do.
public struct SourceFile: Sendable, Hashable {
    /// The name diagnostics print (`vm.xml`, `<stdin>`).
    public let name: String
    /// The exact bytes read; the XML writer edits a copy of these and nothing else.
    public let bytes: [UInt8]
    /// Byte offset at which each line starts, in 32 bits (a 4,000-device domain has 21,000
    /// lines); empty for a file past 4 GiB, whose lines are counted when asked.
    private let lineStarts: [UInt32]

    /// A file named `name` (as diagnostics print it) holding exactly `bytes`.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        self.lineStarts = Self.lineStarts(bytes)
    }

    /// A file whose bytes are the UTF-8 encoding of `text`; convenient for tests and examples.
    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// 1-based line and column of a byte offset.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        if lineStarts.isEmpty { return Self.countedLineColumn(bytes, offset) }
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(lineStarts[mid]) <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - Int(lineStarts[lo]) + 1)
    }

    /// `lineColumn` without a table: the line feeds before `offset` counted.
    static func countedLineColumn(_ bytes: [UInt8], _ offset: Int) -> (line: Int, column: Int) {
        let end = max(0, min(offset, bytes.count))
        var line = 1, start = 0
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            start = i + 1
        }
        return (line, offset - start + 1)
    }

    /// Where each line starts: 0 and the offset after every line feed. From one line feed to
    /// the next with `memchr` (a domain's lines are a few dozen bytes long; byte by byte this
    /// was a seventh of libxml2's parse of the same file, eight bytes at a time still a
    /// fourteenth).
    private static func lineStarts(_ bytes: [UInt8]) -> [UInt32] {
        guard bytes.count <= Int(UInt32.max) else { return [] }
        var starts: [UInt32] = [0]
        starts.reserveCapacity(bytes.count / 24 + 1)
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var i = 0
            while i < buf.count, let found = memchr(base + i, 0x0A, buf.count - i) {
                i = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found)) + 1
                starts.append(UInt32(truncatingIfNeeded: i))
            }
        }
        return starts
    }

    /// The whitespace that starts the line holding `offset` (used to indent inserted lines).
    public func indentation(ofLineContaining offset: Int) -> String {
        bytes.utf8Text(indentationRange(ofLineContaining: offset))
    }

    /// Where the whitespace that starts the line holding `offset` lies.
    public func indentationRange(ofLineContaining offset: Int) -> Range<Int> {
        // Back to the line feed before `offset`: shorter than a search of every line start.
        // (Through a buffer pointer: the writer asks this for every device it edits.)
        bytes.withUnsafeBufferPointer { b -> Range<Int> in
            var start = max(0, min(offset, b.count))
            while start > 0, b[start - 1] != 0x0A { start -= 1 }
            var i = start
            while i < b.count, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "\t") { i += 1 }
            return start..<i
        }
    }

    /// Text of a byte range (lossy only for invalid UTF-8, which the reader refuses earlier).
    public func text(_ range: Range<Int>) -> String {
        bytes.utf8Text(range)
    }
}

extension [UInt8] {
    /// The text of `self[range]`, as UTF-8 (lossy only for invalid UTF-8). Through a buffer
    /// pointer: from an array slice, building the string takes a slower, generic path.
    ///
    /// Up to 15 bytes (nearly every attribute value) the string is built in place: a small
    /// string of ASCII bytes needs no validation, where `String(decoding:as:)` validates every
    /// time (it was half the cost of reading an attribute).
    func utf8Text(_ range: Range<Int>) -> String {
        withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[range])
            guard let source = bytes.baseAddress, bytes.count <= 15 else { return String(decoding: bytes, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: bytes.count) { target in
                target.baseAddress?.initialize(from: source, count: bytes.count)
                return bytes.count
            }
        }
    }
}

/// A byte range in a named file.
public struct SourceRange: Sendable, Hashable, Codable {
    /// The `SourceFile.name` of the file the range is in.
    public var file: String
    /// Byte offset of the first byte.
    public var start: Int
    /// Byte offset just past the last byte (equal to `start` for a position).
    public var end: Int

    /// The bytes `start..<end` of the file named `file`.
    public init(file: String, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// The start tag of `element` in the file named `file`: where a diagnostic about an
    /// element points.
    package init(file: String, startTagOf element: XMLElement) {
        self.init(file: file, start: element.startTag.lowerBound, end: element.startTag.upperBound)
    }
}
