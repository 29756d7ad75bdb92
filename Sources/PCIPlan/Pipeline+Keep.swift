extension Pipeline {
    /// `plan NEW --keep OLD`: plans OLD, then plans NEW so that every device it shares with OLD
    /// (paired by identity, as `diff` pairs them) keeps OLD's address and multifunction bit, and
    /// every PCI controller OLD had — including the ones libvirt added — stays with its index,
    /// model, address and options. Only devices new in NEW get new addresses; they can never take
    /// a kept place, because kept addresses are reserved first, as explicit ones.
    ///
    /// When a place cannot be kept (NEW puts another device on it explicitly, the bus it was on
    /// is now a different controller, the machine changed, the multifunction bit would flip)
    /// the result is nil and a `plan.cannotKeep` error names the device and the reason.
    public static func plan(_ new: SourceFile, keeping old: SourceFile, options: PlanOptions = PlanOptions()) -> PlanOutcome {
        let o = plan(old, options: options)
        guard let oldPlan = o.planned else {
            return PlanOutcome(planned: nil, diagnostics: o.diagnostics.filter { $0.severity == .error } + [
                .keepOldUnplannable(old: old.name)])
        }
        let loaded = load(new)
        guard let n = loaded.normalized else { return PlanOutcome(planned: nil, diagnostics: loaded.diagnostics) }
        var diags = loaded.diagnostics + Checker.preflight(n)
        if diags.hasErrors { return PlanOutcome(planned: nil, diagnostics: diags) }
        var keeper = Keeper(old: oldPlan, new: n)
        keeper.carryOver()
        diags += keeper.diags
        if diags.hasErrors { return PlanOutcome(planned: nil, diagnostics: diags) }
        let (planned, planDiags) = Planner.plan(keeper.new, options: options)
        diags += planDiags
        guard var planned, !diags.hasErrors else {
            diags.append(.keepRejectedByLibvirt(old: old.name, new: new.name))
            return PlanOutcome(planned: nil, diagnostics: diags)
        }
        keeper.restoreControllerOptions(&planned)
        diags += keeper.verify(planned)
        if diags.hasErrors { return PlanOutcome(planned: nil, diagnostics: diags) }
        // Beyond libvirt: new bridges and ports after every kept bus (Keeper+GuestOrder).
        let (ordered, orderDiags) = keeper.keepGuestOrder(planned, options: options)
        diags += orderDiags
        guard let ordered, !diags.hasErrors else { return PlanOutcome(planned: nil, diagnostics: diags) }
        planned = ordered
        diags += Checker.afterPlan(planned, options: options) + GuestDiagnostics.afterPlan(planned)
        return PlanOutcome(planned: diags.hasErrors ? nil : planned, diagnostics: diags)
    }
}
