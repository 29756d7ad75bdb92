/// One file's elements copied into another file: `attach` puts the device elements of a
/// device file into a domain's `<devices>` and plans the result as one definition.
///
/// The splice remembers where every copied line came from, so a diagnostic about a copied
/// element still points into the device file, and one about the rest of the domain into the
/// domain file at its original offset.
public struct SourceSplice: Sendable {
    /// The domain with the elements inserted; it carries the domain file's name.
    public let combined: SourceFile
    /// Where the inserted text starts and ends in `combined`.
    public let inserted: Range<Int>
    /// Each inserted element's range in `combined`.
    public let elements: [Range<Int>]
    /// The file the elements were copied from.
    public let source: SourceFile
    private let lines: [Line]

    private struct Line: Sendable {
        /// Offset of the line's first byte in `combined`.
        var combinedStart: Int
        /// Offset in `source` that the first byte after the added prefix came from.
        var sourceStart: Int
        /// Bytes of indentation the splice added in front of the copied text.
        var addedPrefix: Int
    }

    /// Inserts `ranges` of `source` (whole elements, in order) into `target` at `offset`, one
    /// element after another, each on its own lines, indented by `indent`. Continuation lines
    /// keep their indentation relative to the element's first line. `offset` must be a line
    /// start, so the text after it starts a line of its own.
    public init(inserting ranges: [Range<Int>], of source: SourceFile, into target: SourceFile, at offset: Int, indent: String) {
        var out: [UInt8] = Array(target.bytes[..<offset])
        var lines: [Line] = []
        var elements: [Range<Int>] = []
        let indentBytes = Array(indent.utf8)
        for r in ranges {
            let baseColumn = source.lineColumn(of: r.lowerBound).column - 1
            var p = r.lowerBound
            var first = true
            var elementStart = 0
            while p < r.upperBound {
                var lineEnd = p
                while lineEnd < r.upperBound && source.bytes[lineEnd] != 0x0A { lineEnd += 1 }
                var textStart = p
                if !first {
                    // drop up to baseColumn blanks of the original indentation
                    var dropped = 0
                    while dropped < baseColumn, textStart < lineEnd,
                          source.bytes[textStart] == UInt8(ascii: " ") || source.bytes[textStart] == UInt8(ascii: "\t")
                    {
                        textStart += 1
                        dropped += 1
                    }
                }
                lines.append(Line(combinedStart: out.count, sourceStart: textStart, addedPrefix: indentBytes.count))
                out += indentBytes
                if first { elementStart = out.count }
                out += source.bytes[textStart..<lineEnd]
                if lineEnd >= r.upperBound { elements.append(elementStart..<out.count) }
                out.append(0x0A)
                p = lineEnd + 1
                first = false
            }
        }
        let insertedEnd = out.count
        out += target.bytes[offset...]
        self.combined = SourceFile(name: target.name, bytes: out)
        self.inserted = offset..<insertedEnd
        self.elements = elements
        self.source = source
        self.lines = lines
    }

    /// Maps a range in `combined` back to the file it came from.
    public func original(_ r: SourceRange) -> SourceRange {
        guard r.file == combined.name else { return r }
        func map(_ o: Int) -> (file: String, offset: Int) {
            if o < inserted.lowerBound { return (combined.name, o) }
            if o >= inserted.upperBound { return (combined.name, o - inserted.count) }
            var lo = 0
            var hi = lines.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lines[mid].combinedStart <= o { lo = mid } else { hi = mid - 1 }
            }
            let line = lines[lo]
            return (source.name, line.sourceStart + max(0, o - line.combinedStart - line.addedPrefix))
        }
        let (file, start) = map(r.start)
        let (endFile, end) = map(r.end)
        return SourceRange(file: file, start: start, end: endFile == file ? max(start, end) : start)
    }

    /// The diagnostic with its ranges, notes' and fix-its' ranges mapped back.
    public func original(_ d: Diagnostic) -> Diagnostic {
        var d = d
        d.range = d.range.map(original)
        d.notes = d.notes.map { n in
            var n = n
            n.range = n.range.map(original)
            return n
        }
        d.fixIts = d.fixIts.map { f in
            var f = f
            f.range = f.range.map(original)
            return f
        }
        return d
    }
}
