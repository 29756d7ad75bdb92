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
        for k in edits.indices.dropFirst() where edits[k].range.lowerBound < edits[k - 1].range.lowerBound {
            sorted = false
            break
        }
        let order = sorted ? Array(edits.indices)
            : edits.indices.sorted { (edits[$0].range.lowerBound, $0) < (edits[$1].range.lowerBound, $1) }
        // Where each piece goes is known up front: the output is made at its final size and
        // filled by copying stretches (appending a slice at a time went through the generic
        // sequence path, and every edit was copied out of the array first).
        var size = 0
        var pos = 0
        for k in order {
            let r = edits[k].range
            size += max(r.lowerBound, pos) - pos + edits[k].replacement.count
            pos = max(pos, r.upperBound)
        }
        size += bytes.count - pos
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            bytes.withUnsafeBufferPointer { source in
                var at = 0
                func copy(_ from: UnsafeBufferPointer<UInt8>) {
                    guard let base = from.baseAddress, !from.isEmpty else { return }
                    (out.baseAddress! + at).initialize(from: base, count: from.count)
                    at += from.count
                }
                var pos = 0
                for k in order {
                    let start = max(edits[k].range.lowerBound, pos)
                    copy(UnsafeBufferPointer(rebasing: source[pos..<start]))
                    edits[k].replacement.withUnsafeBufferPointer { copy($0) }
                    pos = max(pos, edits[k].range.upperBound)
                }
                copy(UnsafeBufferPointer(rebasing: source[pos...]))
                count = at
            }
        }
    }
}
