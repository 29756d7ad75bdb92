import PCIPlanModel
import PCIPlanSource

/// What `virsh attach-device` changes: the running guest (`live`) or its persistent
/// definition (`config`).
public enum AttachMode: String, Sendable, Hashable, CaseIterable {
    /// `--live`: the device is hot-plugged into the running guest; no controller can be added.
    case live
    /// `--config`: the device is added to the persistent definition, planned like a define.
    case config
}

/// Live hot-plug as libvirt 9.0 does it (`qemuDomainAttachDeviceLive` →
/// `qemuDomainEnsurePCIAddress` → `virDomainPCIAddressEnsureAddr`).
extension Planner {
    /// Places the devices at `attached` into the running guest `n` (its live XML: every other
    /// device already has its address). libvirt's address set of a running guest never grows,
    /// and the device asks for a hot-pluggable slot on top of its own connect flags: a given
    /// address must be function 0, valid (`fromConfig`) and free; without one, the first free
    /// slot of the lowest-numbered bus that takes it.
    public static func attachLive(_ n: NormalizedDomain, attached: [Int], options: PlanOptions = PlanOptions())
        -> (PlannedDomain?, [Diagnostic])
    {
        var p = livePlanner(n, attached: attached, options: options)
        if p.diags.hasErrors { return (nil, p.diags) }
        do {
            var set = try p.addressSet(dryRun: false)
            for i in attached { try p.hotplug(i, into: &set, acpi: n.definition.hasACPI) }
        } catch {
            return (nil, p.diags)
        }
        return (p.planned(n), p.diags)
    }

    /// A planner for the running guest `n`: every device but `attached` keeps its address
    /// (the live XML has them all), and libvirt's refusals of the attached devices' kinds and
    /// disk buses are already in its diagnostics.
    static func livePlanner(_ n: NormalizedDomain, attached: [Int], options: PlanOptions) -> Planner {
        var p = Planner(n, options: options)
        let new = Set(attached)
        for i in p.devices.indices where !new.contains(i) {
            if case .pci(let a, let m) = p.devices[i].address, p.devices[i].kind != .crypto {
                p.stored[i] = Placement(address: a, multifunction: m, provenance: .explicit)
            }
        }
        for i in attached {
            if let refusal = liveAttachRefusal(p.devices[i]) {
                p.diags.append(.attachUnsupported(p.devices[i].name, refusal: refusal, at: p.range(of: i)))
            }
        }
        for i in attached where p.devices[i].kind == .disk {
            if let (libvirt, qemu) = liveDiskRefusal(p.devices[i], machine: n.family.descriptor) {
                p.diags.append(.attachDiskRefused(p.devices[i].name, bus: p.devices[i].bus ?? "?", libvirt: libvirt, qemu: qemu,
                                                  at: p.range(of: i)))
            }
        }
        return p
    }

    /// What libvirt refuses about the device itself before it plugs anything, in either mode:
    /// a lone device is validated before post-parse fills in its defaults, so a PCI controller
    /// without every option written is refused (`qemuValidateDomainDeviceDefControllerPCI`),
    /// and some device kinds have no persistent attach (`qemuDomainAttachDeviceConfig`).
    public static func attachRefusal(_ d: Device, in n: NormalizedDomain, mode: AttachMode) -> String? {
        if let c = d.controller, let m = c.pciModel, !m.isRoot {
            let index = c.indexGiven ? (c.index ?? -1) : -1
            let missing: String? = {
                if c.modelName == nil { return "modelName" }
                switch m {
                case .pciExpanderBus, .pcieExpanderBus: return c.busNr == nil ? "busNr" : nil
                case .pciBridge: return c.chassisNr == nil ? "chassisNr" : nil
                case .pcieRootPort, .pcieSwitchDownstreamPort:
                    if c.chassis == nil { return "chassis" }
                    return c.port == nil ? "port" : nil
                default: return nil
                }
            }()
            if let missing {
                return "Required option '\(missing)' is not set for PCI controller with index '\(index)', model '\(m.rawValue)' and modelName '\(c.modelName ?? "none")'"
            }
        }
        if d.kind == .filesystem && (d.subtype == "virtiofs" || d.element?.child("driver")?[attribute: "type"] == "virtiofs"),
           !n.definition.hasSharedMemory
        {
            return "'virtiofs' requires shared memory"
        }
        if mode == .config {
            switch d.kind {
            case .video, .graphics, .hub, .smartcard, .memballoon, .nvram, .tpm, .panic, .iommu, .audio:
                return "persistent attach of device '\(d.kind.libvirtDeviceType)' is not supported"
            default: break
            }
        }
        return nil
    }

    /// A disk libvirt cannot hot-plug (`qemuDomainAttachDeviceDiskLiveInternal`): floppies are
    /// refused; IDE and SATA disks are reported by libvirt, which then goes on and lets QEMU
    /// refuse the `device_add` (the second value: QEMU's message).
    static func liveDiskRefusal(_ d: Device, machine: MachineDescriptor) -> (String, String?)? {
        if d.element?[attribute: "device"] == "floppy" { return ("floppy device hotplug isn't supported", nil) }
        let bus = d.bus ?? ""
        guard ["ide", "fdc", "sata", "sd", "xen", "uml"].contains(bus) else { return nil }
        let libvirt = "disk bus '\(bus)' cannot be hotplugged."
        let drive = d.addressElement.flatMap { $0[attribute: "type"] == "drive" ? $0 : nil }
        let index = d.diskTarget.flatMap(diskNameIndex) ?? 0
        func number(_ name: String, _ fallback: Int) -> Int { drive?[attribute: name].flatMap { Int($0) } ?? fallback }
        switch bus {
        case "sata":
            let controller = number("controller", index / 6)
            let alias = controller == 0 && machine.builtInDiskController == "sata" ? "ide" : "sata\(controller)"
            return (libvirt, QEMUText.busNotHotpluggable("\(alias).\(number("unit", index % 6))"))
        case "ide":
            return (libvirt, QEMUText.busNotHotpluggable("ide.\(number("bus", (index % 4) / 2))"))
        default:
            return (libvirt, nil)
        }
    }

    /// libvirt's `virDiskNameToIndex`: `sda` → 0, `hdc` → 2, `vdaa` → 26.
    static func diskNameIndex(_ name: String) -> Int? {
        guard let prefix = ["fd", "hd", "vd", "sd", "xvd", "ubd"].first(where: { name.hasPrefix($0) }) else { return nil }
        let letters = name.dropFirst(prefix.count)
        guard !letters.isEmpty, letters.allSatisfy({ $0 >= "a" && $0 <= "z" }) else { return nil }
        let idx = Aliases.diskNameToIndex(name)   // libvirt's 32-bit arithmetic: negative when it overflows
        return idx >= 0 ? idx : nil
    }

    /// libvirt's refusal of a device class it cannot hot-plug at all, or nil.
    static func liveAttachRefusal(_ d: Device) -> String? {
        switch d.kind {
        case .disk, .interface, .hostdev, .rng, .memory, .shmem, .watchdog, .input, .vsock,
             .serial, .parallel, .channel, .console, .redirdev, .lease:
            return nil
        case .controller:
            // qemuDomainAttachControllerDevice: only SCSI controllers.
            let type = d.controller?.type ?? "?"
            return type == "scsi" ? nil : "'\(type)' controller cannot be hot plugged."
        case .filesystem:
            return d.subtype == "virtiofs" || d.element?.child("driver")?[attribute: "type"] == "virtiofs"
                ? nil : "only virtiofs filesystems can be hotplugged"
        default:
            return "live attach of device '\(d.kind.libvirtDeviceType)' is not supported"
        }
    }

    mutating func hotplug(_ i: Int, into set: inout PCIAddressSet, acpi: Bool) throws(Failure) {
        guard !devices[i].flags.isEmpty else { return }  // no PCI address needed (SATA disk, USB …)
        let flags = devices[i].flags.union(.hotpluggable)
        let placed: PCIAddress
        if case .pci(let a, _) = devices[i].address {
            if a.function != 0 {
                diags.append(.attachFunctionNotZero(devices[i].name, function: a.function, slot: a.slotDescription, at: range(of: i)))
                throw Failure()
            }
            if let e = set.validate(a, flags: flags, fromConfig: true) { throw hotplugFailure(i, e) }
            do { try set.reserve(a, flags: flags, fromConfig: true) } catch { throw hotplugFailure(i, error) }
            stored[i] = Placement(address: a, multifunction: .absent, provenance: .explicit)
            placed = a
        } else {
            do { placed = try set.reserveNext(flags: flags) } catch { throw hotplugFailure(i, error) }
            store(i, placed, .planned(step: "hot-plug: libvirt takes the first free slot on the lowest-numbered bus that takes a hot-pluggable \(devices[i].flags.kindDescription)"))
        }
        try refuseRootBusWithoutACPI(i, placed, set: set, acpi: acpi)
    }

    /// libvirt picks pci-root slots on pc without looking at ACPI; QEMU then refuses, because
    /// the i440fx root bus hot-plugs through ACPI only.
    mutating func refuseRootBusWithoutACPI(_ i: Int, _ placed: PCIAddress, set: PCIAddressSet, acpi: Bool) throws(Failure) {
        guard set.buses[placed.bus].model == .pciRoot && !acpi else { return }
        diags.append(.attachRootBusWithoutACPI(devices[i].name, placed: placed, at: range(of: i)))
        throw Failure()
    }

    /// libvirt's refusal of the address set's failure `e` for device `i`, as a diagnostic.
    mutating func hotplugFailure(_ i: Int, _ e: AddressSetError) -> Failure {
        let name = devices[i].name
        let at = range(of: i)
        let libvirt = e.libvirtMessage
        let d: Diagnostic
        switch e.kind {
        case .noSlot: d = .attachNoSlot(name, kind: devices[i].flags.kindDescription, libvirt: libvirt, at: at)
        case .noBuses, .cannotGrow: d = .attachRefused(.attachNoSlot, libvirt, libvirt: libvirt, at: at)
        case .hotplug: d = .attachNotHotpluggable(name, address: e.address, libvirt: libvirt, at: at)
        case .inUse: d = .attachAddressInUse(name, address: e.address, libvirt: libvirt, at: at)
        case .noSuchBus, .incompatible, .integrated, .slotTooLow, .slotTooHigh, .domain, .noAutoAssign:
            d = e.kind.addressRule.map { .attachRefused($0, libvirt, libvirt: libvirt, at: at) }
                ?? .hotplugBug(device: name, libvirtMessage: libvirt, at: at)
        }
        diags.append(d)
        return Failure()
    }
}

extension DeviceKind {
    /// libvirt's name of the device type (`virDomainDeviceType`), as its messages print it.
    public var libvirtDeviceType: String {
        switch self {
        case .serial, .parallel, .channel, .console: "chr"
        default: rawValue
        }
    }
}
