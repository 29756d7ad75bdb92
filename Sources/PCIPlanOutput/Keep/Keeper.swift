import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Carries OLD's layout into NEW's normalized definition before planning.
package struct Keeper {
    let old: PlannedDomain
    package var new: NormalizedDomain
    let pairing: DevicePairing
    package var diags: [Diagnostic] = []
    /// New device index → the old device whose place it keeps (addresses and carried controllers).
    var kept: [Int: Int] = [:]
    /// `--reserve-removed`: addresses no new device may take (also kept free by the planner).
    package var reserved: [PCIAddress] = []

    package init(old: PlannedDomain, new: NormalizedDomain) {
        self.old = old
        self.new = new
        self.pairing = DevicePairing(old: old.devices, new: new.devices, positional: true)
    }

    var oldName: String { old.normalized.definition.file.name }
    var newName: String { new.definition.file.name }

    func newRange(_ j: Int) -> SourceRange? {
        let el = new.devices[j].addressElement ?? new.devices[j].element
        return el.map { SourceRange(file: newName, startTagOf: $0) }
    }

    func oldRange(_ i: Int) -> SourceRange? {
        old.devices[i].element.map { SourceRange(file: oldName, startTagOf: $0) }
    }

    func oldLabel(_ i: Int) -> String { ABIComparison.label(old, i) }

    package mutating func carryOver() {
        guard old.family == new.family else {
            diags.append(.keepMachineChanged(old: oldName, new: newName, from: old.family.rawValue, to: new.family.rawValue,
                root: new.family.rootModel.rawValue,
                at: new.definition.root.child("os")?.child("type").map { SourceRange(file: newName, startTagOf: $0) }))
            return
        }
        // Buses whose controller index NEW gives to another model: nothing on them can stay.
        var redefined: [Int: Int] = [:]   // bus → new controller index in devices
        for (i, j) in pairing.oldToNew {
            guard old.devices[i].isPCIController, let idx = old.devices[i].controller?.index,
                  old.devices[i].controller?.model != new.devices[j].controller?.model else { continue }
            redefined[idx] = j
        }
        var lost: [Int: [Int]] = [:]      // bus → old devices that sat on it
        for i in old.normalized.controllerOrder where old.devices[i].isPCIController && pairing.oldToNew[i] == nil {
            if let b = old.placements[i]?.address.bus, redefined[b] != nil { lost[b, default: []].append(i); continue }
            addController(from: i)
        }
        keepHotplug()
        var taken: [PCIAddress: Int] = [:]
        for j in new.devices.indices { if case .pci(let a, _) = new.devices[j].address { taken[a] = j } }
        for (i, p) in old.placements.sorted(by: { $0.key < $1.key }) {
            guard let j = pairing.oldToNew[i] else { continue }
            if case .pci(let a, let m) = new.devices[j].address {
                keepExplicit(i, p, j, written: a, m)
            } else if let bus = keep(i, p, j, taken: taken, redefined: redefined) {
                lost[bus, default: []].append(i)
            }
        }
        // Say which old device each kept one is, and by which pairing rule (explain, JSON).
        for (j, i) in kept {
            guard let why = new.devices[j].keptReason, let how = pairing.how[i] else { continue }
            new.devices[j].keptReason = "\(why); it is \(oldLabel(i)) there, paired by \(how)"
        }
        for (b, devices) in lost.sorted(by: { $0.key < $1.key }) {
            guard let j = redefined[b], let ci = old.normalized.pciController(index: b) else { continue }
            diags.append(.keepBusGone(b, old: oldName, new: newName, controller: oldLabel(ci), model: new.devices[j].controller?.model,
                at: newRange(j), lost: devices.map { (oldLabel($0), old.placements[$0]?.address.description ?? "?", oldRange($0)) }))
        }
    }

    /// NEW writes an address for a device OLD had: the user's choice, except that OLD's bit is
    /// kept when NEW leaves it open, and libvirt's rewrite of OLD's same address is followed.
    mutating func keepExplicit(_ i: Int, _ p: Placement, _ j: Int, written a: PCIAddress, _ m: Tristate) {
        if case .pci(let oldWritten, _) = old.devices[i].address, oldWritten == a, a != p.address {
            // OLD wrote the same address and libvirt rewrote it (the bus bump of spec §5.3):
            // the rewritten one is the guest's.
            new.devices[j].address = .pci(p.address, multifunction: m == .absent ? p.multifunction : m)
            new.devices[j].keptReason = "'\(oldName)' writes \(a) too, which libvirt rewrote to \(p.address)"
            kept[j] = i
        } else if a != p.address {
            diags.append(.keepMovedByNew(oldLabel(i), from: p.address, to: a, old: oldName, new: newName, at: newRange(j), oldAt: oldRange(i)))
        } else if m == .absent && p.multifunction != .absent {
            // Same address, bit left open: keep OLD's bit (derived there, or written).
            new.devices[j].address = .pci(a, multifunction: p.multifunction)
            new.devices[j].keptReason = "'\(oldName)' has it here with multifunction='\(p.multifunction.rawValue)'"
            kept[j] = i
        } else if (m == .on) == (p.multifunction == .on) {
            // NEW writes OLD's place itself: still kept, so no new root port joins a slot OLD had
            // as one function (libvirt would then derive multifunction='on' on it) and `verify`
            // checks its bit.
            new.devices[j].keptReason = "'\(oldName)' has it here too"
            kept[j] = i
        }
    }

    /// OLD's `<target hotplug>` for every PCI controller NEW keeps with the same model and
    /// leaves it open: hot-plug is guest-visible (the port's slot capability).
    mutating func keepHotplug() {
        for (i, j) in pairing.oldToNew {
            guard let oc = old.devices[i].controller, oc.pciModel != nil, oc.hotplug != .absent,
                  let nc = new.devices[j].controller, nc.model == oc.model, nc.hotplug == .absent else { continue }
            new.devices[j].controller?.hotplug = oc.hotplug
        }
    }

    /// Pins NEW's device `j` to OLD's placement of device `i`; returns the bus when that bus is
    /// gone (NEW gives its index to another controller model).
    mutating func keep(_ i: Int, _ p: Placement, _ j: Int, taken: [PCIAddress: Int], redefined: [Int: Int]) -> Int? {
        var d = new.devices[j]
        // A device libvirt would move to virtio-mmio (another device uses it) stays on PCI once
        // it has OLD's address written.
        let wasVirtioMMIO = d.virtioMMIOAssigned
        guard d.address.wantsPCI || wasVirtioMMIO, !d.flags.isEmpty else { return nil }
        if let oc = old.devices[i].controller, oc.model != d.controller?.model, case .added = d.origin, !d.isPCIController {
            // NEW leaves this controller to libvirt's default (e.g. USB index 0): OLD's model is
            // what the guest has, so keep it instead of the default libvirt would pick.
            d.controller?.model = oc.model
            d.model = oc.model
            d.flags = Define.connectFlags(d, family: new.family)
            new.devices[j] = d
        }
        if let oc = old.devices[i].controller, oc.model != d.controller?.model {
            diags.append(.keepReplacedController(oldLabel(i), by: d.controller?.model, address: p.address, old: oldName, new: newName,
                                                 at: newRange(j), oldAt: oldRange(i)))
            return nil
        }
        let (was, now) = (ABIComparison.connectKind(old.devices[i]), ABIComparison.connectKind(d))
        if !d.isPCIController && was != now {
            diags.append(.keepConnectKindChanged(oldLabel(i), address: p.address, was: was, now: now, old: oldName, new: newName,
                                                 at: newRange(j), oldAt: oldRange(i)))
        }
        if redefined[p.address.bus] != nil { return p.address.bus }
        if let other = taken[p.address] {
            diags.append(.keepAddressTaken(oldLabel(i), address: p.address, by: new.devices[other].name, old: oldName, new: newName,
                                           at: newRange(j) ?? newRange(other), otherAt: newRange(other), oldAt: oldRange(i)))
            return nil
        }
        new.devices[j].address = .pci(p.address, multifunction: p.multifunction)
        new.devices[j].virtioMMIOAssigned = false
        new.devices[j].keptReason = "'\(oldName)' has it at \(p.address) (\(p.provenance.kind) there)"
            + (wasVirtioMMIO ? "; without it libvirt would put it on virtio-mmio, because another device uses virtio-mmio" : "")
        kept[j] = i
        return nil
    }

    /// The places of OLD's devices NEW no longer has (PCI controllers are carried over, so they
    /// are never removed).
    package func removed() -> [ABILock.Removed] {
        old.placements.keys.sorted().compactMap { i in
            guard pairing.oldToNew[i] == nil, !old.devices[i].isPCIController, let a = old.placements[i]?.address else { return nil }
            return ABILock.Removed(address: a, identity: DevicePairing.identity(old.devices[i]) ?? ABIComparison.label(old, i))
        }
    }

    /// Adds a PCI controller OLD had and NEW lacks (one libvirt added, or one NEW dropped),
    /// pinned to its old address.
    mutating func addController(from i: Int) {
        guard let c = old.devices[i].controller, let idx = c.index, let model = c.pciModel else { return }
        let source = old.devices[i].element == nil ? "libvirt added it" : "it is written"
        var d = Device.pciController(index: idx, model: model, origin: .added("kept from '\(oldName)', where \(source)"))
        d.controller?.hotplug = c.hotplug
        if let alias = old.devices[i].alias { d.alias = alias }
        if let p = old.placements[i] {
            d.address = .pci(p.address, multifunction: p.multifunction)
            d.keptReason = "'\(oldName)' has it at \(p.address) (\(p.provenance.kind) there)"
        }
        new.devices.append(d)
        new.controllerOrder.append(new.devices.count - 1)
        kept[new.devices.count - 1] = i
    }

    /// OLD's effective `<model name>`, chassisNr, chassis, port and busNr for every kept PCI
    /// controller whose NEW element leaves them open (libvirt would refill them from the index
    /// and address, which is the same unless OLD had other values).
    package func restoreControllerOptions(_ p: inout PlannedDomain) {
        for j in p.devices.indices where p.devices[j].isPCIController {
            guard let i = kept[j] ?? pairing.newToOld[j], let oc = old.controllerInfo(i),
                  let input = p.devices[j].controller, input.model == oc.model else { continue }
            var f = p.filledDefaults[j] ?? ControllerDefaults()
            if input.modelName == nil { f.modelName = oc.modelName }
            if input.chassisNr == nil { f.chassisNr = oc.chassisNr }
            if input.chassis == nil { f.chassis = oc.chassis }
            if input.port == nil { f.port = oc.port }
            if input.busNr == nil { f.busNr = oc.busNr }
            if oc.hotplug != .absent, p.devices[j].element?.child("target")?[attribute: "hotplug"] == nil { f.hotplug = oc.hotplug }
            p.filledDefaults[j] = f == ControllerDefaults() ? nil : f
        }
    }

    /// Every kept place really was kept: same address, and the multifunction bit QEMU gets.
    package func verify(_ p: PlannedDomain) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (j, i) in kept.sorted(by: { $0.key < $1.key }) {
            guard let op = old.placements[i], let np = p.placements[j] else { continue }
            if op.address != np.address {
                out.append(.keepMovedByLibvirt(oldLabel(i), from: op.address, to: np.address, old: oldName, at: newRange(j), oldAt: oldRange(i)))
            } else if (op.multifunction == .on) != (np.multifunction == .on) {
                let users = p.placements.filter { $0.key != j && $0.value.address.slotKey == np.address.slotKey && $0.value.address.function != 0 }
                    .sorted { $0.value.address < $1.value.address }
                    .map { "\(p.devices[$0.key].name) at \($0.value.address)" }
                out.append(.keepMultifunctionDerived(oldLabel(i), address: op.address, users: users, old: oldName, new: newName,
                                                     at: newRange(j), oldAt: oldRange(i)))
            }
        }
        return out + verifyControllers(p)
    }

    /// Every PCI controller NEW keeps (same index and model) shows the guest what OLD's did:
    /// `<model name>` (the QEMU device), chassisNr, chassis, port, busNr and hot-plug. NEW
    /// writing another value is its own choice (a warning); anything else changing it is an error.
    func verifyControllers(_ p: PlannedDomain) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for j in p.devices.indices where p.devices[j].isPCIController {
            guard let i = kept[j] ?? (j < new.devices.count ? pairing.newToOld[j] : nil),
                  let oc = old.controllerInfo(i), let nc = p.controllerInfo(j), oc.model == nc.model else { continue }
            let written = p.devices[j].element
            func show(_ v: Int?) -> String { v.map(String.init) ?? "none" }
            let props: [(String, String, String, Bool)] = [
                ("model name", oc.modelName ?? "none", nc.modelName ?? "none", written?.child("model")?[attribute: "name"] != nil),
                ("chassisNr", show(oc.chassisNr), show(nc.chassisNr), written?.child("target")?[attribute: "chassisNr"] != nil),
                ("chassis", show(oc.chassis), show(nc.chassis), written?.child("target")?[attribute: "chassis"] != nil),
                ("port", show(oc.port), show(nc.port), written?.child("target")?[attribute: "port"] != nil),
                ("busNr", show(oc.busNr), show(nc.busNr), written?.child("target")?[attribute: "busNr"] != nil),
                ("hotplug", oc.hotplug == .off ? "off" : "on", nc.hotplug == .off || p.filledDefaults[j]?.hotplug == .off ? "off" : "on",
                 written?.child("target")?[attribute: "hotplug"] != nil),
            ]
            for (name, was, now, explicit) in props where was != now {
                out.append(.keepControllerProperty(oldLabel(i), property: name, was: was, now: now, explicit: explicit,
                                                   old: oldName, new: newName, at: newRange(j), oldAt: oldRange(i)))
            }
        }
        return out
    }
}
