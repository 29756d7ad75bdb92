import PCIPlanModel
import PCIPlanSource

/// Controller sanity: what libvirt 9.0's parser, post-parse and validation refuse about
/// `<controller>` elements (spec §1.6, §2.4).
extension Checker {
    static func controllerChecks(_ c: CheckContext, _ f: inout Findings) {
        for i in c.n.controllerOrder where c.devices[i].element != nil {
            guard let info = c.devices[i].controller else { continue }
            if !checkIndexSyntax(c, i, &f) { continue }
            guard info.type == "pci" else { continue }
            checkPCIController(c, i, info, &f)
            if let m = info.pciModel, let idx = info.index { controllerOptionChecks(c, i, m, index: idx, &f) }
        }
        duplicateIndexes(c, &f)
        ideControllers(c, &f)
    }

    /// IDE exists only as the chipset's own controller (`qemuValidateDomainDeviceDefControllerIDE`):
    /// on a machine without one (q35, virt) any IDE controller or IDE disk is refused, and on pc
    /// only index 0 exists (a disk that needs IDE controller 1 is refused at its own check).
    private static func ideControllers(_ c: CheckContext, _ f: inout Findings) {
        let builtIn = c.machine.builtInDiskController == "ide"
        for i in c.n.controllerOrder where c.devices[i].element != nil && !f.flagged.contains(i) {
            guard let info = c.devices[i].controller, info.type == "ide" else { continue }
            if builtIn && (info.index ?? 0) == 0 { continue }
            let text = builtIn ? "Only a single IDE controller is supported for this machine type"
                : "IDE controllers are unsupported for this QEMU binary or machine type"
            let why = builtIn ? "the \(c.machineName) machine has exactly one IDE controller, the PIIX3's (index 0)"
                : "the \(c.machineName) machine has no IDE controller"
            f.add(Diagnostic(.controllerMachine, .error, "\(c.name(i)): \(why)", at: c.tag(i),
                notes: [.libvirtRejects(text)],
                fixIts: [FixIt(builtIn ? "remove the controller; every IDE disk uses controller 0" : "use a SATA controller and bus='sata' disks")]), device: i)
        }
        for i in c.devices.indices where c.devices[i].kind == .disk && c.devices[i].bus == "ide" && c.devices[i].element != nil {
            if builtIn && Define.driveController(c.devices[i]) == 0 { continue }
            let text = builtIn ? "Only 1 IDE controller is supported" : "IDE controllers are unsupported for this QEMU binary or machine type"
            let why = builtIn ? "it would need IDE controller \(Define.driveController(c.devices[i])), but the pc machine has only the PIIX3's (hda–hdd)"
                : "the \(c.machineName) machine has no IDE bus"
            f.add(Diagnostic(.controllerMachine, .error, "\(c.name(i)) is an IDE disk: \(why)", at: c.attribute(i, "bus"),
                notes: [.libvirtRejects(text)],
                fixIts: [FixIt(builtIn ? "use a target from hda to hdd, or bus='sata' / bus='virtio'" : "use bus='sata' (the machine's AHCI) or bus='virtio'")]), device: i)
        }
    }

    /// Reports a controller index libvirt cannot read; false when it was reported.
    private static func checkIndexSyntax(_ c: CheckContext, _ i: Int, _ f: inout Findings) -> Bool {
        guard let el = c.devices[i].element, let attr = el.attributeNode("index") else { return true }
        let (value, negative) = parseLibvirtControllerIndex(attr.value)
        if value != nil { return true }
        let type = c.devices[i].controller?.type ?? "?"
        var fixes: [FixIt] = []
        if let n = parseLibvirtUInt(attr.value), n <= 255 {
            fixes.append(FixIt("write the index in decimal: index='\(n)'", range: c.range(attr.valueRange), replacement: String(n)))
        }
        let why = negative
            ? "controller \(type) has index='\(attr.value)', but a controller index cannot be negative"
            : "controller \(type) has index='\(attr.value)', but libvirt reads a controller index as a plain decimal integer"
        f.add(Diagnostic(.controllerBadIndex, .error, why, at: c.range(attr.valueRange),
            notes: [.libvirtRejects("Invalid value for attribute 'index' in element 'controller': '\(attr.value)'. Expected \(negative ? "non-negative" : "integer") value")],
            fixIts: fixes), device: i)
        return false
    }

    private static func checkPCIController(_ c: CheckContext, _ i: Int, _ info: ControllerInfo, _ f: inout Findings) {
        guard let idx = info.index else { return }
        let root = c.family.rootModel.rawValue
        guard let model = info.pciModel else {
            if idx == 0 && info.model == nil {
                // libvirt 9.0 does not fill in the root model (checked with the oracle)
                f.add(Diagnostic(.controllerWrongRoot, .error,
                    "the PCI controller with index 0 must be model='\(root)' on \(c.machine.aDisplayName) machine, but it has no model",
                    at: c.tag(i),
                    notes: [.libvirtRejects("The PCI controller with index='0' must be model='\(root)' for this machine type, but model='(null)' was found instead")],
                    fixIts: c.devices[i].element?.attributeNode("index").map {
                        [FixIt("add model='\(root)'", range: c.range(($0.valueRange.upperBound + 1)..<($0.valueRange.upperBound + 1)), replacement: " model='\(root)'")]
                    } ?? []), device: i)
                return
            }
            let known = ControllerModel.allCases.filter { !$0.isRoot }.map(\.rawValue).joined(separator: ", ")
            let msg = info.model.map { "unknown PCI controller model '\($0)'; libvirt knows \(root), \(known)" }
                ?? "controller pci index \(idx) has no model; libvirt needs one of \(known)"
            f.add(Diagnostic(.controllerBadModel, .error, msg, at: c.attribute(i, "model")), device: i)
            return
        }
        if model.isRoot && idx != 0 {
            var fixes: [FixIt] = []
            let zeroTaken = c.n.controllerOrder.contains {
                $0 != i && c.devices[$0].element != nil && c.devices[$0].controller?.type == "pci" && c.devices[$0].controller?.index == 0
            }
            if !zeroTaken, let a = c.devices[i].element?.attributeNode("index") {
                fixes.append(FixIt("give the root controller index='0'", range: c.range(a.valueRange), replacement: "0"))
            }
            f.add(Diagnostic(.controllerRootIndex, .error,
                "the \(model.rawValue) controller has index \(idx), but the root bus is always index 0",
                at: c.attribute(i, "index"),
                notes: [.libvirtRejects("pci-root and pcie-root controllers should have index 0")], fixIts: fixes), device: i)
            return
        }
        if idx == 0 && model.rawValue != root {
            f.add(Diagnostic(.controllerWrongRoot, .error,
                "the PCI controller with index 0 must be model='\(root)' on \(c.machine.aDisplayName) machine, but it is model='\(model.rawValue)'",
                at: c.attribute(i, "model"),
                notes: [.libvirtRejects("The PCI controller with index='0' must be model='\(root)' for this machine type, but model='\(model.rawValue)' was found instead")]),
                device: i)
            return
        }
        if model.isRoot, let a = c.devices[i].addressElement {
            f.add(Diagnostic(.controllerRootAddress, .error,
                "the \(model.rawValue) controller is the root bus itself and cannot have an <address>",
                at: c.range(a.startTag), notes: [.libvirtRejects("pci-root and pcie-root controllers should not have an address")],
                fixIts: [FixIt("remove the <address> element", range: c.range(a.range), replacement: "")]), device: i)
        }
        if idx > 255 {
            f.add(Diagnostic(.controllerIndexTooHigh, .error,
                "PCI controller index \(idx) is above 255, the highest bus a PCI domain has",
                at: c.attribute(i, "index"), notes: [.libvirtRejects("PCI controller index \(idx) too high, maximum is 255")]),
                device: i)
            return
        }
        machineRestriction(c, i, model, &f)
    }

    /// Controller models that cannot exist on this machine family (qemuDomainControllerDefPostParse
    /// for the expander buses; the PCIe controllers on pc fail later, when libvirt finds no bus
    /// that accepts them).
    private static func machineRestriction(_ c: CheckContext, _ i: Int, _ model: ControllerModel, _ f: inout Findings) {
        let m = c.machine
        let note: Diagnostic.Note
        let msg: String
        switch model {
        case .pciExpanderBus where !m.supportsPCIExpanderBus:
            msg = "pci-expander-bus controllers exist only on pc (i440fx) machines"
                + (m.supportsPCIeExpanderBus ? "; \(m.aDisplayName) machine uses pcie-expander-bus" : "")
            note = .libvirtRejects("pci-expander-bus controllers are only supported on 440fx-based machinetypes")
        case .pcieExpanderBus where !m.supportsPCIeExpanderBus:
            msg = m.supportsPCIExpanderBus
                ? "pcie-expander-bus controllers need a q35 machine; \(m.aDisplayName) machine uses pci-expander-bus"
                : "pcie-expander-bus controllers are not supported on \(m.aDisplayName) machine (its QEMU has no pxb-pcie)"
            note = .libvirtRejects("pcie-expander-bus controllers are not supported with this machine type")
        case .pcieRootPort, .pcieSwitchUpstreamPort, .pcieSwitchDownstreamPort, .dmiToPCIBridge, .pcieToPCIBridge:
            guard !m.pciExpress else { return }
            msg = "\(model.rawValue) controllers need a PCI Express machine (q35), but this is a \(m.displayName) machine"
            note = .init("no bus of a \(m.displayName) machine accepts a \(model.rawValue), so libvirt 9.0 rejects the definition when it assigns addresses")
        default:
            return
        }
        f.add(Diagnostic(.controllerMachine, .error, msg, at: c.attribute(i, "model"), notes: [note]), device: i)
    }

    /// `Multiple '%s' controllers with index '%d'` (virDomainDefRejectDuplicateControllers;
    /// USB controllers are exempt, companions share their master's index).
    private static func duplicateIndexes(_ c: CheckContext, _ f: inout Findings) {
        var first: [String: Int] = [:]
        let inputControllers = c.devices.indices.filter { c.devices[$0].kind == .controller }
        for i in inputControllers where !f.flagged.contains(i) {
            guard let info = c.devices[i].controller, info.type != "usb", let idx = info.index else { continue }
            let key = "\(info.type)#\(idx)"
            guard let j = first[key] else {
                first[key] = i
                continue
            }
            f.add(Diagnostic(.controllerDuplicateIndex, .error,
                "a second \(info.type) controller has index \(idx); each controller of a type needs its own index",
                at: c.attribute(i, "index"),
                notes: [.init("the first \(info.type) controller with index \(idx) is declared here", at: c.tag(j)),
                        .libvirtRejects("Multiple '\(info.type)' controllers with index '\(idx)'")]), device: i)
        }
    }
}
