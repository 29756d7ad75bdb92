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
    /// Byte offset at which each line starts.
    private let lineStarts: [Int]

    /// A file named `name` (as diagnostics print it) holding exactly `bytes`.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        var starts = [0]
        bytes.withUnsafeBufferPointer { buf in
            for i in 0..<buf.count where buf[i] == 0x0A { starts.append(i + 1) }
        }
        self.lineStarts = starts
    }

    /// A file whose bytes are the UTF-8 encoding of `text`; convenient for tests and examples.
    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// 1-based line and column of a byte offset.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo] + 1)
    }

    /// The whitespace that starts the line holding `offset` (used to indent inserted lines).
    public func indentation(ofLineContaining offset: Int) -> String {
        let (line, _) = lineColumn(of: offset)
        let start = lineStarts[line - 1]
        var i = start
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// Text of a byte range (lossy only for invalid UTF-8, which the reader refuses earlier).
    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
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
