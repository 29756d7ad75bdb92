extension Pipeline {
    /// The outcome of `check --fix` on one file.
    public struct FixOutcome: Sendable {
        /// The file with every applicable fix-it applied; nil when none applied.
        public var fixed: [UInt8]?
        /// The fix-its applied, in file order.
        public var applied: [FixIt]
    }

    /// `check --fix`: applies the machine-applicable fix-its `check` finds — each one that names
    /// a range of this file and its replacement — in one pass, skipping any that overlaps one
    /// already taken (the next run finds it again if it still applies). Fix-its without a
    /// replacement are advice for a person and are never applied.
    public static func fix(_ file: SourceFile, options: PlanOptions = PlanOptions()) -> FixOutcome {
        let edits = check(file, options: options).flatMap(\.fixIts).compactMap { f -> (FixIt, Range<Int>, String)? in
            guard let r = f.range, r.file == file.name, let replacement = f.replacement,
                  r.start <= r.end, r.end <= file.bytes.count else { return nil }
            return (f, r.start..<r.end, replacement)
        }.sorted { ($0.1.lowerBound, $0.1.upperBound) < ($1.1.lowerBound, $1.1.upperBound) }
        var taken: [(FixIt, Range<Int>, String)] = []
        for e in edits {
            if let last = taken.last, last.1.upperBound > e.1.lowerBound || (last.1 == e.1) { continue }
            taken.append(e)
        }
        guard !taken.isEmpty else { return FixOutcome(fixed: nil, applied: []) }
        return FixOutcome(fixed: XMLEdit.apply(taken.map { XMLEdit($0.1, $0.2) }, to: file.bytes), applied: taken.map(\.0))
    }
}
