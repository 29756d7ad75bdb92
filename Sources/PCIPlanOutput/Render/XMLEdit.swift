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

    init(_ range: Range<Int>, bytes: [UInt8]) {
        self.range = range
        self.replacement = bytes
    }

    /// Applies non-overlapping edits; insertions at the same offset keep their given order.
    public static func apply(_ edits: [XMLEdit], to bytes: [UInt8]) -> [UInt8] {
        var list = EditList()
        for e in edits { list.append(e) }
        return list.apply(to: bytes)
    }
}

/// Edits whose replacements are written one after another into one buffer (`text`), each
/// closed by `commit`: the writer of a 4,000-device plan made an array per edit (4,000 of
/// them, a ninth of the plan's peak heap) and an `XMLEdit` list besides.
struct EditList {
    /// Every replacement so far, in the order committed; what follows the last commit is the
    /// next one's, being written.
    var text = ByteText()
    /// One edit: its range in the file and where its replacement ends in `text` (it starts
    /// where the previous one ends). Plain integers: an array of a tuple holding a `Range` had
    /// its type made at run time on first use, which looked up `Int`'s conformances (0.15 M
    /// instructions, 3 % of a small `plan` process).
    struct Entry {
        var lower: Int
        var upper: Int
        var end: Int
        var range: Range<Int> { lower..<upper }
    }

    private(set) var entries: [Entry] = []

    /// The storage of the last list a thread recycled, for its next one (`ThreadSpare`: a
    /// 4,000-device plan's edits are half a megabyte).
    private static let spareEntries = ThreadSpare<[Entry]>()
    private static let spareText = ThreadSpare<[UInt8]>()

    init(capacity: Int = 0) {
        guard capacity > 0 else { return }
        entries = EditList.spareEntries.takeArray(reserving: capacity)
        text.bytes = EditList.spareText.takeArray(reserving: capacity * 96)
    }

    /// Hands the list's storage to the next list made on this thread.
    consuming func recycle() {
        EditList.spareEntries.putArray(entries)
        EditList.spareText.putArray(text.bytes)
    }

    /// Ends an edit: the bytes of `range` are replaced by the text written since the last commit.
    mutating func commit(_ range: Range<Int>) {
        entries.append(Entry(lower: range.lowerBound, upper: range.upperBound, end: text.bytes.count))
    }

    /// Replace `range` with `replacement`.
    mutating func append(_ range: Range<Int>, _ replacement: ByteText) {
        text.bytes.append(contentsOf: replacement.bytes)
        commit(range)
    }

    mutating func append(_ edit: XMLEdit) {
        text.bytes.append(contentsOf: edit.replacement)
        commit(edit.range)
    }

    var count: Int { entries.count }

    /// Where edit `k`'s replacement is in `text`.
    func textRange(_ k: Int) -> Range<Int> { (k == 0 ? 0 : entries[k - 1].end)..<entries[k].end }

    /// The edits as values.
    var edits: [XMLEdit] {
        entries.indices.map { k in XMLEdit(entries[k].range, bytes: Array(text.bytes[textRange(k)])) }
    }

    /// The same edits with every replacement passed through `transform`.
    func mapReplacements(_ transform: (ArraySlice<UInt8>) -> ByteText) -> EditList {
        var out = EditList(capacity: count)
        for k in entries.indices { out.append(entries[k].range, transform(text.bytes[textRange(k)])) }
        return out
    }

    /// Applies the non-overlapping edits to `bytes`; insertions at the same offset keep their
    /// committed order.
    func apply(to bytes: [UInt8]) -> [UInt8] {
        // Positions, not edits, are sorted: the writer's edits come mostly in file order.
        var sorted = true
        for k in entries.indices.dropFirst() where entries[k].lower < entries[k - 1].lower {
            sorted = false
            break
        }
        let order = sorted ? Array(entries.indices)
            : entries.indices.sorted { (entries[$0].lower, $0) < (entries[$1].lower, $1) }
        // Where each piece goes is known up front: the output is made at its final size and
        // filled by copying stretches.
        var size = 0
        var pos = 0
        for k in order {
            let e = entries[k]
            size += max(e.lower, pos) - pos + textRange(k).count
            pos = max(pos, e.upper)
        }
        size += bytes.count - pos
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            bytes.withUnsafeBufferPointer { source in
                text.bytes.withUnsafeBufferPointer { replacements in
                    var at = 0
                    func copy(_ from: UnsafeBufferPointer<UInt8>) {
                        guard let base = from.baseAddress, !from.isEmpty else { return }
                        (out.baseAddress! + at).initialize(from: base, count: from.count)
                        at += from.count
                    }
                    var pos = 0
                    for k in order {
                        let start = max(entries[k].lower, pos)
                        copy(UnsafeBufferPointer(rebasing: source[pos..<start]))
                        copy(UnsafeBufferPointer(rebasing: replacements[textRange(k)]))
                        pos = max(pos, entries[k].upper)
                    }
                    copy(UnsafeBufferPointer(rebasing: source[pos...]))
                    count = at
                }
            }
        }
    }
}
