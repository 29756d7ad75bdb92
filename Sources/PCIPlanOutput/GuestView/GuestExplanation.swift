import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `explain`'s sentences about the guest: where it sees a device and why (the firmware's bus
/// numbering), the bus number a controller's bus gets, an interface's systemd names and a disk's
/// `/dev/disk/by-path` names.
enum GuestExplanation {
    static func sentences(_ guest: GuestView, _ i: Int) -> [String] {
        let plan = guest.plan
        var s: [String] = []
        if let p = plan.placements[i] {
            if let ga = guest.address(of: i) {
                s.append(p.address.bus == 0
                    ? "The guest sees it at \(ga), on the root bus, which is bus 0 for the guest too."
                    : "The guest sees it at \(ga): \(busReason(guest, p.address.bus)).")
            } else {
                s.append("The guest does not see it: \(overflowReason(guest, p.address.bus)).")
            }
        }
        if let c = plan.devices[i].controller, c.type == "pci", let idx = c.index, idx > 0 {
            if guest.busNumber(idx) != nil {
                s.append("The guest numbers the bus it provides \(guest.busNumber(idx) ?? 0): \(busReason(guest, idx)).")
            } else {
                s.append("The guest firmware cannot number the bus it provides: \(overflowReason(guest, idx)).")
            }
        }
        if let n = guest.nicNames(i) {
            var names = ["\(n.path) (path)"]
            names.append(n.slot.map { "\($0) (slot)" } ?? "no slot name (\(noSlotReason(guest, i)))")
            if let o = n.onboard { names.append("\(o) (onboard, from <acpi index>)") }
            if let m = n.mac { names.append("\(m) (MAC)") }
            s.append("systemd v252 names it \(names.joined(separator: ", ")); the default policy (onboard, then slot, then path) picks \(n.policy).")
        }
        if let d = guest.diskPaths(i) {
            s.append(d.links.isEmpty
                ? "Its /dev/disk/by-path names start with \(d.prefix) (the rest of the path is not modeled for this controller)."
                : "Its /dev/disk/by-path names are \(d.links.joined(separator: " and ")).")
        }
        return s
    }

    /// Why libvirt's bus `index` gets its guest number, as a phrase.
    static func busReason(_ guest: GuestView, _ index: Int) -> String {
        let plan = guest.plan
        let n = guest.busNumber(index) ?? 0
        let who = plan.normalized.pciController(index: index).map { ABIComparison.label(plan, $0) } ?? "bus \(index)"
        switch guest.reasons[index] {
        case .root?, nil:
            return "bus \(index) is the root bus, bus 0"
        case .bridge(let k, let start)?:
            let from = start == 0 ? "from the root bus" : "from the expander bus numbered \(start)"
            return "the firmware numbers libvirt's bus \(index) (\(who)) \(n), because it is the \(ordinal(k)) bridge or port it meets walking the buses depth first \(from), each bus in (slot, function) order"
        case .expander(let busNr, let internalBridge)?:
            if internalBridge {
                return "\(who) is QEMU's pxb with busNr \(busNr): it puts an internal pci-bridge at \(hex(0, 4)):\(hex(busNr, 2)):00.0, and libvirt's bus \(index) is the bus behind that bridge, \(busNr + 1)"
            }
            return "\(who) starts a range of bus numbers of its own at its busNr, \(busNr)"
        }
    }

    static func overflowReason(_ guest: GuestView, _ index: Int) -> String {
        let plan = guest.plan
        guard let o = guest.overflows.first(where: { $0.buses.contains(index) }) else { return "its bus has no number" }
        return "\(ABIComparison.label(plan, o.expander)) starts at busNr \(o.busNr) and its buses would need numbers up to \(o.needed), past 255, so SeaBIOS hangs at boot and OVMF boots without the devices there"
    }

    /// Why an interface has no `ens` name.
    static func noSlotReason(_ guest: GuestView, _ i: Int) -> String {
        let plan = guest.plan
        guard plan.family.descriptor.acpiPCIHotplug else { return "pciplan models slot names only for the x86 machines' ACPI PCI hotplug" }
        guard plan.normalized.definition.hasACPI else { return "without <acpi/> the guest has no ACPI hotplug slots" }
        guard let bus = plan.placements[i]?.address.bus, let ci = plan.normalized.pciController(index: bus),
              let m = plan.devices[ci].controller?.pciModel else { return "no hotplug slot" }
        guard let range = guest.hotplugSlotCandidates(bus: bus) else {
            switch m {
            case .pcieRoot: return "q35's pcie.0 has no hotplug slots"
            case .pciBridge, .pcieToPCIBridge, .dmiToPCIBridge, .pciRoot, .pcieRootPort, .pcieSwitchDownstreamPort,
                 .pciExpanderBus:
                return "nothing on or below a pci-expander-bus has hotplug slots"
            case .pcieSwitchUpstreamPort: return "a switch's upstream bus has no hotplug slots"
            case .pcieExpanderBus: return "a pcie-expander-bus's own bus has no hotplug slots"
            }
        }
        if range == 0...0 { return "a root or downstream port's only slot is 0, which systemd does not use" }
        if let slot = plan.placements[i]?.address.slot, slot == 0 { return "slot 0 names nothing" }
        return "an earlier bus registered slot number \(plan.placements[i]?.address.slot ?? 0) first, so the guest names this slot with a suffix"
    }

    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
