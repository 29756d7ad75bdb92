import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `diff.guestRenamed`: libvirt's address is the same, the guest's is not.
///
/// The firmware numbers every bus behind a bridge or port while it enumerates (`GuestView`), and
/// the guest names devices from those numbers (`enp5s0`, `/dev/disk/by-path/pci-0000:05:00.0`,
/// udev `KERNELS==`). A bridge or port added, moved or removed before a device's bus in the
/// firmware's depth-first walk, or an expander's busNr changed, renumbers it: the guest renames
/// the device although libvirt (and QEMU) see no change. Reported only under this ID.
extension ABIComparison {
    func guestRenamed(_ i: Int, _ j: Int) -> ABIChange? {
        guard let (og, ng) = guest, let oa = old.placements[i]?.address, let na = new.placements[j]?.address, oa == na else { return nil }
        let before = og.address(of: i), after = ng.address(of: j)
        guard before != after, before != nil else { return nil }
        let seen = after.map { "the guest sees it at \($0) instead of \(before.map(\.description) ?? "")" }
            ?? "the guest no longer sees it (\(GuestExplanation.overflowReason(ng, na.bus)))"
        var names = ""
        if let o = og.nicNames(i) {
            let n = ng.nicNames(j)
            names = ": \(o.path) → \(n?.path ?? "none")"
            if o.policy != o.path || n?.policy != n?.path {
                names += o.policy == n?.policy
                    ? " (the name the default policy picks stays \(o.policy))"
                    : " (the name the default policy picks: \(o.policy) → \(n?.policy ?? "none"))"
            }
        } else if let o = og.diskPaths(i) {
            names = ": /dev/disk/by-path/\(o.prefix)… → \(ng.diskPaths(j).map { "/dev/disk/by-path/\($0.prefix)…" } ?? "none")"
        }
        var notes = causes(bus: oa.bus).map { ABIChange.Note($0.text, at: $0.at) }
        notes.append(.init("libvirt's own ABI check and QEMU see no change: the firmware gives the bus its number at boot, and the guest's device names carry it"))
        notes.append(.init("fix: plan with `pciplan plan \(fileName(.new)) --keep \(fileName(.old))`, which places new bridges and ports after every kept bus"))
        return change(.guestRenamed, "\(label(.old, i)) keeps its libvirt address \(oa), but \(seen)\(names)", old: i, new: j, notes: notes)
    }

    /// Why libvirt's bus `bus` has another guest number: the bridges and ports that the firmware
    /// now meets before it and did not (added or moved there), those it no longer meets, or the
    /// expander's changed busNr.
    func causes(bus: Int) -> [(text: String, at: ABIChange.Location?)] {
        guard let (og, ng) = guest else { return [] }
        let what: String
        switch (og.busNumber(bus), ng.busNumber(bus)) {
        case let (o?, n?): what = "libvirt's bus \(bus) becomes guest bus \(n) instead of \(o)"
        case let (o?, nil): what = "libvirt's bus \(bus) loses its guest bus number, \(o)"
        case let (nil, n?): what = "libvirt's bus \(bus) gets guest bus number \(n)"
        case (nil, nil): what = "libvirt's bus \(bus) has no guest bus number"
        }
        var out: [(text: String, at: ABIChange.Location?)] = []
        // The bus's own controller, or one above it, sits elsewhere now.
        var b = bus
        var seen: Set<Int> = []
        while b != 0, !seen.contains(b), let j = new.normalized.pciController(index: b), let i = old.normalized.pciController(index: b),
              let np = new.placements[j], let op = old.placements[i] {
            seen.insert(b)
            if np.address != op.address {
                out.append(("\(label(.new, j)) moved from \(op.address) to \(np.address) in \(fileName(.new)), so the firmware meets it at another point of its walk: \(what)", location(.new, j)))
                return out
            }
            b = np.address.bus
        }
        let (op, np) = (Self.predecessors(og, bus), Self.predecessors(ng, bus))
        let added = np.filter { !op.contains($0) }
        for b in added {
            guard let j = new.normalized.pciController(index: b) else { continue }
            // A new bridge behind another one listed here comes with it.
            if let up = new.placements[j]?.address.bus, added.contains(up) { continue }
            let at = new.placements[j].map { " at \($0.address)" } ?? ""
            let how: String
            if let i = old.normalized.pciController(index: b), old.devices[i].controller?.model == new.devices[j].controller?.model {
                how = "moved from \(old.placements[i].map(\.address.description) ?? "nowhere") to \(new.placements[j].map(\.address.description) ?? "nowhere") in \(fileName(.new))"
            } else {
                how = "is new in \(fileName(.new))\(at)"
            }
            out.append(("\(label(.new, j)) \(how), and the firmware now numbers it before libvirt's bus \(bus): \(what)", location(.new, j)))
        }
        for b in op.filter({ !np.contains($0) }) {
            guard let i = old.normalized.pciController(index: b) else { continue }
            let fate = pairing.oldToNew[i] == nil || new.normalized.pciController(index: b) == nil
                ? "is gone in \(fileName(.new))"
                : "is no longer numbered before libvirt's bus \(bus) (\(fate(ofOld: i)))"
            out.append(("\(label(.old, i)) \(fate): \(what)", location(.old, i)))
        }
        if out.isEmpty, let start = ng.rangeOf[bus], start != 0, let ci = new.normalized.pciController(index: start),
           let oi = old.normalized.pciController(index: start), old.controllerInfo(oi)?.busNr != new.controllerInfo(ci)?.busNr {
            out.append(("\(label(.new, ci)) starts its bus numbers at busNr \(new.controllerInfo(ci)?.busNr.map(String.init) ?? "?") instead of \(old.controllerInfo(oi)?.busNr.map(String.init) ?? "?"): \(what)", location(.new, ci)))
        }
        if out.isEmpty { out.append((what, nil)) }
        return out
    }

    /// The bridges and ports the firmware numbers before bus `bus` in its range (its own ancestors
    /// included), as libvirt bus indexes.
    static func predecessors(_ g: GuestView, _ bus: Int) -> [Int] {
        guard let r = g.rangeOf[bus] else { return [] }
        var out: [Int] = []
        for b in g.enumeration {
            if b == bus { break }
            if g.rangeOf[b] == r { out.append(b) }
        }
        return out
    }
}
