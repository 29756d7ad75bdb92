extension Pipeline {
    /// The outcome of `explain`: the explanations (nil when planning failed) and diagnostics.
    public struct ExplainOutcome: Sendable {
        /// The planned domain; nil when planning failed.
        public var planned: PlannedDomain?
        /// One explanation per device shown; nil when planning failed.
        public var explanations: [DeviceExplanation]?
        /// Everything loading and planning reported.
        public var diagnostics: [Diagnostic]
    }

    /// `explain`: plans the file, then says for every device and controller (or the one
    /// `device` names: alias, disk target, MAC or address) where it is and which rule put it there.
    /// With `keeping`, the file is planned as `plan FILE --keep OLD` plans it, and each kept
    /// device says which device of OLD it is and which pairing rule matched them.
    public static func explain(_ file: SourceFile, device: String? = nil, keeping old: SourceFile? = nil,
                               options: PlanOptions = PlanOptions()) -> ExplainOutcome
    {
        let o = old.map { plan(file, keeping: $0, options: options) } ?? plan(file, options: options)
        guard let p = o.planned else { return ExplainOutcome(planned: nil, explanations: nil, diagnostics: o.diagnostics) }
        var all = Explainer.explain(p, options: options, including: device.map { id in { Explainer.matches(p, $0, id) } })
        if let device { all = all.filter { Explainer.matches(p, $0.index, device) } }
        return ExplainOutcome(planned: p, explanations: all, diagnostics: o.diagnostics)
    }
}
