extension Pipeline {
    /// The outcome of `detach`: the domain without the device, or why libvirt refuses.
    public struct DetachOutcome: Sendable {
        /// `live` or `config`.
        public var mode: AttachMode
        /// The domain as planned before the detach (nil when it cannot be planned).
        public var planned: PlannedDomain?
        /// Index into `planned.devices` of the device to detach (nil when nothing matched).
        public var device: Int?
        /// The resulting domain XML, byte-preserving; nil when refused.
        public var result: [UInt8]?
        /// Every finding; refusals are errors, guest-ABI consequences warnings or notes.
        public var diagnostics: [Diagnostic]
    }

    /// `detach DOMAIN DEVICE-ID --live|--config`: what libvirt 9.0's `virsh detach-device`
    /// leaves. `id` names the device as `explain --device` does (alias, disk target, MAC, PCI
    /// address). `live` refuses what libvirt refuses to hot-unplug — a device kind it cannot
    /// unplug, a function of a slot with other functions in use, a device behind a controller
    /// with `hotplug='off'`; `config` removes the element. Neither touches the multifunction
    /// bit of the functions that stay: the guest keeps seeing what the stored XML says.
    public static func detach(_ domain: SourceFile, device id: String, mode: AttachMode,
                              options: PlanOptions = PlanOptions()) -> DetachOutcome
    {
        let o = plan(domain, options: options)
        var outcome = DetachOutcome(mode: mode, planned: o.planned, device: nil, result: nil, diagnostics: o.diagnostics)
        guard let p = o.planned else { return outcome }
        let candidates = p.devices.indices.filter { p.devices[$0].element != nil && Explainer.matches(p, $0, id) }
        guard let i = candidates.first, let el = p.devices[i].element else {
            let names = p.devices.compactMap(\.alias).joined(separator: ", ")
            outcome.diagnostics.append(.detachNoSuchDevice(id, file: domain.name, aliases: names))
            return outcome
        }
        outcome.device = i
        let d = p.devices[i]
        let at = SourceRange(file: domain.name, startTagOf: el)
        func refuse(_ message: String, libvirt: String, fix: String? = nil) -> DetachOutcome {
            outcome.diagnostics.append(.detachRefused(message, libvirt: libvirt, fix: fix, at: at))
            return outcome
        }
        let type = d.kind.libvirtDeviceType
        let placement = p.placements[i]
        let slotmates = placement.map { pl in
            p.placements.filter { $0.key != i && $0.value.address.slotKey == pl.address.slotKey && $0.value.address.function != pl.address.function }
                .map(\.key).sorted()
        } ?? []
        if mode == .live {
            if let why = liveDetachRefusal(d) {
                return refuse("libvirt cannot hot-unplug \(d.name): \(why)", libvirt: why)
            }
            if let a = placement?.address, !slotmates.isEmpty {
                let others = slotmates.map { "\(p.devices[$0].name) at \(p.placements[$0]!.address)" }.joined(separator: ", ")
                return refuse("\(d.name) at \(a) shares its slot with \(others); libvirt hot-unplugs only devices alone in their slot",
                              libvirt: "cannot hot unplug \(type) device with multifunction PCI guest address: \(a)",
                              fix: "detach with --config and restart the guest")
            }
            if let a = placement?.address, let ci = p.normalized.pciController(index: a.bus),
               p.devices[ci].controller?.hotplug == .off
            {
                return refuse("\(d.name) at \(a) sits behind a controller with hotplug='off'",
                              libvirt: "cannot hot unplug \(type) device with PCI guest address: \(a) - not allowed by controller",
                              fix: "detach with --config and restart the guest")
            }
            if let a = placement?.address, let ci = p.normalized.pciController(index: a.bus),
               let model = p.devices[ci].controller?.pciModel,
               !model.busFlags(hotplug: true).contains(.hotpluggable) || (model == .pciRoot && !p.normalized.definition.hasACPI)
            {
                // libvirt sends device_del; QEMU refuses it on a bus without hot-plug.
                let bus = p.devices[ci].alias ?? "pci.\(a.bus)"
                let why = model == .pciRoot ? "the pc root bus hot-unplugs through ACPI only, and the domain has no <acpi/>"
                    : "a \(model.rawValue) takes no hot-plugged devices"
                outcome.diagnostics.append(.detachQEMURefuses(d.name, at: a, bus: bus, why: why, range: at))
                return outcome
            }
        }
        if let a = placement?.address, !slotmates.isEmpty {
            let zero = slotmates.first { p.placements[$0]?.address.function == 0 }
            if a.function != 0, let z = zero, p.placements[z]?.multifunction == .on {
                outcome.diagnostics.append(.detachKeepsMultifunction(zero: p.devices[z].name, zeroAt: p.placements[z]!.address,
                                                                     slot: a.slotDescription, at: at))
            } else if a.function == 0 {
                outcome.diagnostics.append(.detachFunctionZero(d.name, slot: a.slotDescription, others: slotmates.count, at: at))
            }
        }
        let removed = XMLWriter.render(p, removing: el)
        guard mode == .config else {
            // A running guest's live XML is not planned again: the device just goes.
            outcome.result = removed
            return outcome
        }
        // libvirt runs post-parse on the persistent definition again, which re-adds what the
        // rest still needs (a detached PCI controller whose bus is in use comes back).
        let again = plan(SourceFile(name: domain.name, bytes: removed), options: options)
        guard let replanned = again.planned else {
            outcome.diagnostics += again.diagnostics.filter { $0.severity == .error }
            return outcome
        }
        outcome.diagnostics += again.diagnostics.filter { $0.severity != .note }
        outcome.result = XMLWriter.render(replanned)
        return outcome
    }

    /// libvirt's refusal of a device class it cannot hot-unplug (`qemuDomainDetachDeviceLive`),
    /// or nil.
    static func liveDetachRefusal(_ d: Device) -> String? {
        switch d.kind {
        case .disk:
            // qemuDomainDetachPrepDisk
            let device = d.element?[attribute: "device"] ?? "disk"
            switch device {
            case "cdrom" where d.bus == "usb" || d.bus == "scsi": return nil
            case "cdrom", "floppy": return "disk device type '\(device)' cannot be detached"
            default:
                return ["virtio", "usb", "scsi"].contains(d.bus ?? "") ? nil : "This type of disk cannot be hot unplugged"
            }
        case .interface, .hostdev, .rng, .memory, .shmem, .watchdog, .input, .vsock,
             .serial, .parallel, .channel, .console, .redirdev, .lease:
            return nil
        case .controller:
            let type = d.controller?.type ?? "?"
            return type == "scsi" ? nil : "'\(type)' controller cannot be hot unplugged."
        case .filesystem:
            return d.subtype == "virtiofs" || d.element?.child("driver")?[attribute: "type"] == "virtiofs"
                ? nil : "only virtiofs filesystems can be hotplugged"
        default:
            return "live detach of device '\(d.kind.libvirtDeviceType)' is not supported"
        }
    }
}
