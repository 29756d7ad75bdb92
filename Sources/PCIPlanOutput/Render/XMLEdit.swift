import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// A byte-range replacement on the original file. The writer never re-serialises the
/// document: every byte outside the edits stays as it was.
public struct XMLEdit: Sendable, Hashable {
    /// The bytes of the original file to replace; an empty range inserts.
    public var range: Range<Int>
    /// The UTF-8 bytes written instead.
    public var replacement: [UInt8]

    /// Replace the bytes `range` with the UTF-8 of `replacement`.
    public init(_ range: Range<Int>, _ replacement: String) {
        self.range = range
        self.replacement = Array(replacement.utf8)
    }

    /// Replace the bytes `range` with `replacement`.
    public init(_ range: Range<Int>, _ replacement: ByteText) {
        self.range = range
        self.replacement = replacement.bytes
    }

    /// Applies non-overlapping edits; insertions at the same offset keep their given order.
    public static func apply(_ edits: [XMLEdit], to bytes: [UInt8]) -> [UInt8] {
        let sorted = edits.enumerated().sorted {
            ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset)
        }.map(\.element)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + sorted.reduce(0) { $0 + $1.replacement.count })
        var pos = 0
        for e in sorted {
            let start = max(e.range.lowerBound, pos)
            out.append(contentsOf: bytes[pos..<start])
            out.append(contentsOf: e.replacement)
            pos = max(pos, e.range.upperBound)
        }
        out.append(contentsOf: bytes[pos...])
        return out
    }
}
