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
        // Positions, not edits, are sorted: the writer's edits come mostly in file order, and
        // sorting copies of them retained and released every replacement twice.
        var sorted = true
        var added = 0
        for k in edits.indices {
            if k > 0 && edits[k].range.lowerBound < edits[k - 1].range.lowerBound { sorted = false }
            added += edits[k].replacement.count
        }
        let order = sorted ? Array(edits.indices)
            : edits.indices.sorted { (edits[$0].range.lowerBound, $0) < (edits[$1].range.lowerBound, $1) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + added)
        var pos = 0
        for k in order {
            let e = edits[k]
            let start = max(e.range.lowerBound, pos)
            out.append(contentsOf: bytes[pos..<start])
            out.append(contentsOf: e.replacement)
            pos = max(pos, e.range.upperBound)
        }
        out.append(contentsOf: bytes[pos...])
        return out
    }
}
