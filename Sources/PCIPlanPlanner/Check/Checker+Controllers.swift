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
            f.add(.ideControllerUnsupported(c.name(i), machine: c.machineName, builtIn: builtIn, at: c.tag(i)), device: i)
        }
        for i in c.devices.indices where c.devices[i].kind == .disk && c.devices[i].bus == "ide" && c.devices[i].element != nil {
            if builtIn && Define.driveController(c.devices[i]) == 0 { continue }
            f.add(.ideDiskUnsupported(c.name(i), machine: c.machineName, needs: builtIn ? Define.driveController(c.devices[i]) : nil,
                                      at: c.attribute(i, "bus")), device: i)
        }
    }

    /// Reports a controller index libvirt cannot read; false when it was reported.
    private static func checkIndexSyntax(_ c: CheckContext, _ i: Int, _ f: inout Findings) -> Bool {
        guard let el = c.devices[i].element, let attr = el.attributeNode("index") else { return true }
        let (value, negative) = parseLibvirtControllerIndex(attr.value)
        if value != nil { return true }
        let decimal = parseLibvirtUInt(attr.value).flatMap { $0 <= 255 ? Int($0) : nil }
        f.add(.controllerBadIndex(type: c.devices[i].controller?.type ?? "?", value: attr.value, negative: negative,
                                  at: c.range(attr.valueRange), decimal: decimal), device: i)
        return false
    }

    private static func checkPCIController(_ c: CheckContext, _ i: Int, _ info: ControllerInfo, _ f: inout Findings) {
        guard let idx = info.index else { return }
        let root = c.family.rootModel.rawValue
        guard let model = info.pciModel else {
            if idx == 0 && info.model == nil {
                // libvirt 9.0 does not fill in the root model (checked with the oracle)
                f.add(.controllerRootWithoutModel(root: root, machine: c.machine, at: c.tag(i),
                    insertion: c.devices[i].element?.attributeNode("index").map { c.range(($0.valueRange.upperBound + 1)..<($0.valueRange.upperBound + 1)) }),
                    device: i)
                return
            }
            let known = ControllerModel.allCases.filter { !$0.isRoot }.map(\.rawValue).joined(separator: ", ")
            f.add(.controllerBadModel(info.model, index: idx, root: root, known: known, at: c.attribute(i, "model")), device: i)
            return
        }
        if model.isRoot && idx != 0 {
            let zeroTaken = c.n.controllerOrder.contains {
                $0 != i && c.devices[$0].element != nil && c.devices[$0].controller?.type == "pci" && c.devices[$0].controller?.index == 0
            }
            let value = zeroTaken ? nil : c.devices[i].element?.attributeNode("index").map { c.range($0.valueRange) }
            f.add(.controllerRootIndex(model: model.rawValue, index: idx, at: c.attribute(i, "index"), indexValue: value), device: i)
            return
        }
        if idx == 0 && model.rawValue != root {
            f.add(.controllerWrongRoot(root: root, machine: c.machine, model: model.rawValue, at: c.attribute(i, "model")), device: i)
            return
        }
        if model.isRoot, let a = c.devices[i].addressElement {
            f.add(.controllerRootAddress(model: model.rawValue, at: c.range(a.startTag), address: c.range(a.range)), device: i)
        }
        if idx > 255 {
            f.add(.controllerIndexTooHigh(idx, at: c.attribute(i, "index")), device: i)
            return
        }
        machineRestriction(c, i, model, &f)
    }

    /// Controller models that cannot exist on this machine family (qemuDomainControllerDefPostParse
    /// for the expander buses; the PCIe controllers on pc fail later, when libvirt finds no bus
    /// that accepts them).
    private static func machineRestriction(_ c: CheckContext, _ i: Int, _ model: ControllerModel, _ f: inout Findings) {
        // (Located only for a finding: every controller of a stored domain comes here.)
        var at: SourceRange? { c.attribute(i, "model") }
        let m = c.machine
        let d: Diagnostic
        switch model {
        case .pciExpanderBus where !m.supportsPCIExpanderBus:
            d = .pciExpanderBusUnsupported(machine: m, at: at)
        case .pcieExpanderBus where !m.supportsPCIeExpanderBus:
            d = .pcieExpanderBusUnsupported(machine: m, at: at)
        case .pcieRootPort, .pcieSwitchUpstreamPort, .pcieSwitchDownstreamPort, .dmiToPCIBridge, .pcieToPCIBridge:
            guard !m.pciExpress else { return }
            d = .pcieControllerOnConventionalMachine(model.rawValue, machine: m, at: at)
        default:
            return
        }
        f.add(d, device: i)
    }

    /// `Multiple '%s' controllers with index '%d'` (virDomainDefRejectDuplicateControllers;
    /// USB controllers are exempt, companions share their master's index).
    private static func duplicateIndexes(_ c: CheckContext, _ f: inout Findings) {
        // The first controller of each type per index (by index, then type: a key string made
        // for every controller was most of this check).
        var first: [Int: [(type: String, device: Int)]] = [:]
        let inputControllers = c.devices.indices.filter { c.devices[$0].kind == .controller }
        for i in inputControllers where !f.flagged.contains(i) {
            guard let info = c.devices[i].controller, info.type != "usb", let idx = info.index else { continue }
            guard let j = first[idx]?.first(where: { $0.type == info.type })?.device else {
                first[idx, default: []].append((info.type, i))
                continue
            }
            f.add(.controllerDuplicateIndex(type: info.type, index: idx, at: c.attribute(i, "index"), first: c.tag(j)), device: i)
        }
    }
}
