extension Pipeline {
    /// `plan NEW --keep OLD`: plans OLD, then plans NEW so that every device it shares with OLD
    /// (paired by identity, as `diff` pairs them) keeps OLD's address and multifunction bit, and
    /// every PCI controller OLD had — including the ones libvirt added — stays with its index,
    /// model, address and guest-visible options (chassis, port, busNr, hot-plug, model name).
    /// Only devices new in NEW get new addresses; they can never take a kept place, because kept
    /// addresses are reserved first, as explicit ones, and no new root port joins a slot OLD had
    /// as one function (the bit would flip). With `options.reserveRemoved` they take no address
    /// a removed device had either.
    ///
    /// OLD may be an ABI lock (`plan --format lock`, detected by content): it is read into a
    /// synthesized old domain (`ABILock.domainXML`) and kept exactly as an XML would be.
    ///
    /// When a place cannot be kept (NEW puts another device on it explicitly, the bus it was on
    /// is now a different controller, the machine changed, the multifunction bit or a
    /// controller property would change) the result is nil and a `plan.cannotKeep` error names
    /// the device and the reason.
    public static func plan(_ new: SourceFile, keeping old: SourceFile, options: PlanOptions = PlanOptions()) -> PlanOutcome {
        let (o, _, _, diags) = keep(new, old, options: options)
        return PlanOutcome(planned: o, diagnostics: diags)
    }

    /// `plan NEW --keep OLD` and the lock of its result: OLD's removed devices (and a lock's
    /// `removed` list) added to the result's `removed` (`--update-lock`).
    public static func planAndLock(_ new: SourceFile, keeping old: SourceFile, options: PlanOptions = PlanOptions())
        -> (outcome: PlanOutcome, lock: String?)
    {
        let (p, oldLock, removed, diags) = keep(new, old, options: options)
        guard let p else { return (PlanOutcome(planned: nil, diagnostics: diags), nil) }
        return (PlanOutcome(planned: p, diagnostics: diags), lock(p, removed: (oldLock?.removed ?? []) + removed))
    }

    /// OLD read as XML, or as the synthesized domain of a lock (its diagnostics lose their
    /// places, which are in the synthesized text, not the lock the user has).
    static func oldDomain(_ old: SourceFile) -> (SourceFile?, ABILock?, [Diagnostic]) {
        guard ABILock.looksLikeLock(old.bytes) else { return (old, nil, []) }
        do {
            let lock = try ABILock.read(old.bytes)
            return (SourceFile(name: old.name, text: lock.domainXML()), lock, [])
        } catch {
            return (nil, nil, [.lockUnreadable(old.name, error.message)])
        }
    }

    static func keep(_ new: SourceFile, _ oldInput: SourceFile, options: PlanOptions)
        -> (PlannedDomain?, ABILock?, [ABILock.Removed], [Diagnostic])
    {
        let (oldFile, lock, lockDiags) = oldDomain(oldInput)
        guard let old = oldFile else { return (nil, nil, [], lockDiags) }
        let unplace = { (ds: [Diagnostic]) -> [Diagnostic] in lock == nil ? ds : ds.map { $0.withoutRanges(in: old.name) } }
        // OLD is planned as it was: with the same policy and grouping, without what only
        // concerns NEW (spare ports, reserved addresses).
        var oldOptions = options
        oldOptions.hotplugPorts = nil
        oldOptions.hotplugSlots = nil
        oldOptions.reserveRemoved = false
        oldOptions.reservedAddresses = []
        let o = plan(old, options: oldOptions)
        guard let oldPlan = o.planned else {
            return (nil, lock, [], unplace(o.diagnostics.filter { $0.severity == .error }) + [.keepOldUnplannable(old: old.name)])
        }
        let loaded = load(new)
        guard let n = loaded.normalized else { return (nil, lock, [], loaded.diagnostics) }
        var diags = loaded.diagnostics + Checker.preflight(n)
        if diags.hasErrors { return (nil, lock, [], diags) }
        var keeper = Keeper(old: oldPlan, new: n)
        keeper.carryOver()
        let removed = keeper.removed()
        var options = options
        if options.reserveRemoved {
            keeper.reserved = removed.map(\.address) + (lock?.removed.map(\.address) ?? [])
            options.reservedAddresses = keeper.reserved
        }
        diags += unplace(keeper.diags)
        if diags.hasErrors { return (nil, lock, removed, diags) }
        let (planned, planDiags) = Planner.plan(keeper.new, options: options)
        diags += planDiags
        guard var planned, !diags.hasErrors else {
            diags.append(.keepRejectedByLibvirt(old: old.name, new: new.name))
            return (nil, lock, removed, diags)
        }
        keeper.restoreControllerOptions(&planned)
        diags += unplace(keeper.verify(planned))
        if diags.hasErrors { return (nil, lock, removed, diags) }
        // Beyond libvirt: new bridges and ports after every kept bus (Keeper+GuestOrder).
        let (ordered, orderDiags) = keeper.keepGuestOrder(planned, options: options)
        diags += unplace(orderDiags)
        guard let ordered, !diags.hasErrors else { return (nil, lock, removed, diags) }
        planned = ordered
        diags += Checker.afterPlan(planned, options: options) + GuestDiagnostics.afterPlan(planned)
        return (diags.hasErrors ? nil : planned, lock, removed, diags)
    }
}

extension Diagnostic {
    /// The diagnostic with every place in `file` dropped (a synthesized text the user never sees).
    func withoutRanges(in file: String) -> Diagnostic {
        var d = self
        if d.range?.file == file { d.range = nil }
        for k in d.notes.indices where d.notes[k].range?.file == file { d.notes[k].range = nil }
        for k in d.fixIts.indices where d.fixIts[k].range?.file == file { d.fixIts[k].range = nil }
        return d
    }
}
