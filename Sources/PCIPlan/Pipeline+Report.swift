extension Pipeline {
    /// `report` of one domain: `checked` (what `check` found in it) located, and when the
    /// file can be planned, its topology drawing and headroom. A domain `check` finds errors
    /// in is still drawn when `plan` can plan it (e.g. `multifunction='off'` with functions).
    public static func report(_ file: SourceFile, checked: [Diagnostic], options: PlanOptions = PlanOptions()) -> DomainReport {
        let located = CheckedFile(file, diagnostics: checked)
        guard let planned = plan(file, options: options).planned else { return DomainReport(checked: located) }
        return DomainReport(checked: located, planned: planned)
    }
}
