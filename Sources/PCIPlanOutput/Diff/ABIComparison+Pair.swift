import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The checks on one device present in both definitions.
extension ABIComparison {
    func comparePair(_ i: Int, _ j: Int) -> [ABIChange] {
        let od = old.devices[i], nd = new.devices[j]
        // The same virtio device on PCI on one side and on virtio-mmio on the other: another
        // transport, not an edit of the device.
        if let t = transportChange(i, j) { return [t] }
        // A device that is on PCI on one side only (memballoon 'none' → 'virtio', a virtio disk
        // moved to SATA) appears or disappears as a PCI function.
        if !relevant(new, j) {
            return [change(.removed, "\(label(.old, i))\(old.placements[i].map { " at \($0.address)" } ?? "") is no longer a PCI device (now \(label(.new, j)))",
                           old: i, new: j)]
        }
        if !relevant(old, i) {
            var out = [change(.added, "\(label(.new, j))\(new.placements[j].map { " at \($0.address)" } ?? "") becomes a PCI device (was \(label(.old, i)))",
                              old: i, new: j, notes: [.init(origin(ofNew: j), at: location(.new, j))])]
            if let d = displaced(j) { out.append(d) }
            return out
        }
        // A controller of another model under the same type and index is a replacement: one
        // change, which says where the new one sits.
        if let oc = old.controllerInfo(i), let nc = new.controllerInfo(j), oc.model != nc.model {
            return controllerChanges(i, j)
        }
        var out: [ABIChange] = []
        let kindChanged = !od.isPCIController && !nd.isPCIController && Self.connectKind(od) != Self.connectKind(nd)
        // What the guest sees of the device itself (QEMU device, ids, class); a controller's
        // model is compared by controllerChanges. Without a view on both sides, libvirt's
        // connect kind stands in for it.
        let (ov, nv) = (views.old[i], views.new[j])
        let identityChanged: Bool
        if let ov, let nv { identityChanged = od.controller == nil && ov.identity != nv.identity } else { identityChanged = kindChanged }
        if identityChanged {
            if kindChanged { out.append(connectKindChange(i, j)) } else if let ov, let nv { out.append(deviceChanged(i, j, ov, nv)) }
        }
        switch (old.placements[i], new.placements[j]) {
        case let (op?, np?) where op.address != np.address:
            out.append(moved(i, j, from: op, to: np, kindChanged: kindChanged && identityChanged))
        case let (op?, np?):
            if let u = upstream(i, j, at: op.address) { out.append(u) }
            if let m = multifunction(i, j, op, np) { out.append(m) }
            if let r = guestRenamed(i, j) { out.append(r) }
        case let (op?, nil) where !kindChanged:
            out.append(change(.moved, "\(label(.old, i)) at \(op.address) no longer gets a PCI address", old: i, new: j))
        case let (nil, np?) where !kindChanged:
            out.append(change(.moved, "\(label(.new, j)) now gets a PCI address, \(np.address)", old: i, new: j,
                              notes: [.init(origin(ofNew: j), at: location(.new, j))]))
        default:
            break
        }
        if od.controller != nil && nd.controller != nil { out += controllerChanges(i, j) }
        return out
    }

    /// `conventional PCI`, `PCI Express` or `no PCI connection`: what the device needs from its slot.
    static func connectKind(_ d: Device) -> String {
        if d.flags.contains(.pcieDevice) { return "PCI Express" }
        if d.flags.contains(.pciDevice) { return "conventional PCI" }
        return d.flags.isEmpty ? "no PCI connection" : d.flags.kindDescription
    }

    func connectKindChange(_ i: Int, _ j: Int) -> ABIChange {
        let od = old.devices[i], nd = new.devices[j]
        var why = ""
        if od.model != nd.model { why = " (model '\(od.model ?? "default")' → '\(nd.model ?? "default")')" }
        else if od.bus != nd.bus { why = " (bus '\(od.bus ?? "default")' → '\(nd.bus ?? "default")')" }
        return change(.connectKind,
            "\(label(.old, i)) changes from a \(Self.connectKind(od)) device to a \(Self.connectKind(nd)) device\(why)",
            old: i, new: j,
            notes: [.init("the guest sees a different device (PCI Express capability, virtio device ID); on q35 it also needs another kind of slot", at: location(.new, j))])
    }

    /// A virtio device that moves between PCI and virtio-mmio: the guest finds it through
    /// another transport (virtio-mmio devices are enumerated from the device tree or ACPI, not on
    /// a PCI bus), so it is a different device to the guest. On a `virt` board this happens to
    /// every address-less virtio device as soon as one device of the domain uses virtio-mmio.
    func transportChange(_ i: Int, _ j: Int) -> ABIChange? {
        let mmio = AddressSpec.other("virtio-mmio")
        let od = old.devices[i], nd = new.devices[j]
        if let op = old.placements[i], nd.address == mmio {
            let why = nd.virtioMMIOAssigned
                ? "libvirt puts every virtio device without an address on virtio-mmio once one device of the domain uses it"
                : "\(fileName(.new)) gives it a virtio-mmio address"
            return change(.connectKind, "\(label(.old, i)) at \(op.address) moves from PCI to virtio-mmio: \(why)", old: i, new: j,
                notes: [.init("the guest finds it on another transport, as a different device", at: location(.new, j)),
                        .init("fix: keep it on PCI with `pciplan plan \(fileName(.new)) --keep \(fileName(.old))`, or write \(op.address.xml(multifunction: op.multifunction)) in \(fileName(.new))")])
        }
        if od.address == mmio, let np = new.placements[j] {
            return change(.connectKind, "\(label(.new, j)) moves from virtio-mmio to PCI, at \(np.address)", old: i, new: j,
                notes: [.init("the guest finds it on another transport, as a different device; in \(fileName(.new)) \(origin(ofNew: j))", at: location(.new, j))])
        }
        return nil
    }

    /// Same place, but QEMU builds another device there: another NIC model, the second qxl that
    /// becomes the primary video (`qxl-vga`), a virtio device that turns transitional.
    func deviceChanged(_ i: Int, _ j: Int, _ ov: QEMUFunctionView, _ nv: QEMUFunctionView) -> ABIChange {
        let od = old.devices[i], nd = new.devices[j]
        let fields = ov.changedFields(to: nv).filter { ["driver", "ids", "subsystem", "class"].contains($0) }
        var notes: [ABIChange.Note] = [.init("the guest sees \(fields.joined(separator: ", ")) change: its driver binds anew, and what it configured for the old device (a NIC's name and settings, a disk's by-path link) may not follow", at: location(.new, j))]
        let why: String
        if od.model != nd.model {
            why = "model '\(od.model ?? "default")' → '\(nd.model ?? "default")'"
            notes.append(.init("fix: keep model '\(od.model ?? "default")' in \(fileName(.new)), or add the new model as another device"))
        } else if od.kind == .video, new.normalized.videoOrder.first == j, old.normalized.videoOrder.first != i {
            why = "it becomes the primary video, which libvirt builds as the VGA-compatible variant"
            notes.append(.init("fix: keep \(label(.old, old.normalized.videoOrder.first ?? i)) as the first <video> in \(fileName(.new))"))
        } else if od.kind == .video, old.normalized.videoOrder.first == i, new.normalized.videoOrder.first != j {
            why = "it is no longer the primary video, so libvirt builds it without its VGA part"
        } else {
            why = "QEMU builds \(nv.driver ?? "another device") instead of \(ov.driver ?? "the machine's own function")"
        }
        return change(.deviceChanged,
                      "\(label(.old, i))\(new.placements[j].map { " at \($0.address)" } ?? "") is another device to the guest: \(ov.identityDescription) → \(nv.identityDescription) (\(why))",
                      old: i, new: j, notes: notes, libvirtChecks: od.model != nd.model)
    }

    func moved(_ i: Int, _ j: Int, from op: Placement, to np: Placement, kindChanged: Bool) -> ABIChange {
        var notes: [ABIChange.Note] = [.init("in \(fileName(.new)) \(origin(ofNew: j))", at: location(.new, j))]
        if kindChanged { notes.append(.init("it now needs a \(Self.connectKind(new.devices[j])) slot")) }
        if let h = oldHolder(of: np.address, except: i) {
            notes.append(.init("\(np.address) was \(label(.old, h)) in \(fileName(.old)), \(fate(ofOld: h))", at: location(.old, h)))
        }
        if case .explicit = np.provenance {} else {
            notes.append(.init("fix: keep the old address with `pciplan plan \(fileName(.new)) --keep \(fileName(.old))`, or write \(op.address.xml(multifunction: op.multifunction)) in \(fileName(.new))"))
        }
        return change(.moved, "\(label(.old, i)) moved from \(op.address) to \(np.address)", old: i, new: j, notes: notes)
    }

    /// The controllers above a bus, nearest first: `pcie-root-port index 1 at 0000:00:02.0`.
    func chain(_ p: PlannedDomain, bus: Int) -> [String] {
        var out: [String] = []
        var b = bus
        var seen: Set<Int> = []
        while !seen.contains(b), let ci = p.normalized.pciController(index: b), let c = p.controllerInfo(ci) {
            seen.insert(b)
            let at = p.placements[ci]
            let driver = QEMUDriverNames.driver(p, ci, primaryVideo: nil)
            let qemu = driver.flatMap { $0 == c.pciModel?.defaultModelName ? nil : " (\($0))" } ?? ""
            out.append("\(c.model ?? "?")\(qemu) index \(b)" + (at.map { " at \($0.address)" } ?? ""))
            guard let at, c.pciModel?.isRoot != true else { break }
            b = at.address.bus
        }
        return out
    }

    /// Same address, but the bus it names is provided by a different chain of controllers.
    func upstream(_ i: Int, _ j: Int, at a: PCIAddress) -> ABIChange? {
        guard let ov = views.old[i], let nv = views.new[j], ov.root != nv.root || ov.path != nv.path else { return nil }
        let oc = chain(old, bus: a.bus), nc = chain(new, bus: a.bus)
        return change(.upstream,
            "\(label(.old, i)) keeps \(a), but bus \(a.bus) is now behind a different controller chain",
            old: i, new: j,
            notes: [.init("\(fileName(.old)): \(oc.joined(separator: " ← "))"), .init("\(fileName(.new)): \(nc.joined(separator: " ← "))")])
    }

    /// Old devices (or new ones) at other functions of a slot, function order.
    func others(_ p: PlannedDomain, _ slot: SlotKey, except: Int) -> [(index: Int, address: PCIAddress)] {
        p.placements.filter { $0.key != except && $0.value.address.slotKey == slot && $0.value.address.function != 0 }
            .map { ($0.key, $0.value.address) }.sorted { ($0.address, $0.index) < ($1.address, $1.index) }
    }

    /// The multifunction bit QEMU gets (`on` or not) flipped, and why.
    func multifunction(_ i: Int, _ j: Int, _ op: Placement, _ np: Placement) -> ABIChange? {
        let wasOn = op.multifunction == .on, isOn = np.multifunction == .on
        guard wasOn != isOn else { return nil }
        let slot = op.address.slotKey
        let oldOthers = others(old, slot, except: i), newOthers = others(new, slot, except: j)
        var notes: [ABIChange.Note] = []
        let reason: String
        if wasOn {
            let newFns = Set(newOthers.map(\.address.function))
            let gone = oldOthers.filter { !newFns.contains($0.address.function) }
            let goneText = gone.map { "function \($0.address.function) of slot \(slot.description) is gone (\(label(.old, $0.index)) \(fate(ofOld: $0.index)))" }
            for g in gone { notes.append(.init("function \(g.address.function) was \(label(.old, g.index))", at: location(.old, g.index))) }
            if np.multifunction == .off {
                reason = "\(fileName(.new)) writes multifunction='off'"
            } else if options.multifunction == .explicit {
                reason = "\(fileName(.new)) does not write multifunction='on', and --multifunction=explicit derives nothing"
                    + (goneText.isEmpty ? "" : "; " + goneText.joined(separator: "; "))
            } else if !goneText.isEmpty {
                reason = goneText.joined(separator: "; ") + ", so the derived bit would drop"
            } else {
                reason = "\(fileName(.new)) does not write multifunction='on' and no other function of slot \(slot.description) derives it"
            }
            if let from = op.multifunctionDerivedFrom {
                notes.append(.init("\(fileName(.old)) derived multifunction='on' from function \(from.function)", at: location(.old, i)))
            } else {
                notes.append(.init("\(fileName(.old)) writes multifunction='on'", at: location(.old, i)))
            }
            notes.append(.init("fix: write multifunction='on' on its <address> in \(fileName(.new)), or plan with `pciplan plan \(fileName(.new)) --keep \(fileName(.old))`"))
        } else {
            if let from = np.multifunctionDerivedFrom, let k = newOthers.first(where: { $0.address == from })?.index {
                let how = pairing.newToOld[k].map { fate(ofOld: $0) } ?? "added in \(fileName(.new))"
                reason = "function \(from.function) of slot \(slot.description) is now used by \(label(.new, k)) (\(how)), so libvirt derives multifunction='on'"
                notes.append(.init("function \(from.function) is \(label(.new, k))", at: location(.new, k)))
            } else if case .planned = np.provenance {
                reason = "the planner sets it: \(np.provenance.detail)"
            } else if case .chipset = np.provenance {
                reason = "the chipset position sets it: \(np.provenance.detail)"
            } else {
                reason = "\(fileName(.new)) writes multifunction='on'"
            }
        }
        notes.append(.init("libvirt's own ABI check does not compare multifunction, but QEMU builds a \(isOn ? "multi" : "single")-function device and the guest sees the change"))
        let verb = wasOn ? "loses" : "gains"
        return change(.multifunction, "\(label(.old, i)) at \(op.address) \(verb) multifunction='on': \(reason)",
                      old: i, new: j, notes: notes)
    }
}
