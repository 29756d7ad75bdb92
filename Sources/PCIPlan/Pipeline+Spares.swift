extension Pipeline {
    /// `plan --hotplug-ports N` / `--hotplug-slots N`: the fewest bare controllers appended to
    /// `<devices>` — `<controller type='pci' model='pcie-root-port'/>` for ports,
    /// `<controller type='pci' model='pci-bridge'/>` for conventional slots — after which the
    /// planned domain has at least N free hot-pluggable places (`Planner.headroom`). The result
    /// is exactly what libvirt stores for the definition with those lines appended, so libvirt
    /// itself can verify it; pciplan adds nothing libvirt would not.
    static func planWithSpares(_ loaded: Loaded, options: PlanOptions) -> PlanOutcome {
        let file = loaded.file
        var once = options
        once.hotplugPorts = nil
        once.hotplugSlots = nil
        let base = planOnce(loaded, options: once)
        guard let planned = base.planned else { return base }
        let want: Int
        let element: String
        let what: String
        let count: (Headroom) -> Int
        let machine = planned.family.descriptor
        if let ports = options.hotplugPorts {
            guard machine.pciExpress else {
                return PlanOutcome(planned: nil, diagnostics: base.diagnostics + [.sparePortsNeedPCIe(file: file.name, machine: machine.displayName)])
            }
            (want, element, what, count) = (ports, "pcie-root-port", "free hot-pluggable root ports", { $0.pcieHotplug })
        } else {
            guard !machine.pciExpress else {
                return PlanOutcome(planned: nil, diagnostics: base.diagnostics + [.spareSlotsNeedConventional(machine: machine.displayName)])
            }
            (want, element, what, count) = (options.hotplugSlots ?? 0, "pci-bridge", "free hot-pluggable PCI slots", { $0.conventionalHotplug })
        }
        if count(Planner.headroom(planned)) >= want { return base }
        guard let devices = planned.normalized.definition.devicesElement, devices.endTag != nil else {
            return PlanOutcome(planned: nil, diagnostics: base.diagnostics + [.sparesNoDevicesElement(file: file.name)])
        }
        // Each controller gets the lowest PCI index no input controller has (never 0, the root
        // bus): libvirt would give a bare one index 0 when the input has no root controller.
        let used = Set(planned.devices.filter { if case .input = $0.origin { return $0.isPCIController } else { return false } }
            .compactMap { $0.controller?.index })
        let free = (1...).lazy.filter { !used.contains($0) }
        let offset = XMLWriter.insertionPointBeforeEnd(devices, file: file).lowerBound
        let indent = XMLWriter.isLineStart(offset, file: file) ? XMLWriter.childIndentation(of: devices, file: file) : ""
        func attempt(_ k: Int) -> (outcome: PlanOutcome, splice: SourceSplice) {
            let lines = free.prefix(k).map { "<controller type='pci' index='\($0)' model='\(element)'/>" }
            let spares = SourceFile(name: "(added for \(what))", text: lines.map { $0 + "\n" }.joined())
            var ranges: [Range<Int>] = []
            var at = 0
            for l in lines {
                ranges.append(at..<at + l.utf8.count)
                at += l.utf8.count + 1
            }
            let splice = SourceSplice(inserting: ranges, of: spares, into: file, at: offset, indent: indent)
            return (planOnce(load(splice.combined), options: once), splice)
        }
        // The answer is the first k whose plan fails or leaves enough free places. Both only
        // grow with k (a bare controller either takes a device that would otherwise go behind a
        // controller libvirt adds itself, or stays free), so doubling k and then bisecting
        // finds that first k in about 2·log2(k) plans rather than k: a 275-device q35 domain
        // whose devices take the first 95 added ports planned 98 times (25 s) before.
        func done(_ o: PlanOutcome) -> Bool { o.planned.map { count(Planner.headroom($0)) >= want } ?? true }
        var tried: [Int: (outcome: PlanOutcome, splice: SourceSplice)] = [:]
        let first = leastSatisfying(limit: 256) { k in
            let a = attempt(k)
            tried[k] = a
            return done(a.outcome)
        }
        let found = first.flatMap { k in tried[k].map { (k: k, outcome: $0.outcome, splice: $0.splice) } }
        let below = (first.flatMap { tried[$0 - 1]?.outcome }) ?? base
        if let (k, outcome, splice) = found {
            var diags = outcome.diagnostics.map(splice.original)
            guard let p = outcome.planned else {
                diags.append(.sparesDoNotPlan(added: k, want: want, what: what, most: count(Planner.headroom(below.planned ?? planned))))
                return PlanOutcome(planned: nil, diagnostics: diags)
            }
            diags.append(.sparesAdded(count: k, element: element, indexes: Array(free.prefix(k)), want: want, what: what))
            return PlanOutcome(planned: p, diagnostics: diags)
        }
        return PlanOutcome(planned: nil, diagnostics: base.diagnostics + [.sparesDoNotFit(want: want, what: what)])
    }

    /// The least k in 1...limit for which `probe` (false up to some k, true from there on) is
    /// true, or nil: doubling k, then bisecting between the last false and the first true, so
    /// it probes about 2·log2(k) times rather than k.
    package static func leastSatisfying(limit: Int, _ probe: (Int) -> Bool) -> Int? {
        var below = 0
        var found: Int?
        var k = 1
        while found == nil {
            if probe(k) { found = k } else { below = k }
            if k >= limit { break }
            k = min(2 * k, limit)
        }
        while let f = found, f - below > 1 {
            let mid = (below + f) / 2
            if probe(mid) { found = mid } else { below = mid }
        }
        return found
    }
}
