import PCIPlanModel
import PCIPlanSource

/// virtio-mmio on the `virt` boards: what libvirt 9.0 refuses about the devices it declares
/// virtio-mmio, and what it accepts but QEMU 7.2 then refuses to start (each recorded with the
/// oracle: `libvirt-assign --start`).
extension Checker {
    /// Devices on virtio-mmio, written or declared by libvirt at define.
    static func virtioMMIODevices(_ c: CheckContext) -> [Int] {
        // Most domains have none: look before working out QEMU's command-line order.
        guard c.devices.indices.contains(where: { c.devices[$0].address == .other("virtio-mmio") }) else { return [] }
        return c.n.commandLineOrder.filter { c.devices[$0].address == .other("virtio-mmio") }
    }

    /// libvirt rejects a vhost-scsi host device it declared virtio-mmio (or that says so).
    static func virtioMMIODefineChecks(_ c: CheckContext, _ f: inout Findings) {
        for i in virtioMMIODevices(c) where c.devices[i].kind == .hostdev && c.devices[i].subtype == "scsi_host" {
            f.add(.vhostSCSIOnVirtioMMIO(c.name(i), where: onVirtioMMIO(c, i), at: location(c, i)), device: i)
        }
    }

    /// What libvirt 9.0 accepts but QEMU 7.2 refuses to start, from the definition alone: a
    /// transitional virtio model on virtio-mmio, more virtio-mmio devices than the board has
    /// transports, and devices the machine's QEMU refuses (ramfb on riscv64). `severity` is
    /// error for `check` and warning for `plan`, which still prints what libvirt stores.
    public static func qemuStartChecks(_ n: NormalizedDomain, severity: Severity) -> [Diagnostic] {
        let c = CheckContext(n)
        var out: [Diagnostic] = []
        var virtio: [(device: Int, qemu: String)] = []
        // (x86 machines have no virtio-mmio transports; what QEMU makes of one there is not checked.)
        for i in c.machine.virtioMMIOTransports == nil ? [] : virtioMMIODevices(c) {
            guard let qemu = Define.virtioMMIODeviceName(c.devices[i]) else { continue }
            if qemu.hasSuffix("-transitional") {
                out.append(.virtioMMIOTransitional(c.name(i), where: onVirtioMMIO(c, i), qemu: qemu, severity: severity,
                                                   at: location(c, i)))
                continue
            }
            virtio.append((i, qemu))
        }
        if let transports = c.machine.virtioMMIOTransports, virtio.count > transports {
            let (first, qemu) = virtio[transports]
            let last = virtio[transports - 1].device
            out.append(.virtioMMIOTooMany(count: virtio.count, transports: transports, board: c.machine.displayName,
                                          first: c.name(first), qemu: qemu, last: c.name(last), lastAt: c.addressTag(last),
                                          severity: severity, at: location(c, first)))
        }
        if let refusal = c.machine.ramfbRefusal {
            for i in c.devices.indices where c.devices[i].kind == .video && c.devices[i].model == "ramfb" {
                out.append(.ramfbRefused(machine: c.machine.displayName, refusal: refusal, severity: severity, at: c.tag(i)))
            }
        }
        return out
    }

    /// What QEMU 7.2 refuses about the planned topology: PCI controllers it meets before their
    /// bus, and non-virtio SCSI controllers libvirt put on virtio-mmio.
    static func qemuStartChecks(_ p: PlannedDomain, severity: Severity) -> [Diagnostic] {
        controllerBusOrder(p, severity: severity) + notVirtioOnMMIO(p, severity: severity) + duplicateBusNr(p, severity: severity)
    }

    /// Two expander buses with one `busNr`: libvirt accepts them, QEMU creates the second and
    /// finds its bus number taken.
    static func duplicateBusNr(_ p: PlannedDomain, severity: Severity) -> [Diagnostic] {
        let c = CheckContext(p.normalized)
        var first: [Int: Int] = [:]
        var out: [Diagnostic] = []
        for i in p.normalized.controllerOrder {
            guard let m = p.devices[i].controller?.pciModel, m == .pciExpanderBus || m == .pcieExpanderBus,
                  let nr = p.devices[i].controller?.busNr ?? p.filledDefaults[i]?.busNr else { continue }
            guard let other = first[nr] else { first[nr] = i; continue }
            let target = p.devices[i].element?.child("target")?.attributeNode("busNr").map { c.range($0.valueRange) } ?? c.tag(i)
            out.append(.duplicateBusNr(c.name(i), other: c.name(other), otherAt: c.tag(other), busNr: nr, severity: severity, at: target))
        }
        return out
    }

    /// `has no address, and another device uses virtio-mmio, so libvirt puts it on virtio-mmio`.
    static func onVirtioMMIO(_ c: CheckContext, _ i: Int) -> String {
        if c.devices[i].element == nil {
            return "is added by libvirt, and another device uses virtio-mmio, so libvirt puts it on virtio-mmio"
        }
        return c.devices[i].virtioMMIOAssigned
            ? "has no address, and another device uses virtio-mmio, so libvirt puts it on virtio-mmio"
            : "is on virtio-mmio"
    }

    /// Where a finding about device `i` points: its address, its element; for a disk controller
    /// libvirt adds, the first disk (or SCSI host device) on that bus, which made libvirt add it;
    /// else `<devices>`.
    static func location(_ c: CheckContext, _ i: Int) -> SourceRange? {
        if let at = c.addressTag(i) { return at }
        if let type = c.devices[i].controller?.type, ["scsi", "sata", "ide", "usb"].contains(type),
           let user = c.devices.indices.first(where: {
               c.devices[$0].element != nil && ((c.devices[$0].kind == .disk && c.devices[$0].bus == type)
                   || (type == "scsi" && c.devices[$0].kind == .hostdev && c.devices[$0].subtype == "scsi"))
           }) {
            return c.tag(user)
        }
        return c.n.definition.devicesElement.map { c.range($0.startTag) }
    }

    /// QEMU's type names of the SCSI controllers that are not virtio (`lsi` is an alias).
    static let scsiQEMUTypes = ["lsilogic": "lsi53c895a", "lsisas1068": "mptsas1068", "lsisas1078": "megasas",
                                "vmpvscsi": "pvscsi", "am53c974": "am53c974", "dc390": "dc390"]

    /// A SCSI controller that is not virtio-scsi, on virtio-mmio: libvirt starts it without a
    /// bus or address, and QEMU plugs it into the first PCI bus it finds, at the first slot
    /// whose function 0 is free when the device is created (recorded with the oracle):
    /// a pcie-expander-bus's bus comes first, and QEMU refuses; otherwise pcie.0, where a later
    /// device planned into that slot is refused; otherwise it runs, at a slot libvirt never stored.
    static func notVirtioOnMMIO(_ p: PlannedDomain, severity: Severity) -> [Diagnostic] {
        let c = CheckContext(p.normalized)
        guard c.machine.virtioMMIOTransports != nil else { return [] }
        let expander = p.normalized.controllerOrder.first { p.devices[$0].controller?.pciModel == .pcieExpanderBus }
        var used = Set<Int>()                 // slots of bus 0 whose function 0 is taken so far
        var taken: [(device: Int, slot: Int)] = []  // where QEMU puts each one itself
        var conflict: [Int: Int] = [:]        // device QEMU placed → the later device planned there
        func fix(_ i: Int) -> FixIt {
            guard p.devices[i].element == nil else { return Diagnostic.keepOnPCI }
            return Diagnostic.keepOnPCI(addedSCSI: p.devices[i].controller?.index, model: p.devices[i].controller?.model)
        }
        var out: [Diagnostic] = []
        for i in p.normalized.commandLineOrder {
            if let a = p.placements[i]?.address, a.bus == 0, a.function == 0 {
                if let j = taken.first(where: { $0.slot == a.slot })?.device, conflict[j] == nil { conflict[j] = i }
                used.insert(a.slot)
                continue
            }
            guard p.devices[i].address == .other("virtio-mmio"), p.devices[i].controller?.type == "scsi",
                  Define.virtioMMIODeviceName(p.devices[i]) == nil else { continue }
            if let x = expander {
                out.append(.notVirtioBesideExpander(c.name(i), where: onVirtioMMIO(c, i), expander: c.name(x), expanderAt: c.tag(x),
                                                    fix: fix(i), severity: severity, at: location(c, i)))
                continue
            }
            guard let slot = (1...31).first(where: { !used.contains($0) }) else { continue }
            used.insert(slot)
            taken.append((i, slot))
        }
        for (i, slot) in taken {
            let at = PCIAddress(bus: 0, slot: slot)
            guard let j = conflict[i] else {
                out.append(.notVirtioPlacedByQEMU(c.name(i), where: onVirtioMMIO(c, i), placed: at, fix: fix(i), at: location(c, i)))
                continue
            }
            let qemuType = scsiQEMUTypes[p.devices[i].controller?.model ?? ""] ?? "lsi53c895a"
            out.append(.notVirtioInPlannedSlot(c.name(i), where: onVirtioMMIO(c, i), placed: at, slot: slot, qemuType: qemuType,
                                               alias: p.devices[i].alias ?? "", planned: c.name(j), plannedAt: c.addressTag(j),
                                               fix: fix(i), severity: severity, at: location(c, i)))
        }
        return out
    }

    /// QEMU creates PCI controllers in index order (libvirt emits them so): a controller that
    /// sits on the bus of a controller with a higher index names a bus that does not exist yet.
    static func controllerBusOrder(_ p: PlannedDomain, severity: Severity) -> [Diagnostic] {
        let c = CheckContext(p.normalized)
        var out: [Diagnostic] = []
        for i in p.normalized.controllerOrder {
            guard let info = p.devices[i].controller, info.type == "pci", let idx = info.index,
                  let a = p.placements[i]?.address, a.bus > idx,
                  let parent = p.normalized.pciController(index: a.bus) else { continue }
            let busName = p.devices[parent].alias ?? "pci.\(a.bus)"
            out.append(.controllerBusOrder(c.name(i), explicit: p.placements[i]?.provenance == .explicit, bus: a.bus, busName: busName,
                                           parent: c.name(parent), parentAt: c.tag(parent), severity: severity,
                                           at: c.addressTag(i) ?? c.tag(parent) ?? location(c, i)))
        }
        return out
    }
}
