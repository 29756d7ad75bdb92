/// Every rule pciplan reports, with a stable identifier (the raw value, printed as `[id]` and as
/// `id` in JSON). Each has one entry in the catalogue (`DiagnosticID+Catalogue.swift`): its
/// severity, a one-line summary and the libvirt or QEMU text it mirrors. Docs/diagnostics.md is
/// generated from that catalogue, and a test proves every ID is emitted.
public enum DiagnosticID: String, Sendable, Hashable, CaseIterable, Codable {
    // input
    /// The file cannot be read: missing, a dangling symbolic link, not a regular file inside a
    /// folder, an I/O error (`check`'s JSON, SARIF and report; its text prints `pciplan: error:`).
    case inputUnreadable = "input.unreadable"
    /// Not well-formed XML, not UTF-8, a document type declaration (entities are refused), empty,
    /// larger than `XMLReader.maximumSize`, or an element with more attributes than
    /// `XMLReader.maximumAttributes`.
    case inputXML = "input.xml"
    /// The root element is not `<domain>`.
    case inputNotDomain = "input.notDomain"
    /// A machine type pciplan does not plan on the architecture: other than `pc` (i440fx) or
    /// `q35` and their versioned names on x86, other than `virt` on aarch64, armv7l and riscv64.
    case inputMachine = "input.unsupportedMachine"
    /// An architecture other than x86_64, i686, aarch64, armv7l or riscv64.
    case inputArch = "input.unsupportedArch"
    /// libvirt 9.0 drops the element at define (`<crypto>`), address and all.
    case deviceDropped = "input.deviceDropped"
    /// A disk whose target name gives no drive index (libvirt's 32-bit index is negative), or
    /// a drive controller index libvirt would add thousands of controllers for.
    case diskDriveIndex = "disk.driveIndex"
    /// An interface `<model type>` that is none of libvirt's NIC models and has a character other
    /// than an ASCII letter, a digit, `_` or `-` (libvirt rejects it).
    case interfaceModelName = "interface.modelName"
    // address syntax (libvirt's parser)
    /// An `<address>` without `type` (libvirt rejects it).
    case addressMissingType = "address.missingType"
    /// A domain, bus, slot or function that is not a non-negative integer in libvirt's forms
    /// (decimal, `0x` hex, `0` octal).
    case addressBadNumber = "address.badNumber"
    /// A `multifunction` other than `on` or `off` (libvirt rejects it).
    case addressBadMultifunction = "address.badMultifunction"
    /// Bus above 0xFF, slot above 0x1F or function above 7 (libvirt rejects it).
    case addressRange = "address.outOfRange"
    /// A number with a leading zero, which libvirt reads as octal.
    case addressAmbiguousNumber = "address.octal"
    /// Domain, bus and slot 0 mean "assign one": libvirt drops the function and multifunction.
    case addressIgnored = "address.emptyIgnored"
    // address set (libvirt's validation and reservation)
    /// A PCI domain other than 0 (libvirt rejects it).
    case addressDomain = "address.domain"
    /// Two devices on one function (libvirt: "Attempted double use of PCI Address").
    case addressInUse = "address.inUse"
    /// A bus no controller provides, and libvirt cannot add one for this device.
    case addressNoBus = "address.noSuchBus"
    /// A bus no controller provides, which libvirt's dry run adds controllers for.
    case addressBusAdded = "address.busAutoAdded"
    /// A slot outside the bus's range: slot 0 of a root bus or bridge, or a slot other than 0
    /// behind a root or downstream port.
    case addressSlotRange = "address.slotRange"
    /// The bus cannot take this kind of device (libvirt's `virDomainPCIAddressFlagsCompatible`).
    case addressIncompatible = "address.incompatibleBus"
    /// An integrated device (virtio IOMMU) not on bus 0.
    case addressIntegrated = "address.notIntegrated"
    /// A device on a function the chipset occupies (PIIX3 at 00:01.x on pc; LPC, SATA, SMBus at
    /// 00:1f.x on q35).
    case addressReserved = "address.chipsetReserved"
    /// A virtio disk with an address type other than pci, ccw or virtio-mmio.
    case addressWrongType = "address.wrongType"
    // multifunction
    /// Function 0 says `multifunction='off'` while other functions of its slot are used; QEMU
    /// refuses to start such a guest.
    case multifunctionOff = "multifunction.offWithFunctions"
    /// Functions 1–7 of a slot are used but function 0 is empty: most guests never scan the slot.
    case multifunctionNoFunctionZero = "multifunction.noFunctionZero"
    /// Function 0 leaves `multifunction` open while other functions are used: libvirt sets
    /// `multifunction='on'` and stores it in the definition.
    case multifunctionDerived = "multifunction.derived"
    /// Under `--multifunction explicit`, function 0 of a slot with more functions lacks
    /// `multifunction='on'`.
    case multifunctionNotExplicit = "multifunction.notExplicit"
    // controllers
    /// Two controllers of one type (other than USB) with one index.
    case controllerDuplicateIndex = "controller.duplicateIndex"
    /// A pci-root or pcie-root with an index other than 0.
    case controllerRootIndex = "controller.rootIndex"
    /// The PCI controller with index 0 is not the machine's root model.
    case controllerWrongRoot = "controller.wrongRoot"
    /// A pci-root or pcie-root with an `<address>`.
    case controllerRootAddress = "controller.rootAddress"
    /// A controller index that is negative or not decimal.
    case controllerBadIndex = "controller.badIndex"
    /// A PCI controller index above 255.
    case controllerIndexTooHigh = "controller.indexTooHigh"
    /// A PCI controller other than index 0 without a model, or with one libvirt does not know.
    case controllerBadModel = "controller.badModel"
    /// A pci-bridge whose index is not larger than the bus it sits on.
    case controllerIndexNotAboveBus = "controller.indexNotAboveBus"
    /// A `<target>` option the controller model does not have, or a value out of its range.
    case controllerOption = "controller.option"
    /// A controller the machine cannot have: PCI Express controllers on pc, pci-expander-bus on
    /// q35 and virt, pcie-expander-bus on pc and riscv64 virt.
    case controllerMachine = "controller.machine"
    /// Another USB controller beside one with `model='none'`, which disables USB.
    case controllerUSBDisabled = "controller.usbDisabled"
    /// A USB device while USB is disabled (`model='none'`), or while the domain has no USB
    /// controller on a machine where libvirt adds none (the virt boards).
    case controllerUSBDeviceDisabled = "controller.usbDeviceDisabled"
    /// USB companion controllers without any master controller they could attach to.
    case controllerUSBCompanionNoMaster = "controller.usbCompanionNoMaster"
    /// USB companion controllers without a master of their own index: libvirt accepts the
    /// definition, but the guest cannot start.
    case controllerUSBCompanionIndex = "controller.usbCompanionIndex"
    /// Two USB controllers that are not companions with one index.
    case controllerUSBDuplicateIndex = "controller.usbDuplicateIndex"
    /// A PCI controller on the bus of a controller with a higher index: QEMU creates PCI
    /// controllers in index order and does not find the bus yet (QEMU refuses).
    case controllerBusOrder = "controller.busOrder"
    /// Two expander buses with one `busNr` (libvirt accepts, QEMU refuses).
    case controllerBusNr = "controller.duplicateBusNr"
    /// A chipset controller (IDE 0 and PIIX3 USB 0 on pc, SATA 0 on q35) away from its fixed address.
    case chipsetFixed = "chipset.fixedAddress"
    // devices (libvirt's define-time validation)
    /// A device QEMU 7.2 no longer provides, such as a `<shmem>` without a model (legacy ivshmem).
    case deviceUnsupported = "device.unsupported"
    /// An address type the device cannot have (PCI on an IDE disk, non-PCI on a virtio IOMMU).
    case deviceAddressType = "device.addressType"
    /// The same host device passed through twice.
    case hostdevDuplicate = "device.duplicateHostdev"
    /// A device QEMU refuses on this machine although libvirt accepts it (ramfb on riscv64).
    case deviceMachine = "device.machine"
    // virtio-mmio on the virt boards (libvirt accepts, QEMU refuses)
    /// A transitional virtio model on virtio-mmio, where QEMU has only the plain device.
    case virtioMMIOTransitional = "virtioMMIO.transitional"
    /// A device that is not a virtio device (lsilogic) on virtio-mmio.
    case virtioMMIONotVirtio = "virtioMMIO.notVirtio"
    /// More virtio-mmio devices than the board has transports.
    case virtioMMIOTooMany = "virtioMMIO.tooMany"
    // planning
    /// libvirt would need a new controller it cannot add automatically.
    case planCannotAddController = "plan.cannotAddController"
    /// No free bus number is left for an expander bus.
    case planBusNr = "plan.busNr"
    /// `plan --keep`: the old layout cannot be kept.
    case planKeep = "plan.cannotKeep"
    /// `plan --keep LOCK`: the ABI lock file cannot be read (not a lock, or a newer schema).
    case planLock = "plan.badLock"
    /// `plan --hotplug-ports` / `--hotplug-slots`: the spare ports or slots asked for, and the
    /// controllers added for them (an error when they cannot be added).
    case planSpares = "plan.spares"
    /// `plan --group-host-functions`: a host slot's functions cannot share one guest slot.
    case planHostGroup = "plan.hostGroup"
    /// An expander bus whose range of bus numbers goes past 255: the guest firmware cannot number
    /// it (SeaBIOS hangs, OVMF boots without the devices there).
    case guestBusOverflow = "guest.busOverflow"
    /// `check`: the next bridge or root port libvirt adds would be enumerated before existing
    /// buses, so the guest would renumber them and rename the devices there.
    case guestNextControllerRenumbers = "guest.nextControllerRenumbers"
    /// A broken invariant of pciplan itself, never the user's fault: please report it.
    case internalError = "internal.bug"
    // hot-plug (libvirt's attach-device and detach-device)
    /// A PCI Express guest has no free hot-pluggable port: the next hot-plug fails.
    case hotplugNoFreePort = "hotplug.noFreePort"
    /// `attach`: libvirt cannot attach this kind of device at all (live), or refuses the device
    /// itself before it plugs anything (either mode).
    case attachUnsupported = "attach.unsupported"
    /// `attach --live`: a hot-plugged device's address must be function 0.
    case attachFunction = "attach.functionNotZero"
    /// `attach --live`: the given bus does not take hot-plugged devices.
    case attachNotHotpluggable = "attach.notHotpluggable"
    /// `attach --live`: no hot-pluggable slot is free, and a running guest gets no new controller.
    case attachNoSlot = "attach.noFreeSlot"
    /// `attach --live`: libvirt goes on but QEMU refuses the hot-plug (a pc root bus without
    /// ACPI, an IDE or SATA disk).
    case attachQEMURefuses = "attach.qemuRefuses"
    /// `attach`: the device file is not one device element, or the domain has no `<devices>`.
    case attachInput = "attach.badDevice"
    /// `attach --live --qmp`: the devices cannot be the functions of one slot.
    case attachSlot = "attach.multifunctionSlot"
    /// `attach --live --qmp`: pciplan cannot render the device's QEMU backend as QMP commands.
    case attachQMPBackend = "attach.qmpBackend"
    /// `detach`: no device has the given alias, disk target, MAC or address.
    case detachNoDevice = "detach.noSuchDevice"
    /// `detach --live`: libvirt or QEMU refuse to hot-unplug the device (a shared slot,
    /// `hotplug='off'`, a kind it cannot unplug, a bus without hot-plug).
    case detachRefused = "detach.refused"
    /// `detach`: what the functions left in the slot look like to the guest.
    case detachMultifunction = "detach.multifunction"
    // diff: the kinds of guest-visible change (`ABIChange.Kind`)
    /// `diff`: a device's guest address changed.
    case diffMoved = "diff.moved"
    /// `diff`: same address, but the bus hangs off another controller chain.
    case diffUpstream = "diff.upstream"
    /// `diff`: a slot's multifunction bit changed.
    case diffMultifunction = "diff.multifunction"
    /// `diff`: a device moved between conventional PCI and PCI Express.
    case diffConnectKind = "diff.connectKind"
    /// `diff`: same place, but the guest sees another device (QEMU device, ids or class).
    case diffDeviceChanged = "diff.deviceChanged"
    /// `diff`: a PCI controller changed.
    case diffController = "diff.controller"
    /// `diff`: a PCI controller's chassisNr, chassis, port or busNr changed.
    case diffControllerTarget = "diff.controllerTarget"
    /// `diff`: a new device takes an address a removed or moved device had.
    case diffDisplaced = "diff.displaced"
    /// `diff`: same libvirt address, but the guest numbers its bus differently and renames it.
    case diffGuestRenamed = "diff.guestRenamed"
    /// `diff`: a device was added.
    case diffAdded = "diff.added"
    /// `diff`: a device was removed.
    case diffRemoved = "diff.removed"
}
