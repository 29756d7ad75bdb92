import PCIPlanModel
import PCIPlanSource

/// virtio-mmio on the `virt` boards: what libvirt 9.0 refuses about the devices it declares
/// virtio-mmio, and what it accepts but QEMU 7.2 then refuses to start (each recorded with the
/// oracle: `libvirt-assign --start`).
extension Checker {
    /// Devices on virtio-mmio, written or declared by libvirt at define.
    static func virtioMMIODevices(_ c: CheckContext) -> [Int] {
        c.n.commandLineOrder.filter { c.devices[$0].address == .other("virtio-mmio") }
    }

    /// libvirt rejects a vhost-scsi host device it declared virtio-mmio (or that says so).
    static func virtioMMIODefineChecks(_ c: CheckContext, _ f: inout Findings) {
        for i in virtioMMIODevices(c) where c.devices[i].kind == .hostdev && c.devices[i].subtype == "scsi_host" {
            f.add(Diagnostic(.deviceAddressType, .error,
                "\(c.name(i)) \(onVirtioMMIO(c, i)), but a vhost-scsi host device needs a PCI address",
                at: location(c, i), notes: [.libvirtRejects("SCSI_host host device must use 'pci' or 'ccw' address type")],
                fixIts: [FixIt("give it a PCI address: <address type='pci'/>")]), device: i)
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
                out.append(Diagnostic(.virtioMMIOTransitional, severity,
                    "\(c.name(i)) \(onVirtioMMIO(c, i)), but only its PCI device has a transitional variant: libvirt asks QEMU for '\(qemu)'",
                    at: location(c, i), notes: [.qemuRefuses("'\(qemu)' is not a valid device model name")],
                    fixIts: [keepOnPCI, FixIt("or use model='virtio'")]))
                continue
            }
            virtio.append((i, qemu))
        }
        if let transports = c.machine.virtioMMIOTransports, virtio.count > transports {
            let (first, qemu) = virtio[transports]
            let last = virtio[transports - 1].device
            out.append(Diagnostic(.virtioMMIOTooMany, severity,
                "\(virtio.count) virtio devices are on virtio-mmio, but the \(c.machine.displayName) board has \(transports) transports: \(c.name(first))\(virtio.count - transports > 1 ? " and the \(virtio.count - transports - 1) after it" : "") find none",
                at: location(c, first),
                notes: [.init("\(c.name(last)) takes the last transport (QEMU creates them in command-line order)", at: c.addressTag(last)),
                        .qemuRefuses("No 'virtio-bus' bus found for device '\(qemu)'")],
                fixIts: [FixIt("give \(virtio.count - transports) of them PCI addresses (<address type='pci'/>)")]))
        }
        if let refusal = c.machine.ramfbRefusal {
            for i in c.devices.indices where c.devices[i].kind == .video && c.devices[i].model == "ramfb" {
                out.append(Diagnostic(.deviceMachine, severity,
                    "a ramfb video does not work on the \(c.machine.displayName) machine",
                    at: c.tag(i), notes: [.qemuRefuses(refusal)],
                    fixIts: [FixIt("use <model type='virtio'/>")]))
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
            out.append(Diagnostic(.controllerBusNr, severity,
                "\(c.name(i)) and \(c.name(other)) both start at bus number \(nr); QEMU gives every expander bus a range of its own",
                at: target,
                notes: [.init("\(c.name(other)) takes bus number \(nr) here", at: c.tag(other)),
                        .qemuRefuses("Bus \(nr) is already in use")],
                fixIts: [FixIt("give each expander bus its own busNr, far enough apart for the buses behind it")]))
        }
        return out
    }

    static let keepOnPCI = FixIt("give it a PCI address (<address type='pci'/>) so it stays a PCI device")

    /// `has no address, and another device uses virtio-mmio, so libvirt puts it on virtio-mmio`.
    static func onVirtioMMIO(_ c: CheckContext, _ i: Int) -> String {
        if c.devices[i].element == nil {
            return "is added by libvirt, and another device uses virtio-mmio, so libvirt puts it on virtio-mmio"
        }
        return c.devices[i].virtioMMIOAssigned
            ? "has no address, and another device uses virtio-mmio, so libvirt puts it on virtio-mmio"
            : "is on virtio-mmio"
    }

    /// Where a finding about device `i` points: its address, its element, else `<devices>`
    /// (for what libvirt adds).
    static func location(_ c: CheckContext, _ i: Int) -> SourceRange? {
        c.addressTag(i) ?? c.n.definition.devicesElement.map { c.range($0.startTag) }
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
                out.append(Diagnostic(.virtioMMIONotVirtio, severity,
                    "\(c.name(i)) \(onVirtioMMIO(c, i)), but it is not a virtio device: libvirt starts it without a bus or address, and QEMU tries the bus of \(c.name(x)) first",
                    at: location(c, i),
                    notes: [.init("\(c.name(x)) is declared here", at: c.tag(x)),
                            .qemuRefuses("PCI: Only PCI/PCIe bridges can be plugged into pxb-pcie")],
                    fixIts: [keepOnPCI]))
                continue
            }
            guard let slot = (1...31).first(where: { !used.contains($0) }) else { continue }
            used.insert(slot)
            taken.append((i, slot))
        }
        for (i, slot) in taken {
            let at = PCIAddress(bus: 0, slot: slot)
            guard let j = conflict[i] else {
                out.append(Diagnostic(.virtioMMIONotVirtio, .warning,
                    "\(c.name(i)) \(onVirtioMMIO(c, i)), but it is not a virtio device: QEMU plugs it into \(at) itself, an address libvirt does not store",
                    at: location(c, i), fixIts: [keepOnPCI]))
                continue
            }
            let qemuType = scsiQEMUTypes[p.devices[i].controller?.model ?? ""] ?? "lsi53c895a"
            out.append(Diagnostic(.virtioMMIONotVirtio, severity,
                "\(c.name(i)) \(onVirtioMMIO(c, i)), but it is not a virtio device: libvirt starts it without a bus or address, so QEMU plugs it into \(at), the slot \(c.name(j)) is planned for",
                at: location(c, i),
                notes: [.init("\(c.name(j)) is planned for \(at)", at: c.addressTag(j)),
                        .qemuRefuses("PCI: slot \(slot) function 0 not available for …, in use by \(qemuType),id=\(p.devices[i].alias ?? "")")],
                fixIts: [keepOnPCI]))
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
            let placed = p.placements[i]?.provenance == .explicit ? "sits" : "is placed"
            out.append(Diagnostic(.controllerBusOrder, severity,
                "\(c.name(i)) \(placed) on bus 0x\(hex(a.bus, 2)), which \(c.name(parent)) provides, but QEMU creates PCI controllers in index order, so that bus does not exist yet",
                at: c.addressTag(i) ?? c.tag(parent) ?? location(c, i),
                notes: [.init("\(c.name(parent)) is declared here", at: c.tag(parent)),
                        .qemuRefuses("Bus '\(busName)' not found")],
                fixIts: [FixIt("give \(c.name(i)) an index above \(a.bus), or plug it into a controller with a lower index")]))
        }
        return out
    }
}
