import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Compares two planned definitions of one guest (stage 5, beside the renderers).
public enum ABIDiff {
    /// Pairs the devices of `old` and `new` by identity (`DevicePairing`) and lists every
    /// guest-visible PCI change: the old devices in order (what moved or flipped, what is gone),
    /// then the new ones (what is added, and whose address it takes). `options` must be the ones
    /// both plans were made with (the multifunction policy changes what `diff.multifunction` reports).
    public static func compare(old: PlannedDomain, new: PlannedDomain, options: PlanOptions = PlanOptions()) -> [ABIChange] {
        compareAndPair(old: old, new: new, options: options).changes
    }

    /// `compare`, and which device of `old` was paired with which of `new` and why, in old
    /// device order (`diff --format json` prints them as `pairs`).
    public static func compareAndPair(old: PlannedDomain, new: PlannedDomain, options: PlanOptions = PlanOptions())
        -> (changes: [ABIChange], pairs: [ABIPair])
    {
        let views = (old: QEMUView(old), new: QEMUView(new))
        var c = ABIComparison(old: old, new: new, pairing: DevicePairing(old: old.devices, new: new.devices, views: views),
                              options: options, views: views)
        c.guest = (GuestView(old), GuestView(new))
        var out: [ABIChange] = []
        for i in old.devices.indices {
            guard c.relevant(old, i) else {
                if let r = c.guestRenamedDrive(i) { out.append(r) }  // a SCSI/SATA/IDE disk's by-path
                continue
            }
            if let j = c.pairing.oldToNew[i] { out += c.comparePair(i, j) } else { out.append(c.removed(i)) }
        }
        for j in new.devices.indices where c.relevant(new, j) {
            if let i = c.pairing.newToOld[j] {
                if !c.relevant(old, i) { out += c.comparePair(i, j) }
                continue
            }
            out.append(c.added(j))
            if let d = c.displaced(j) { out.append(d) }
        }
        let pairs = c.pairing.oldToNew.sorted { $0.key < $1.key }.map { i, j in
            ABIPair(old: c.side(.old, i), new: c.side(.new, j), how: c.pairing.how[i] ?? "")
        }
        return (out, pairs)
    }
}

/// One device present in both definitions: what `diff` compared, and why it took them for
/// the same device (`user alias 'ua-net0'`, `disk target 'vda'`, `same guest view: rng`).
public struct ABIPair: Sendable, Hashable {
    /// The device in the old definition.
    public var old: ABIChange.Side
    /// The device in the new definition.
    public var new: ABIChange.Side
    /// The pairing rule that matched them (Docs/abi.md, "How devices are paired").
    public var how: String
}

enum DiffSide { case old, new }

/// The two plans, their pairing and the helpers every check shares.
struct ABIComparison {
    let old: PlannedDomain
    let new: PlannedDomain
    let pairing: DevicePairing
    let options: PlanOptions
    /// What QEMU shows the guest of either side's PCI functions.
    let views: (old: QEMUView, new: QEMUView)
    /// What the guest sees of either side, for `diff.guestRenamed`.
    var guest: (old: GuestView, new: GuestView)? = nil

    func plan(_ s: DiffSide) -> PlannedDomain { s == .old ? old : new }
    func fileName(_ s: DiffSide) -> String { plan(s).normalized.definition.file.name }

    /// A device matters to the diff when it has a PCI address or is a PCI controller.
    func relevant(_ p: PlannedDomain, _ i: Int) -> Bool { p.placements[i] != nil || p.devices[i].isPCIController }

    func location(_ s: DiffSide, _ i: Int) -> ABIChange.Location {
        ABIChange.Location(file: fileName(s), offset: plan(s).devices[i].element?.startTag.lowerBound)
    }

    /// `disk 'vda' (virtio-disk0)`, `pcie-root-port 'pci.3'`, `usb controller 0 (qemu-xhci)`.
    func label(_ s: DiffSide, _ i: Int) -> String { Self.label(plan(s), i) }

    static func label(_ p: PlannedDomain, _ i: Int) -> String {
        let d = p.devices[i]
        if let c = p.controllerInfo(i) {
            let idx = c.index.map(String.init) ?? "?"
            if c.type == "pci" { return "\(c.model ?? "PCI controller") '\(d.alias ?? "pci.\(idx)")'" }
            return "\(c.type) controller \(idx)" + (c.model.map { " (\($0))" } ?? "")
        }
        return d.name + (d.alias.map { " (\($0))" } ?? "")
    }

    func side(_ s: DiffSide, _ i: Int) -> ABIChange.Side {
        let p = plan(s).placements[i]
        return ABIChange.Side(name: label(s, i), alias: plan(s).devices[i].alias, address: p?.address,
                              multifunction: p?.multifunction ?? .absent, at: location(s, i),
                              guest: s == .old ? views.old[i] : views.new[i])
    }

    func change(_ kind: ABIChange.Kind, _ message: String, old i: Int?, new j: Int?, notes: [ABIChange.Note] = [],
                libvirtChecks: Bool? = nil) -> ABIChange
    {
        let at = i.map { location(.old, $0) } ?? j.map { location(.new, $0) } ?? ABIChange.Location(file: fileName(.new), offset: nil)
        return ABIChange(kind, message, at: at, notes: notes, old: i.map { side(.old, $0) }, new: j.map { side(.new, $0) },
                         libvirtChecks: libvirtChecks)
    }

    /// What became of an old device in the new definition, as a phrase.
    func fate(ofOld i: Int) -> String {
        guard let j = pairing.oldToNew[i] else { return "removed in \(fileName(.new))" }
        guard let a = new.placements[j]?.address else { return "no longer on PCI in \(fileName(.new))" }
        if a == old.placements[i]?.address { return "still there in \(fileName(.new))" }
        return "moved to \(a) in \(fileName(.new))"
    }

    /// How a new device came by its address, as a phrase ("placed by libvirt's first fit …").
    func origin(ofNew j: Int) -> String {
        guard let p = new.placements[j] else { return "it has no PCI address" }
        return ProvenanceText.because(p, device: new.devices[j])
    }

    /// The old device (other than `except`) whose address was `a`.
    func oldHolder(of a: PCIAddress, except: Int? = nil) -> Int? {
        old.placements.filter { $0.key != except && $0.value.address == a }.map(\.key).min()
    }

    // MARK: added, removed, displaced

    func removed(_ i: Int) -> ABIChange {
        let at = old.placements[i].map { " at \($0.address)" } ?? ""
        return change(.removed, "\(label(.old, i))\(at) is removed", old: i, new: nil)
    }

    func added(_ j: Int) -> ABIChange {
        let at = new.placements[j].map { " at \($0.address)" } ?? ""
        var notes: [ABIChange.Note] = []
        if new.placements[j] != nil { notes.append(.init(origin(ofNew: j), at: location(.new, j))) }
        if case .added(let why) = new.devices[j].origin { notes.append(.init("libvirt adds it: \(why)")) }
        return change(.added, "\(label(.new, j))\(at) is added", old: nil, new: j, notes: notes)
    }

    /// A new device that took an address an old device had: guest configuration bound to the
    /// path (udev `by-path`, NIC names) now finds a different device there.
    func displaced(_ j: Int) -> ABIChange? {
        guard let a = new.placements[j]?.address, let i = oldHolder(of: a) else { return nil }
        return change(.displaced, "\(label(.new, j)) takes \(a), which \(label(.old, i)) had in \(fileName(.old)) (\(fate(ofOld: i)))",
                      old: nil, new: j, notes: [.init("\(label(.old, i)) was here", at: location(.old, i))])
    }
}
