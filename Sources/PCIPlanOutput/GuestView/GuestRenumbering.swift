import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

extension MachineDescriptor {
    /// The bus controller libvirt adds when a device needs a slot and none is free: a
    /// pcie-root-port for a PCI Express device on q35 and virt, a pci-bridge on pc.
    var nextBusController: ControllerModel {
        switch chipset {
        case .piix3: .pciBridge
        case .ich9, .gpex: .pcieRootPort
        }
    }

    /// Whether QEMU 7.2 describes PCI hotplug slots (and `acpi-index`) in ACPI for this machine,
    /// which is where the guest's slot directories and `eno` names come from: the x86 machines'
    /// ACPI PCI hotplug; `virt` has none (native PCI Express hotplug only; not modeled).
    var acpiPCIHotplug: Bool {
        switch chipset {
        case .piix3, .ich9: true
        case .gpex: false
        }
    }

    /// The slot of bus 0 the chipset's own functions fill, where pciplan never puts a
    /// controller of its choosing (PIIX3 at 00:01, ICH9's LPC, SATA and SMBus at 00:1f).
    var chipsetSlot: Int? {
        switch chipset {
        case .piix3: 1
        case .ich9: 0x1f
        case .gpex: nil
        }
    }
}

extension GuestDiagnostics {
    /// What `check` adds to `afterPlan`: the overflow warnings and `guest.nextControllerRenumbers`.
    public static func forCheck(_ plan: PlannedDomain, options: PlanOptions) -> [Diagnostic] {
        // Most domains need no guest view at all: without an expander bus no range overflows,
        // and the next controller renumbers nothing when no bridge is placed or it comes last.
        if !hasExpanderBus(plan) {
            let bridged = plan.placements.keys.contains { (plan.devices[$0].controller?.pciModel).map { GuestNumbering.role($0) == .bridge } ?? false }
            if !bridged || nextControllerComesLast(plan, model: plan.family.descriptor.nextBusController) {
                // Debug builds (every test) prove the shortcut against the whole computation.
                assert({
                    let view = GuestView(plan)
                    return afterPlan(plan, view: view).isEmpty && nextController(plan, before: view, options: options).isEmpty
                }(), "forCheck's shortcut hides a guest diagnostic")
                return []
            }
        }
        let view = GuestView(plan)
        return afterPlan(plan, view: view) + nextController(plan, before: view, options: options)
    }

    /// `guest.nextControllerRenumbers`: plans the definition once more with one more controller
    /// of the kind libvirt adds next (every planned address pinned) and warns when the guest
    /// would renumber buses that hold devices: libvirt's first fit puts the new bridge or port
    /// into the first free slot, which the firmware may enumerate before existing bridges (a
    /// free root slot before a bridge at a higher slot, a root port before the dmi-to-pci-bridge
    /// at 00:1e, before a switch at a high slot).
    public static func nextController(_ plan: PlannedDomain, options: PlanOptions) -> [Diagnostic] {
        nextController(plan, before: GuestView(plan), options: options)
    }

    /// `nextController` with the guest's view of `plan` already built.
    static func nextController(_ plan: PlannedDomain, before: GuestView, options: PlanOptions) -> [Diagnostic] {
        // Only a bus behind a bridge or expander can be renumbered (the root bus is always 0, and
        // every address is pinned): without one, the dry run below could find nothing.
        guard before.busNumbers.keys.contains(where: { $0 != 0 }) else { return [] }
        let model = plan.family.descriptor.nextBusController
        if nextControllerComesLast(plan, model: model) {
            // Debug builds (every test) prove the shortcut against the dry run it spares.
            assert(dryRunRenumbering(plan, model: model, before: before, options: options).isEmpty,
                   "nextControllerComesLast, yet the dry run renumbers")
            return []
        }
        return dryRunRenumbering(plan, model: model, before: before, options: options)
    }

    /// Whether libvirt's first fit surely puts the next `model` on the root bus after every
    /// bridge there, where the firmware numbers its bus last and renumbers nothing; then the
    /// dry run (a second plan, half of a q35 `check`) is not needed. Looks only at the root
    /// bus's slots before its last bridge: a free one, or a free function of a slot that holds
    /// only root ports (libvirt packs them), could take the new controller. Unknown reservations
    /// count as free, so the answer errs towards the dry run. Expander buses: always the dry run.
    static func nextControllerComesLast(_ plan: PlannedDomain, model: ControllerModel) -> Bool {
        var used: [[Int]] = Array(repeating: [], count: 32)   // slot → devices at its functions
        var lastBridge: (slot: Int, function: Int)?
        for (i, p) in plan.placements where p.address.bus == 0 && p.address.domain == 0 {
            guard (0..<32).contains(p.address.slot) else { return false }
            used[p.address.slot].append(i)
            if let m = plan.devices[i].controller?.pciModel, GuestNumbering.role(m) == .bridge {
                let here = (p.address.slot, p.address.function)
                if lastBridge.map({ here > $0 }) ?? true { lastBridge = here }
            }
        }
        guard !hasExpanderBus(plan), let last = lastBridge else { return false }
        func isRootPort(_ i: Int) -> Bool { plan.devices[i].controller?.pciModel == .pcieRootPort }
        for slot in 1...last.slot {
            if used[slot].isEmpty { return false }   // a free slot before the last bridge
            guard model == .pcieRootPort, used[slot].allSatisfy(isRootPort) else { continue }
            var taken: UInt8 = 0   // the slot's functions in use, one bit each
            for j in used[slot] {
                if let f = plan.placements[j]?.address.function, (0..<8).contains(f) { taken |= 1 << f }
            }
            for function in 0..<8 where taken & (1 << function) == 0 && (slot, function) < last { return false }
        }
        switch model {
        case .pcieRootPort:
            // A root port goes on the root bus or nowhere: without a free place there the dry
            // run fails, and finds nothing either.
            return true
        default:
            // A bridge that finds no free root slot goes behind another bridge and renumbers:
            // ask for a free slot after the last bridge (not the chipset's).
            let chipset = plan.family.descriptor.chipsetSlot
            return (last.slot + 1..<32).contains { used[$0].isEmpty && $0 != chipset }
        }
    }

    /// Whether a pci- or pcie-expander-bus starts a bus range of its own (numbered from its busNr).
    static func hasExpanderBus(_ plan: PlannedDomain) -> Bool {
        plan.devices.indices.contains { i in
            guard let m = plan.devices[i].controller?.pciModel else { return false }
            return m == .pciExpanderBus || m == .pcieExpanderBus
        }
    }

    /// The dry run of `nextController`: plans `plan` once more with the next `model` added.
    static func dryRunRenumbering(_ plan: PlannedDomain, model: ControllerModel, before: GuestView,
                                  options: PlanOptions) -> [Diagnostic] {
        var n = plan.normalized
        for (i, p) in plan.placements { n.devices[i].address = .pci(p.address, multifunction: p.multifunction) }
        let top = n.controllerOrder.compactMap { n.devices[$0].isPCIController ? n.devices[$0].controller?.index : nil }.max() ?? 0
        guard top < 255 else { return [] }
        n.devices.append(.pciController(index: top + 1, model: model, origin: .added("the next \(model.rawValue) libvirt adds")))
        n.controllerOrder.append(n.devices.count - 1)
        let (grown, _) = Planner.plan(n, options: options)
        guard let grown, let at = grown.placements[n.devices.count - 1]?.address else { return [] }
        let after = GuestView(grown)
        // Interfaces and disks first (their names change), then in guest address order.
        let renamed = plan.placements.keys.compactMap { i -> (Int, GuestPCIAddress, GuestPCIAddress?)? in
            guard let old = before.address(of: i), after.address(of: i) != old else { return nil }
            return (i, old, after.address(of: i))
        }.sorted { a, b in
            let named = { (i: Int) in [.interface, .disk].contains(plan.devices[i].kind) ? 0 : 1 }
            return (named(a.0), a.1, a.0) < (named(b.0), b.1, b.0)
        }
        guard !renamed.isEmpty else { return [] }
        // The first bridge the new one is enumerated before (the lowest number that changes).
        let shifted = before.busNumbers.filter { $0.key != 0 && after.busNumber($0.key) != $0.value }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        guard let firstBus = shifted.first?.key, let first = plan.normalized.pciController(index: firstBus) else { return [] }
        let shown = renamed.prefix(3).map { r in
            "\(ABIComparison.label(plan, r.0)) \(r.1) → \(r.2.map(\.description) ?? "none")" + nameChange(before, after, r.0)
        }
        return [.guestNextControllerRenumbers(model.rawValue, address: at, before: ABIComparison.label(plan, first),
                                              firstAddress: plan.placements[first]?.address, bus: firstBus,
                                              was: before.busNumber(firstBus), now: after.busNumber(firstBus),
                                              renamed: Array(shown), total: renamed.count,
                                              lastBridge: before.lastBridge(onBusOf: first), at: range(plan, first))]
    }

    /// ` (enp1s1 → enp2s1)` for an interface, ` (pci-… → pci-…)` for a disk, else empty.
    static func nameChange(_ before: GuestView, _ after: GuestView, _ i: Int) -> String {
        if let a = before.nicNames(i) {
            let b = after.nicNames(i)
            return " (\(a.path) → \(b?.path ?? "none"))"
        }
        if let a = before.diskPaths(i) { return " (\(a.prefix) → \(after.diskPaths(i)?.prefix ?? "none"))" }
        return ""
    }
}

extension GuestView {
    /// The libvirt address of the last bridge or port on the root bus of the range that holds
    /// controller `i`, in enumeration order: after it, a new one renumbers nothing there.
    func lastBridge(onBusOf i: Int) -> PCIAddress? {
        plan.normalized.controllerOrder.compactMap { j -> PCIAddress? in
            guard let m = plan.devices[j].controller?.pciModel, GuestNumbering.role(m) == .bridge,
                  let p = plan.placements[j], p.address.bus == 0 else { return nil }
            return p.address
        }.max()
    }
}
