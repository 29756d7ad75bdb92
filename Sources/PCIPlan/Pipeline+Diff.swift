extension Pipeline {
    /// `diff`: plans both files with the same options, pairs their devices by identity and
    /// reports every guest-visible PCI change. Nothing is compared when either file cannot be
    /// planned (the diagnostics say why).
    public static func diff(old: SourceFile, new: SourceFile, options: PlanOptions = PlanOptions()) -> DiffOutcome {
        let o = plan(old, options: options)
        let n = plan(new, options: options)
        var outcome = DiffOutcome(old: old, new: new, planned: nil, changes: [], diagnostics: o.diagnostics + n.diagnostics)
        guard let op = o.planned, let np = n.planned else { return outcome }
        outcome.planned = (op, np)
        (outcome.changes, outcome.pairs) = ABIDiff.compareAndPair(old: op, new: np, options: options)
        return outcome
    }
}
