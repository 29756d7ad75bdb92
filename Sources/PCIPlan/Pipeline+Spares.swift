extension Pipeline {
    /// `plan --hotplug-ports N` / `--hotplug-slots N`: the fewest bare controllers appended to
    /// `<devices>` — `<controller type='pci' model='pcie-root-port'/>` for ports,
    /// `<controller type='pci' model='pci-bridge'/>` for conventional slots — after which the
    /// planned domain has at least N free hot-pluggable places (`Planner.headroom`). The result
    /// is exactly what libvirt stores for the definition with those lines appended, so libvirt
    /// itself can verify it; pciplan adds nothing libvirt would not.
    static func planWithSpares(_ file: SourceFile, options: PlanOptions) -> PlanOutcome {
        var once = options
        once.hotplugPorts = nil
        once.hotplugSlots = nil
        let base = planOnce(file, options: once)
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
        guard let root = try? XMLReader.parse(file), let devices = root.child("devices"), devices.endTag != nil else {
            return PlanOutcome(planned: nil, diagnostics: base.diagnostics + [.sparesNoDevicesElement(file: file.name)])
        }
        // Each controller gets the lowest PCI index no input controller has (never 0, the root
        // bus): libvirt would give a bare one index 0 when the input has no root controller.
        let used = Set(planned.devices.filter { if case .input = $0.origin { return $0.isPCIController } else { return false } }
            .compactMap { $0.controller?.index })
        let free = (1...).lazy.filter { !used.contains($0) }
        let offset = XMLWriter.insertionPointBeforeEnd(devices, file: file).lowerBound
        let indent = XMLWriter.isLineStart(offset, file: file) ? XMLWriter.childIndentation(of: devices, file: file) : ""
        var last = base
        for k in 1...256 {
            let lines = free.prefix(k).map { "<controller type='pci' index='\($0)' model='\(element)'/>" }
            let spares = SourceFile(name: "(added for \(what))", text: lines.map { $0 + "\n" }.joined())
            var ranges: [Range<Int>] = []
            var at = 0
            for l in lines {
                ranges.append(at..<at + l.utf8.count)
                at += l.utf8.count + 1
            }
            let splice = SourceSplice(inserting: ranges, of: spares, into: file, at: offset, indent: indent)
            let outcome = planOnce(splice.combined, options: once)
            guard let p = outcome.planned else {
                last = outcome
                var diags = outcome.diagnostics.map(splice.original)
                diags.append(.sparesDoNotPlan(added: k, want: want, what: what, most: count(Planner.headroom(last.planned ?? planned))))
                return PlanOutcome(planned: nil, diagnostics: diags)
            }
            if count(Planner.headroom(p)) >= want {
                var diags = outcome.diagnostics.map(splice.original)
                diags.append(.sparesAdded(count: k, element: element, indexes: Array(free.prefix(k)), want: want, what: what))
                return PlanOutcome(planned: p, diagnostics: diags)
            }
            last = outcome
        }
        return PlanOutcome(planned: nil, diagnostics: base.diagnostics + [.sparesDoNotFit(want: want, what: what)])
    }
}
