import PCIPlanModel
import PCIPlanSource

/// How many more devices a planned topology takes: hot-plugged into the running guest (by
/// libvirt's live rules, `Planner.attachLive`) and added cold without a new controller.
///
/// Every count is of free slots, because every hot-plug and every first-fit placement takes a
/// whole empty slot (function 0 of it). The counts of one kind overlap with the other kinds'
/// where one slot takes both (a pci-bridge slot takes a conventional device either hot or cold).
/// On a pc machine every device is a conventional PCI device, so only the conventional counts
/// apply there.
public struct Headroom: Sendable, Hashable {
    /// Free slots a PCI Express endpoint can be hot-plugged into now: empty root ports and
    /// switch downstream ports whose `hotplug` is not off.
    public var pcieHotplug = 0
    /// Free slots a conventional PCI device can be hot-plugged into now: pci-bridge and
    /// pcie-to-pci-bridge slots, and pci-root slots of a pc machine with `<acpi/>`.
    public var conventionalHotplug = 0
    /// Empty slots on hot-pluggable buses: each takes one multifunction group hot-added as a
    /// whole (`attach --qmp`); libvirt itself hot-plugs function 0 only.
    public var multifunctionGroups = 0
    /// PCI Express endpoints libvirt's first fit can still place at define, no controller added.
    public var pcieCold = 0
    /// Conventional PCI devices libvirt's first fit can still place at define, no controller added.
    public var conventionalCold = 0
    /// Indexes of the PCI controllers that provide a free hot-pluggable PCI Express slot.
    public var freePorts: [Int] = []
    /// The pc root bus would take hot-plugged devices, but the domain has no `<acpi/>`.
    public var rootNeedsACPI = false
    /// Bus (controller index) → its free slots that take a hot-plugged device now, for the
    /// buses that have any (the topology drawing shows them).
    public var freeHotplugSlots: [Int: Int] = [:]
}

extension Planner {
    /// The headroom of a planned domain.
    public static func headroom(_ plan: PlannedDomain) -> Headroom {
        let n = plan.normalized
        var p = Planner(n, options: PlanOptions())
        p.stored = plan.placements
        var h = Headroom()
        // A planned domain always builds its own address set; nothing to count otherwise.
        guard let set = try? p.addressSet(dryRun: false) else { return h }
        let acpi = n.definition.hasACPI
        for (b, bus) in set.buses.enumerated() {
            let free = (bus.minSlot...bus.maxSlot).filter { bus.functions[$0] == 0 }.count
            guard free > 0 else { continue }
            var hot = bus.flags.contains(.hotpluggable)
            if hot && bus.model == .pciRoot && !acpi {
                hot = false
                h.rootNeedsACPI = true
            }
            if hot {
                h.freeHotplugSlots[b] = free
                h.multifunctionGroups += free
                if bus.flags.contains(.pcieDevice) {
                    h.pcieHotplug += free
                    h.freePorts.append(b)
                }
                if bus.flags.contains(.pciDevice) { h.conventionalHotplug += free }
            }
            if bus.flags.contains(.autoAssign) {
                if bus.flags.contains(.pcieDevice) { h.pcieCold += free }
                if bus.flags.contains(.pciDevice) { h.conventionalCold += free }
            }
        }
        return h
    }
}
