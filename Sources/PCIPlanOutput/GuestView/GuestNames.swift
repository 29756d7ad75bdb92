import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The names systemd v252 (Debian 12; naming scheme v252) gives a network interface, and the one
/// the default `99-default.link` (`NamePolicy=keep kernel database onboard slot path`) picks.
/// Docs/guest-names.md lists the rules and their limits.
public struct GuestNICNames: Sendable, Hashable {
    /// `ID_NET_NAME_PATH`: `enp<bus>s<slot>`, plus `f<function>` when the function is above 0 or
    /// the function's header has the multifunction bit.
    public var path: String
    /// `ID_NET_NAME_SLOT`: `ens<slot>[f<function>]` when the guest has a hotplug slot directory
    /// named by the bare slot number for it; nil otherwise.
    public var slot: String?
    /// `ID_NET_NAME_MAC`: `enx<mac>`; never picked by the default policy. Nil when the definition
    /// has no MAC (libvirt generates a random one at define).
    public var mac: String?
    /// `ID_NET_NAME_ONBOARD`: `eno<N>` for `<acpi index='N'/>` where QEMU describes it.
    public var onboard: String?
    /// The name the default policy gives the interface: onboard, else slot, else path.
    public var policy: String
}

extension GuestView {
    /// The systemd names of interface `i`; nil for another kind of device, or one the guest does
    /// not see on PCI.
    public func nicNames(_ i: Int) -> GuestNICNames? {
        let d = plan.devices[i]
        guard d.kind == .interface, let p = plan.placements[i], let ga = address(of: i) else { return nil }
        let multifunction = p.multifunction == .on
        let fn = ga.function > 0 || multifunction ? "f\(ga.function)" : ""
        let path = "enp\(ga.bus)s\(ga.slot)\(fn)"
        let slot = slotName(of: i, at: ga, multifunction: multifunction).map { "ens\($0)\(fn)" }
        let mac = Self.mac(of: d).map { "enx" + $0.filter { $0 != ":" } }
        var onboard: String? = nil
        if let n = acpiIndex(of: d), n > 0, describesACPIIndex(bus: p.address.bus) { onboard = "eno\(n)" }
        return GuestNICNames(path: path, slot: slot, mac: mac, onboard: onboard, policy: onboard ?? slot ?? path)
    }

    /// An interface's `<mac address>`, lower case, when it is a well-formed MAC.
    public static func mac(of d: Device) -> String? {
        guard d.kind == .interface, let m = d.element?.child("mac")?[attribute: "address"]?.lowercased() else { return nil }
        let parts = m.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }) else { return nil }
        return m
    }

    func acpiIndex(of d: Device) -> Int? {
        d.element?.child("acpi")?[attribute: "index"].flatMap { parseLibvirtUInt($0) }.map { Int(clamping: $0) }
    }

    /// QEMU 7.2 gives a device its `acpi-index` (the `_DSM` the kernel reads into sysfs
    /// `acpi_index`) only on a bus with ACPI PCI hotplug: the pc root bus, bridges, root and
    /// downstream ports; not q35's pcie.0 (recorded: the guest has no `acpi_index` there) and
    /// nothing below a pci-expander-bus.
    func describesACPIIndex(bus: Int) -> Bool {
        plan.family.descriptor.acpiPCIHotplug && plan.normalized.definition.hasACPI && hotplugSlotCandidates(bus: bus) != nil
    }

    /// The slot number systemd v252 names interface `i` by (`ID_NET_NAME_SLOT`), or nil.
    ///
    /// systemd walks from the interface's function up its bridges and takes the first slot
    /// directory whose name is a positive integer and whose address matches; a match on a bridge
    /// rather than the interface itself counts only for a multifunction interface
    /// (NAMING_BRIDGE_MULTIFUNCTION_SLOT).
    func slotName(of i: Int, at ga: GuestPCIAddress, multifunction: Bool) -> Int? {
        var candidates = [GuestSlot(bus: ga.bus, slot: ga.slot)]
        var bus = plan.placements[i]?.address.bus ?? 0
        var seen: Set<Int> = []
        while bus != 0, !seen.contains(bus), let c = plan.normalized.pciController(index: bus),
              let m = plan.devices[c].controller?.pciModel, GuestNumbering.role(m) == .bridge,
              let p = plan.placements[c], let n = busNumbers[p.address.bus] {
            seen.insert(bus)
            candidates.append(GuestSlot(bus: n, slot: p.address.slot))
            bus = p.address.bus
        }
        for (k, s) in candidates.enumerated() where s.slot > 0 && plainSlots.contains(s) {
            return k == 0 || multifunction ? s.slot : nil
        }
        return nil
    }

    /// The slots of libvirt bus `bus` QEMU 7.2 describes as ACPI hotplug slots (before the ones
    /// holding a bridge are taken out): pc root bus 2–31; behind a pci-bridge, pcie-to-pci-bridge
    /// or dmi-to-pci-bridge 0–31; behind a root or downstream port slot 0; none on pcie.0, a
    /// switch's upstream bus, an expander's own bus or anywhere below a pci-expander-bus.
    func hotplugSlotCandidates(bus: Int) -> ClosedRange<Int>? {
        Self.hotplugSlotCandidates(plan, bus: bus)
    }

    static func hotplugSlotCandidates(_ plan: PlannedDomain, bus: Int) -> ClosedRange<Int>? {
        guard let c = plan.normalized.pciController(index: bus), let m = plan.devices[c].controller?.pciModel else { return nil }
        var b = bus
        var seen: Set<Int> = []
        while b != 0, !seen.contains(b), let ci = plan.normalized.pciController(index: b) {
            seen.insert(b)
            if plan.devices[ci].controller?.pciModel == .pciExpanderBus { return nil }
            guard let up = plan.placements[ci]?.address.bus else { break }
            b = up
        }
        switch m {
        case .pciRoot: return 2...31
        case .pciBridge, .pcieToPCIBridge, .dmiToPCIBridge: return 0...31
        case .pcieRootPort, .pcieSwitchDownstreamPort: return 0...0
        case .pcieRoot, .pcieSwitchUpstreamPort, .pciExpanderBus, .pcieExpanderBus: return nil
        }
    }

    /// The (guest bus, slot) pairs whose slot directory the kernel names by the bare slot number.
    /// The kernel registers the hotplug slots bus by bus in guest bus order (the root bus first);
    /// a number an earlier bus already registered gets a `-2`, `-3`, … suffix, which systemd does
    /// not use. A slot holding a bridge or an expander has no directory. Without `<acpi/>` there is
    /// no ACPI hotplug, and pciplan predicts no slot directories (not recorded).
    static func plainSlots(_ plan: PlannedDomain, _ numbers: [Int: Int]) -> Set<GuestSlot> {
        guard plan.family.descriptor.acpiPCIHotplug, plan.normalized.definition.hasACPI else { return [] }
        var bridgeSlots: [Int: Set<Int>] = [:]
        for i in plan.normalized.controllerOrder where plan.devices[i].isPCIController {
            guard let p = plan.placements[i] else { continue }
            bridgeSlots[p.address.bus, default: []].insert(p.address.slot)
        }
        var taken: Set<Int> = []
        var plain: Set<GuestSlot> = []
        for (bus, n) in numbers.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            guard let range = hotplugSlotCandidates(plan, bus: bus) else { continue }
            for s in range where !(bridgeSlots[bus]?.contains(s) ?? false) {
                if !taken.contains(s) { plain.insert(GuestSlot(bus: n, slot: s)) }
                taken.insert(s)
            }
        }
        return plain
    }
}
