import PCIPlanModel
import PCIPlanSource

/// The `<target>` options of a PCI controller libvirt 9.0 accepts, per model, and their ranges
/// (qemuValidateDomainDeviceDefControllerPCI and the domain validation; each recorded with the
/// oracle). They are guest-visible, so a wrong one is refused at define.
extension Checker {
    /// Models each option is valid for.
    static let targetOptionModels: [(attribute: String, option: String, models: Set<ControllerModel>)] = [
        ("chassisNr", "chassisNr", [.pciBridge]),
        ("chassis", "chassis", [.pcieRootPort, .pcieSwitchDownstreamPort]),
        ("port", "port", [.pcieRootPort, .pcieSwitchDownstreamPort]),
        ("busNr", "busNr", [.pciExpanderBus, .pcieExpanderBus]),
        ("hotplug", "hotplug", [.pciRoot, .pcieRootPort, .pcieSwitchDownstreamPort]),
        ("index", "targetIndex", []),  // pSeries PHBs only
    ]

    /// Allowed values: busNr 1–254, chassisNr 1–255, chassis and port 0–255.
    static let targetOptionRanges: [(attribute: String, range: ClosedRange<Int>)] = [
        ("chassisNr", 1...255), ("chassis", 0...255), ("port", 0...255), ("busNr", 1...254),
    ]

    static func controllerOptionChecks(_ c: CheckContext, _ i: Int, _ model: ControllerModel, index idx: Int, _ f: inout Findings) {
        guard let target = c.devices[i].element?.child("target") else { return }
        numaNode(c, i, model, index: idx, target, &f)
        let modelName = c.devices[i].controller?.modelName ?? model.defaultModelName ?? "none"
        for (attribute, option, models) in targetOptionModels {
            guard let a = target.attributeNode(attribute), !models.contains(model) else { continue }
            let allowed = models.map(\.rawValue).sorted().joined(separator: ", ")
            f.add(Diagnostic(.controllerOption, .error,
                "<target \(attribute)=…> is not an option of a \(model.rawValue) controller\(allowed.isEmpty ? " on this machine" : "; it belongs to \(allowed)")",
                at: c.range(a.nameRange),
                notes: [.libvirtRejects("Option '\(option)' is not valid for PCI controller with index '\(idx)', model '\(model.rawValue)' and modelName '\(modelName)'")],
                fixIts: [FixIt("remove \(attribute)='\(a.value)'")]), device: i)
        }
        for (attribute, range) in targetOptionRanges {
            guard let a = target.attributeNode(attribute), let v = parseLibvirtUInt(a.value).map({ Int(clamping: $0) }),
                  !range.contains(v) else { continue }
            f.add(Diagnostic(.controllerOption, .error,
                "\(attribute)='\(a.value)' is out of range: libvirt accepts \(range.lowerBound)–\(range.upperBound)",
                at: c.range(a.valueRange),
                notes: [.libvirtRejects("PCI controller \(attribute) '\(v)' out of range - must be \(range.lowerBound)-\(range.upperBound)")]), device: i)
        }
    }

    /// An expander bus's `<node>` must be a NUMA cell of the domain (virDomainDefValidate's
    /// controller check against `<cpu><numa>`).
    static func numaNode(_ c: CheckContext, _ i: Int, _ model: ControllerModel, index idx: Int, _ target: XMLElement, _ f: inout Findings) {
        guard model == .pciExpanderBus || model == .pcieExpanderBus, let node = target.child("node"),
              let n = Int(node.text.trimmingSpaces) else { return }
        let cells = c.n.definition.root.child("cpu")?.child("numa")?.children.filter { $0.name == "cell" }.count ?? 0
        guard n >= cells else { return }
        f.add(Diagnostic(.controllerOption, .error,
            "\(model.rawValue) index \(idx) is placed on NUMA node \(n), but the domain has \(cells == 0 ? "no NUMA cells" : "NUMA cells 0–\(cells - 1) only")",
            at: c.range(node.range),
            notes: [.libvirtRejects("\(model.rawValue) with index \(idx) is configured for a NUMA node (\(n)) not present in the domain's <cpu><numa> array (\(cells))")],
            fixIts: [FixIt(cells == 0 ? "remove <node>, or define NUMA cells in <cpu><numa>" : "use a node from 0 to \(cells - 1)")]), device: i)
    }
}
