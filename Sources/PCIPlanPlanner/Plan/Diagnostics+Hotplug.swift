import PCIPlanModel
import PCIPlanSource

/// The messages of hot-plug (`Planner.attachLive`) and of the hot-plug headroom `check` reports
/// (`Checker.hotplugHeadroom`). Where libvirt refuses, its own words are the note
/// (`Note.libvirtRefusesAttach`); where libvirt goes on and QEMU refuses the `device_add`, QEMU's
/// (`Note.qemuRefusesHotplug`). Severities and summaries are in the catalogue (`DiagnosticID`).
extension Diagnostic {
    /// libvirt refuses the attach of device `name` with its message `libvirt` (rule `id`: a
    /// kind it cannot hot-plug, an address it cannot use, no slot left).
    static func attachRefused(_ id: DiagnosticID, _ message: String, libvirt: String, fix: String? = nil,
                              at range: SourceRange?) -> Diagnostic {
        Diagnostic(id, message, at: range, notes: [.libvirtRefusesAttach(libvirt)], fixIts: fix.map { [FixIt($0)] } ?? [])
    }

    /// A kind of device libvirt cannot hot-plug at all (`qemuDomainAttachDeviceLive`).
    static func attachUnsupported(_ name: String, refusal: String, at range: SourceRange?) -> Diagnostic {
        attachRefused(.attachUnsupported, "libvirt cannot hot-plug \(name): \(refusal)", libvirt: refusal, at: range)
    }

    /// A disk on a bus that takes no hot-plugged disks: libvirt refuses it (`qemu` nil), or
    /// reports `libvirt`, goes on, and QEMU refuses the `device_add` with `qemu`.
    static func attachDiskRefused(_ name: String, bus: String, libvirt: String, qemu: String?, at range: SourceRange?) -> Diagnostic {
        let note: Note = qemu.map { .qemuRefusesHotplug("device_add", $0, after: "libvirt 9.0 reports \"\(libvirt)\" but goes on") }
            ?? .libvirtRefusesAttach(libvirt)
        return Diagnostic(qemu == nil ? .attachUnsupported : .attachQEMURefuses,
            "\(name) cannot be hot-plugged: its bus '\(bus)' takes no hot-plugged disks",
            at: range, notes: [note], fixIts: [FixIt("attach it with --config, or use bus='virtio' or bus='scsi'")])
    }

    /// libvirt's text for a hot-plug address with a function other than 0.
    static let functionNotZeroText = "Only PCI device addresses with function=0 are supported"

    /// A hot-plugged device whose address asks for `function` ≠ 0 of `slot`.
    static func attachFunctionNotZero(_ name: String, function: Int, slot: String, at range: SourceRange?) -> Diagnostic {
        attachRefused(.attachFunction,
            "\(name) asks for function \(function) of \(slot), but libvirt hot-plugs only function 0 of an empty slot",
            libvirt: functionNotZeroText,
            fix: "remove the address, or give function 0 of a free slot; pciplan attach --qmp can hot-add a whole multifunction slot",
            at: range)
    }

    /// libvirt picks `placed` on the pc root bus, which hot-plugs through ACPI only, and the
    /// domain has no `<acpi/>`: QEMU refuses the `device_add`.
    static func attachRootBusWithoutACPI(_ name: String, placed: PCIAddress, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.attachQEMURefuses,
            "\(name) would be hot-plugged into the pc machine's root bus at \(placed), but the domain has no <acpi/>, and the i440fx root bus hot-plugs through ACPI only",
            at: range,
            notes: [.qemuRefusesHotplug("device_add", QEMUText.busNotHotpluggable("pci.0"),
                                        after: "libvirt 9.0 picks \(placed)", refuses: "refuses the hot-plug")],
            fixIts: [FixIt("add <acpi/> to <features> (takes effect at the next cold boot), or attach with --config")])
    }

    /// No hot-pluggable slot of the device's kind (`kind`: `PCI Express`, …) is free.
    static func attachNoSlot(_ name: String, kind: String, libvirt: String, at range: SourceRange?) -> Diagnostic {
        attachRefused(.attachNoSlot,
            "no hot-pluggable \(kind) slot is free for \(name), and a running guest gets no new controller",
            libvirt: libvirt,
            fix: "attach with --config and restart the guest, or plan the definition with spare ports (plan --hotplug-ports N)",
            at: range)
    }

    /// The address asked for is on a bus that takes no hot-plugged devices.
    static func attachNotHotpluggable(_ name: String, address: PCIAddress?, libvirt: String, at range: SourceRange?) -> Diagnostic {
        attachRefused(.attachNotHotpluggable,
            "\(name) asks for \(address.map { "\($0)" } ?? "an address") on bus \(address?.bus ?? 0), which does not take hot-plugged devices",
            libvirt: libvirt, fix: "remove the address so libvirt picks a hot-pluggable bus", at: range)
    }

    /// The address asked for is in use.
    static func attachAddressInUse(_ name: String, address: PCIAddress?, libvirt: String, at range: SourceRange?) -> Diagnostic {
        attachRefused(.addressInUse, "\(name) asks for \(address.map { "\($0)" } ?? "an address"), which is in use",
                      libvirt: libvirt, at: range)
    }

    /// A failure libvirt's first fit rules out for a hot-plug (it only picks buses that allow
    /// automatic placement): the planner and the address set disagree, which is a bug.
    static func hotplugBug(device: String, libvirtMessage: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.internalError,
            "pciplan bug: hot-plugging \(device) failed where libvirt's first fit only picks buses that allow it: \(libvirtMessage)",
            at: range)
    }

    // MARK: attach --live --qmp (several devices as the functions of one slot)

    /// The devices cannot be the functions of one slot (`message` says why).
    static func attachSlotRefused(_ message: String, fix: String?, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.attachSlot, message, at: range, fixIts: fix.map { [FixIt($0)] } ?? [])
    }

    /// The slot the addresses name is not wholly empty (`users`: who is in it, and where).
    static func attachSlotInUse(_ slot: String, users: [String], at range: SourceRange?) -> Diagnostic {
        Diagnostic(.addressInUse,
            "slot \(slot) is in use (\(users.joined(separator: ", "))); the functions of a hot-added slot need a wholly empty one",
            at: range, fixIts: [FixIt("remove the addresses so pciplan picks an empty hot-pluggable slot")])
    }

    /// No wholly empty hot-pluggable slot on a bus that takes every device of `names`.
    static func attachNoEmptySlot(for names: [String], at range: SourceRange?) -> Diagnostic {
        Diagnostic(.attachNoSlot,
            "no hot-pluggable slot is wholly empty on a bus that takes all of \(names.joined(separator: ", ")), and a running guest cannot get a new controller",
            at: range,
            fixIts: [FixIt("hot-add devices of one kind together (PCI Express devices behind a free root port, conventional PCI devices on a pci-bridge), or plan the definition with spare ports (plan --hotplug-ports N)")])
    }

    /// `check`: a PCI Express guest without a free hot-pluggable port (`at`: its `<devices>`).
    static func hotplugNoFreePort(at range: SourceRange?) -> Diagnostic {
        Diagnostic(.hotplugNoFreePort,
            "no hot-pluggable PCI Express port is free: the next hot-plug of a PCI Express device will fail, because a running guest gets no new controller",
            at: range, notes: [.libvirtWouldRefuseAttach(LibvirtText.noMoreSlots)],
            fixIts: [FixIt("add <controller type='pci' model='pcie-root-port'/> for every device you may hot-plug, or let `pciplan plan --hotplug-ports N` add them")])
    }
}

extension LibvirtText {
    /// libvirt's first fit found no slot (`virDomainPCIAddressGetNextAddr`).
    static let noMoreSlots = "No more available PCI slots"
}
