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
            diagnostics.append(.addressDomain(name, domain: a.domain, at: c.addressAttribute(i, "domain"), libvirt: libvirt,
                                              domainValue: attributeValue(i, "domain")))
        case .integrated:
            diagnostics.append(.addressIntegrated(name, bus: at.bus, at: c.addressAttribute(i, "bus"), libvirt: libvirt,
                                                  busValue: attributeValue(i, "bus")))
        case .incompatible, .hotplug, .noAutoAssign:
            let bus = at.bus < set.count ? set.buses[at.bus] : nil
            let flags: ConnectFlags = c.devices[i].flags.isEmpty ? .pciDevice : c.devices[i].flags
            diagnostics.append(.addressIncompatible(name, need: flags.requirementName ?? "PCI slot",
                bus: bus.map { (describeBus(at.bus), Self.accepts($0.flags)) }, libvirtMessage: e.libvirtMessage,
                at: c.addressAttribute(i, "bus"), notes: busNote(at.bus) + [libvirt]))
        case .slotTooLow, .slotTooHigh:
            reportSlotRange(i, at, e.kind == .slotTooLow, libvirt)
        case .noSuchBus, .cannotGrow, .noBuses:
            diagnostics.append(.addressNoBus(name, bus: at.bus, at: c.addressAttribute(i, "bus"), libvirt: libvirt))
        case .noSlot:
            diagnostics.append(.slotSearchWhileChecking(name, at: c.addressTag(i)))
        }
    }

    /// The value of one attribute of the device's `<address>`, if it is written (where a
    /// fix-it rewrites it).
    func attributeValue(_ i: Int, _ attr: String) -> SourceRange? {
        c.devices[i].addressElement?.attributeNode(attr).map { c.range($0.valueRange) }
    }

    private mutating func reportSlotRange(_ i: Int, _ a: PCIAddress, _ low: Bool, _ libvirt: Diagnostic.Note) {
        guard a.bus < set.count else { return }
        let bus = set.buses[a.bus]
        let holder = low ? (bus.model.isRoot ? "the host bridge" : "the bridge's hotplug controller (SHPC)") : nil
        let free = freeSlot(onBus: a.bus, function: a.function).flatMap { s in attributeValue(i, "slot").map { (s, $0) } }
        diagnostics.append(.addressSlotRange(c.name(i), asked: a.slot, bus: describeBus(a.bus), slots: bus.minSlot...bus.maxSlot,
                                             holder: holder, at: c.addressAttribute(i, "slot"),
                                             notes: busNote(a.bus) + [libvirt], free: free))
    }

    /// Two devices on one function: the error at this (later reserved) device, a note at the other.
    private mutating func reportInUse(_ i: Int, _ a: PCIAddress, _ libvirt: Diagnostic.Note) {
        let name = c.name(i)
        let c = self.c
        let remove = { (k: Int) in c.devices[k].addressElement.map { [FixIt.removeAddressForFreeSlot(c.range($0.range))] } ?? [] }
        switch owners[a] {
        case .device(let j):
            // Report at whichever comes later in the file, so the note points back up.
            let (second, first) = (c.tag(j)?.start ?? 0) > (c.tag(i)?.start ?? 0) ? (j, i) : (i, j)
            diagnostics.append(.addressInUse(c.name(second), c.name(first), at: a, chipset: isFixedChipsetController(j),
                range: c.addressTag(second),
                firstUser: c.tag(first) == nil ? .builtIn(machine: c.machineName) : .declared(c.addressTag(first)),
                libvirt: libvirt, fixIts: remove(second)))
        case .chipset(let what):
            let ide = a == PCIAddress(bus: 0, slot: 1, function: 1) && !hasController("ide", 0)
            diagnostics.append(.addressOnChipsetFunction(name, at: a, what: what, range: c.addressTag(i),
                                                         ideWithoutController: ide, libvirt: libvirt, fixIts: remove(i)))
        case nil:
            diagnostics.append(.addressAlreadyInUse(name, at: a, range: c.addressTag(i), libvirt: libvirt, fixIts: remove(i)))
        }
    }

    func hasController(_ type: String, _ index: Int) -> Bool {
        c.n.controllerOrder.contains { c.devices[$0].controller?.type == type && c.devices[$0].controller?.index == index }
    }
}
