import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Why one device or controller sits where it does, in plain sentences.
public struct DeviceExplanation: Sendable, Hashable {
    /// Index into `PlannedDomain.devices`.
    public var index: Int
    /// `disk 'vda' (virtio-disk0)`, `pcie-root-port 'pci.3'`.
    public var label: String
    /// libvirt's alias for the device, if it has one.
    public var alias: String?
    /// The planned PCI address; nil for a device without one.
    public var address: PCIAddress?
    /// The `multifunction` value of the planned address.
    public var multifunction: Tristate
    /// The device's start tag; nil for what libvirt (or `--keep`) adds.
    public var location: SourceRange?
    /// The explanation: the rule that gave the address, the bus's provider, the multifunction bit,
    /// what the guest sees.
    public var sentences: [String]
    /// Where the guest sees the device (`GuestView`); nil without a PCI address or on a bus the
    /// firmware cannot number.
    public var guestAddress: GuestPCIAddress? = nil
}

/// Builds explanations from a planned domain: provenance, `Placement.sequence`, the
/// derived-multifunction source and the planner's steps (spec §5, §7).
public enum Explainer {
    /// Explanations for every device with a PCI address and every PCI controller, root first,
    /// then in address order; `including` adds other devices (without an address).
    public static func explain(_ plan: PlannedDomain, options: PlanOptions = PlanOptions(),
                               including: ((Int) -> Bool)? = nil) -> [DeviceExplanation]
    {
        let shown = plan.devices.indices.filter { i in
            let d = plan.devices[i]
            guard d.kind != .emulator && d.kind != .crypto else { return false }
            return plan.placements[i] != nil || d.isPCIController || including?(i) == true
        }
        let sorted = shown.sorted { a, b in
            let pa = plan.placements[a]?.address, pb = plan.placements[b]?.address
            switch (pa, pb) {
            case let (x?, y?): return (x, a) < (y, b)
            case (nil, _?): return plan.devices[a].isPCIController
            case (_?, nil): return !plan.devices[b].isPCIController
            case (nil, nil): return a < b
            }
        }
        let guest = GuestView(plan)
        return sorted.map { explainOne(plan, $0, options: options, guest: guest) }
    }

    /// Whether `id` names device `i`: its alias (`net0`, `pci.3`, a user `ua-` alias), disk
    /// target (`vda`), MAC (any case) or PCI address (`0000:00:04.0`).
    public static func matches(_ plan: PlannedDomain, _ i: Int, _ id: String) -> Bool {
        let d = plan.devices[i]
        let want = id.lowercased()
        var names: [String] = []
        if let a = d.alias { names.append(a) }
        if let ua = d.element?.child("alias")?[attribute: "name"] { names.append(ua) }
        if d.kind == .disk, let t = d.element?.child("target")?[attribute: "dev"] { names.append(t) }
        if let mac = d.element?.child("mac")?[attribute: "address"] { names.append(mac) }
        if let a = plan.placements[i]?.address {
            names.append(a.description)
            if a.domain == 0 { names.append(String(a.description.dropFirst(5))) }  // lspci's short form, 00:1b.0
        }
        return names.contains { $0.lowercased() == want }
    }

    static func explainOne(_ plan: PlannedDomain, _ i: Int, options: PlanOptions, guest: GuestView) -> DeviceExplanation {
        let d = plan.devices[i]
        let p = plan.placements[i]
        let file = plan.normalized.definition.file.name
        var s: [String] = []
        if let p {
            s.append(capitalized(addressSentence(plan, i, p)))
            if p.address.bus > 0, let ci = plan.normalized.pciController(index: p.address.bus) {
                let at = plan.placements[ci].map { " at \($0.address)" } ?? ""
                s.append("Bus \(p.address.bus) is provided by \(ABIComparison.label(plan, ci))\(at).")
            }
        } else {
            s.append(noAddressSentence(plan, i))
        }
        if let why = addedSentence(plan, i) { s.append(why) }
        s += controllerSentences(plan, i)
        if let p, let m = multifunctionSentence(plan, i, p, options: options) { s.append(m) }
        s += GuestExplanation.sentences(guest, i)
        let loc = d.element.map { SourceRange(file: file, startTagOf: $0) }
        var e = DeviceExplanation(index: i, label: ABIComparison.label(plan, i), alias: d.alias, address: p?.address,
                                  multifunction: p?.multifunction ?? .absent, location: loc, sentences: s)
        e.guestAddress = guest.address(of: i)
        return e
    }

    static func capitalized(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst() + (s.hasSuffix(".") ? "" : ".")
    }

    static func addressSentence(_ plan: PlannedDomain, _ i: Int, _ p: Placement) -> String {
        let d = plan.devices[i]
        switch p.provenance {
        case .planned(let step):
            let n = p.sequence.map { " It was address #\($0) handed out." } ?? ""
            return "libvirt's first fit gave it \(p.address), the first free slot that takes a \(ProvenanceText.slotKind(d)) device when its turn came in libvirt's class order (\(step)).\(n)"
        case .explicit:
            return "\(p.address) is written in the input, and libvirt keeps explicit addresses"
        default:
            return "it is at \(p.address): " + ProvenanceText.because(p, device: d)
        }
    }

    static func noAddressSentence(_ plan: PlannedDomain, _ i: Int) -> String {
        let d = plan.devices[i]
        if let m = d.controller?.pciModel, m.isRoot {
            return "It is the root bus (\(m.rawValue)) of the \(plan.family.descriptor.chipsetName) machine and has no address itself; devices on bus 0 plug straight into it."
        }
        if d.virtioMMIOAssigned {
            // qemuDomainAssignVirtioMMIOAddresses: address-less virtio devices follow the first one.
            let first = plan.devices.first { $0.address == .other("virtio-mmio") && !$0.virtioMMIOAssigned }
            return "It has no PCI address: libvirt puts it on virtio-mmio and stores <address type='virtio-mmio'/>, because another device of the domain uses virtio-mmio\(first.map { " (\($0.name) has <address type='virtio-mmio'/>)" } ?? ""); give it <address type='pci'/> to keep it on PCI."
        }
        if case .other(let t) = d.address { return "It has no PCI address: its address is of type '\(t)'." }
        if d.flags.isEmpty { return "It has no PCI address: in this configuration it is not a PCI device." }
        return "It has no PCI address."
    }

    /// Why libvirt (or `plan --keep`) added the device, using the planner's steps.
    static func addedSentence(_ plan: PlannedDomain, _ i: Int) -> String? {
        let d = plan.devices[i]
        guard case .added(let why) = d.origin else { return nil }
        if d.keptReason != nil { return "plan --keep carried it over: \(why)." }
        // The planner records why its dry run added each bus in the device's origin.
        if let c = d.controller, c.type == "pci", let idx = c.index, let m = c.model, !why.hasPrefix("the ") {
            let busEmpty = !plan.placements.values.contains { $0.address.bus == idx }
            if busEmpty && why.contains("spare") {
                return "libvirt added it as its one spare \(m) for hotplug: nothing sits on bus \(idx) (libvirt reserves it once, for a definition without PCI controllers)."
            }
            return "libvirt added it in its dry run: \(why)."
        }
        return "libvirt adds it at define: \(why)."
    }

    static func controllerSentences(_ plan: PlannedDomain, _ i: Int) -> [String] {
        guard let c = plan.controllerInfo(i), c.type == "pci", let idx = c.index else { return [] }
        var s: [String] = []
        let onBus = plan.placements.filter { $0.value.address.bus == idx && $0.key != i }
            .sorted { ($0.value.address, $0.key) < ($1.value.address, $1.key) }
            .map { "\(ABIComparison.label(plan, $0.key)) at \($0.value.address)" }
        s.append("It provides bus \(idx)" + (onBus.isEmpty ? ", which is empty." : ": " + onBus.joined(separator: ", ") + "."))
        if let f = plan.filledDefaults[i] {
            var filled: [String] = []
            if let n = f.modelName { filled.append("<model name='\(n)'/> (the QEMU device for \(c.model ?? "it"))") }
            if let v = f.chassisNr { filled.append("chassisNr=\(v) (its index)") }
            if let v = f.chassis { filled.append("chassis=\(v) (its index)") }
            if let v = f.port { filled.append("port=0x\(String(v, radix: 16)) (slot × 8 + function of its address)") }
            if let v = f.busNr { filled.append("busNr=\(v) (two below the lowest busNr in use)") }
            if !filled.isEmpty { s.append("libvirt fills in " + filled.joined(separator: ", ") + ".") }
        }
        return s
    }

    static func multifunctionSentence(_ plan: PlannedDomain, _ i: Int, _ p: Placement, options: PlanOptions) -> String? {
        switch p.multifunction {
        case .on:
            if let from = p.multifunctionDerivedFrom {
                let holder = plan.placements.first { $0.value.address == from }.map { ABIComparison.label(plan, $0.key) } ?? "another device"
                return "multifunction='on' is derived: function \(from.function) of slot \(from.slotDescription) holds \(holder), and libvirt 9.0 writes the bit into the definition, so it stays even if that function is removed later."
            }
            if case .explicit = p.provenance { return "multifunction='on' is written in the input." }
            if case .kept = p.provenance { return "multifunction='on' is kept from the old definition." }
            if case .grouped = p.provenance {
                return "multifunction='on' is set because other functions of its host slot share this guest slot (--group-host-functions); the output writes it, so libvirt stores it."
            }
            return "multifunction='on' comes with this position (\(p.provenance.detail))."
        case .off:
            return "multifunction='off' is written in the input; libvirt leaves it alone."
        case .absent:
            guard p.address.function == 0 else { return nil }
            let others = plan.placements.values.contains { $0.address.slotKey == p.address.slotKey && $0.address.function != 0 }
            if others && options.multifunction == .explicit {
                return "Other functions of slot \(p.address.slotDescription) are in use, but with --multifunction=explicit nothing is derived; write multifunction='on'."
            }
            return nil
        }
    }
}
