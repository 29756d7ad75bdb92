import PCIPlanModel
import PCIPlanSource

/// Turning a failed reservation into a diagnostic that names the device, the bus or the other
/// device, with libvirt's own message as a note.
extension AddressWalk {
    mutating func report(_ i: Int, _ a: PCIAddress, _ e: AddressSetError) {
        let name = c.name(i)
        let libvirt = Diagnostic.Note.libvirtRejects(e.libvirtMessage)
        let at = e.address ?? a
        switch e.kind {
        case .inUse:
            reportInUse(i, at, libvirt)
        case .domain:
            diagnostics.append(Diagnostic(.addressDomain, .error,
                "\(name) asks for PCI domain 0x\(hex(Int(a.domain), 4)), but a QEMU guest has only domain 0",
                at: c.addressAttribute(i, "domain"), notes: [libvirt],
                fixIts: replace(i, "domain", "0x0000", "use domain='0x0000'")))
        case .integrated:
            diagnostics.append(Diagnostic(.addressIntegrated, .error,
                "\(name) is integrated into the chipset and must sit on bus 0x00, not bus 0x\(hex(at.bus, 2))",
                at: c.addressAttribute(i, "bus"), notes: [libvirt], fixIts: replace(i, "bus", "0x00", "put it on bus='0x00'")))
        case .incompatible, .hotplug, .noAutoAssign:
            let bus = at.bus < set.count ? set.buses[at.bus] : nil
            let flags: ConnectFlags = c.devices[i].flags.isEmpty ? .pciDevice : c.devices[i].flags
            let need = flags.requirementName ?? "PCI slot"
            let msg = bus.map { "\(name) needs a slot that accepts a \(need), but \(describeBus(at.bus)) accepts only \(Self.accepts($0.flags))" }
                ?? e.libvirtMessage
            diagnostics.append(Diagnostic(.addressIncompatible, .error, msg,
                at: c.addressAttribute(i, "bus"), notes: busNote(at.bus) + [libvirt]))
        case .slotTooLow, .slotTooHigh:
            reportSlotRange(i, at, e.kind == .slotTooLow, libvirt)
        case .noSuchBus, .cannotGrow, .noBuses:
            diagnostics.append(Diagnostic(.addressNoBus, .error,
                "\(name) names bus 0x\(hex(at.bus, 2)), which no PCI controller provides, and libvirt cannot add a bus for it",
                at: c.addressAttribute(i, "bus"), notes: [libvirt]))
        case .noSlot:
            diagnostics.append(Diagnostic(.internalError, .error,
                "pciplan bug: a search for a free slot ran while checking the explicit address of \(name)",
                at: c.addressTag(i), notes: [libvirt]))
        }
    }

    /// A fix-it that rewrites one attribute of the device's `<address>`, if it is written.
    func replace(_ i: Int, _ attr: String, _ value: String, _ message: String) -> [FixIt] {
        guard let node = c.devices[i].addressElement?.attributeNode(attr) else { return [] }
        return [FixIt(message, range: c.range(node.valueRange), replacement: value)]
    }

    private mutating func reportSlotRange(_ i: Int, _ a: PCIAddress, _ low: Bool, _ libvirt: Diagnostic.Note) {
        guard a.bus < set.count else { return }
        let bus = set.buses[a.bus]
        let name = c.name(i)
        let msg: String
        if low {
            let holder = bus.model.isRoot ? "the host bridge" : "the bridge's hotplug controller (SHPC)"
            msg = "slot 0x00 of \(describeBus(a.bus)) holds \(holder); \(name) needs a slot from 0x\(hex(bus.minSlot, 2)) to 0x\(hex(bus.maxSlot, 2))"
        } else if bus.minSlot == bus.maxSlot {
            msg = "\(describeBus(a.bus)) has a single slot, 0x\(hex(bus.maxSlot, 2)); \(name) asks for slot 0x\(hex(a.slot, 2))"
        } else {
            msg = "\(describeBus(a.bus)) has slots 0x\(hex(bus.minSlot, 2))–0x\(hex(bus.maxSlot, 2)); \(name) asks for slot 0x\(hex(a.slot, 2))"
        }
        var fixes: [FixIt] = []
        if let s = freeSlot(onBus: a.bus, function: a.function) {
            fixes = replace(i, "slot", "0x\(hex(s, 2))", "use slot='0x\(hex(s, 2))', the first free slot of this bus")
        }
        diagnostics.append(Diagnostic(.addressSlotRange, .error, msg, at: c.addressAttribute(i, "slot"),
                                      notes: busNote(a.bus) + [libvirt], fixIts: fixes))
    }

    /// Two devices on one function: the error at this (later reserved) device, a note at the other.
    private mutating func reportInUse(_ i: Int, _ a: PCIAddress, _ libvirt: Diagnostic.Note) {
        let name = c.name(i)
        let remove = c.devices[i].addressElement.map {
            [FixIt("remove the <address> element so libvirt picks a free slot", range: c.range($0.range), replacement: "")]
        } ?? []
        switch owners[a] {
        case .device(let j):
            // Report at whichever comes later in the file, so the note points back up.
            let (second, first) = (c.tag(j)?.start ?? 0) > (c.tag(i)?.start ?? 0) ? (j, i) : (i, j)
            let fix = second == i ? remove : (c.devices[j].addressElement.map {
                [FixIt("remove the <address> element so libvirt picks a free slot", range: c.range($0.range), replacement: "")]
            } ?? [])
            let reserved = isFixedChipsetController(j)
            diagnostics.append(Diagnostic(reserved ? .addressReserved : .addressInUse, .error,
                "\(c.name(second)) and \(c.name(first)) both use PCI address \(a)",
                at: c.addressTag(second),
                notes: [c.tag(first) == nil
                    ? .init("\(c.name(first)) is built into the \(c.machineName) machine at \(a)")
                    : .init("\(c.name(first)) uses \(a) here", at: c.addressTag(first))] + [libvirt],
                fixIts: fix))
        case .chipset(let what):
            var notes: [Diagnostic.Note] = [libvirt]
            if a == PCIAddress(bus: 0, slot: 1, function: 1) && !hasController("ide", 0) {
                notes = [.qemuRefuses("QEMU's pc machine always has its PIIX3 IDE function at 00:01.1 ('PCI: slot 1 function 1 not available for …, in use by piix3-ide')")]
            }
            diagnostics.append(Diagnostic(.addressReserved, .error,
                "\(name) is placed at \(a), which \(what) occupies", at: c.addressTag(i), notes: notes, fixIts: remove))
        case nil:
            diagnostics.append(Diagnostic(.addressInUse, .error,
                "\(name) uses PCI address \(a), which is already in use", at: c.addressTag(i), notes: [libvirt], fixIts: remove))
        }
    }

    func hasController(_ type: String, _ index: Int) -> Bool {
        c.n.controllerOrder.contains { c.devices[$0].controller?.type == type && c.devices[$0].controller?.index == index }
    }
}
