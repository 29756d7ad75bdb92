import PCIPlanModel
import PCIPlanSource

/// The `<target>` options of a PCI controller libvirt 9.0 accepts, per model, and their ranges
/// (qemuValidateDomainDeviceDefControllerPCI and the domain validation; each recorded with the
/// oracle). They are guest-visible, so a wrong one is refused at define.
extension Checker {
    /// Models each option is valid for.
    /// (Short lists rather than sets: a set hashes the model's name for every lookup.)
    static let targetOptionModels: [(attribute: String, option: String, models: [ControllerModel])] = [
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
        // (The model first: the attribute with its ranges only where it would be a finding.)
        for (attribute, option, models) in targetOptionModels {
            guard !models.contains(model), let a = target.attributeNode(attribute) else { continue }
            let allowed = models.map(\.rawValue).sorted().joined(separator: ", ")
            f.add(.controllerOptionNotValid(attribute: attribute, option: option, value: a.value, model: model.rawValue,
                                            modelName: modelName, index: idx, allowed: allowed, at: c.range(a.nameRange)), device: i)
        }
        for (attribute, range) in targetOptionRanges {
            guard let value = target[attribute: attribute], let v = parseLibvirtUInt(value).map({ Int(clamping: $0) }),
                  !range.contains(v), let a = target.attributeNode(attribute) else { continue }
            f.add(.controllerOptionOutOfRange(attribute: attribute, value: a.value, number: v, range: range, at: c.range(a.valueRange)), device: i)
        }
    }

    /// An expander bus's `<node>` must be a NUMA cell of the domain (virDomainDefValidate's
    /// controller check against `<cpu><numa>`).
    static func numaNode(_ c: CheckContext, _ i: Int, _ model: ControllerModel, index idx: Int, _ target: XMLElement, _ f: inout Findings) {
        guard model == .pciExpanderBus || model == .pcieExpanderBus, let node = target.child("node"),
              let n = Int(node.text.trimmingSpaces) else { return }
        let cells = c.n.definition.root.child("cpu")?.child("numa")?.children.filter { $0.name == "cell" }.count ?? 0
        guard n >= cells else { return }
        f.add(.expanderNUMANode(model.rawValue, index: idx, node: n, cells: cells, at: c.range(node.range)), device: i)
    }
}
