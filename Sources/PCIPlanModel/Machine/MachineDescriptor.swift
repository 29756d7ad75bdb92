import PCIPlanSource

/// Everything about a machine family that the stages ask instead of branching on the family.
///
/// One value per family (`MachineDescriptor.pc`, `.q35`, `.virtAArch64`, `.virtARMv7`,
/// `.virtRISCV64`); `MachineFamily.descriptor` is the one
/// exhaustive `switch` that maps a family to it, so a new family is one new case, one new
/// descriptor (the memberwise initializer makes the compiler ask for every property) and, where
/// a rule is code rather than data, one more case in the exhaustive `switch`es over `Chipset`.
public struct MachineDescriptor: Sendable, Hashable {
    /// The family this descriptor describes.
    public var family: MachineFamily
    /// The chipset whose functions sit at fixed addresses on bus 0.
    public var chipset: Chipset
    /// How people name the machine in prose: `i440fx`, `q35`, `aarch64 virt`.
    public var chipsetName: String
    /// How diagnostics name the machine: `pc (i440fx)`, `q35`, `riscv64 virt`.
    public var displayName: String
    /// The model of controller `pci` index 0, the root bus libvirt adds
    /// (`qemuDomainDefAddDefaultDevices`).
    public var rootModel: ControllerModel
    /// QEMU's name of the root bus, the `bus=` of devices on bus 0.
    public var rootBusQEMUName: String
    /// Whether the root is PCI Express, so devices that can be PCI Express ask for a PCIe slot
    /// (`qemuDomainDeviceCalculatePCIConnectFlags`: `pciePorts`); otherwise they are
    /// conventional PCI devices.
    public var pciExpress: Bool
    /// The model libvirt gives a `usb` controller written without one.
    public var defaultUSBModel: String
    /// The disk controller built into the chipset at index 0, which libvirt aliases `ide`
    /// and QEMU does not create with `-device` (`ide` = PIIX3 IDE, `sata` = ICH9 AHCI); nil
    /// when the machine has none (`virt`: a SATA controller is an `ahci` device like any other).
    public var builtInDiskController: String?
    /// Whether libvirt adds USB controller 0 at define (`addDefaultUSB` in
    /// `qemuDomainDefAddDefaultDevices`; not on `virt`).
    public var addsDefaultUSB: Bool
    /// Whether libvirt adds a virtio memory balloon at define (`addDefaultMemballoon`; not on
    /// ARM, but on riscv64).
    public var addsDefaultMemballoon: Bool
    /// The video model libvirt gives a `<video>` without one, and the video it adds for
    /// `<graphics>` (`qemuDomainDefaultVideoDevice`).
    public var defaultVideoModel: String
    /// The NIC model libvirt gives an `<interface>` without one (`qemuDomainDefaultNetModel`).
    public var defaultNICModel: String
    /// Whether the machine has PS/2: a mouse or keyboard without `bus=` is PS/2 on x86 and USB
    /// elsewhere (`virDomainInputDefParseXML`).
    public var hasPS2: Bool
    /// Whether libvirt accepts `pci-expander-bus` (i440fx only, `qemuDomainControllerDefPostParse`).
    public var supportsPCIExpanderBus: Bool
    /// Whether libvirt accepts `pcie-expander-bus` (q35 and ARM `virt`; not riscv64, whose QEMU
    /// has no `pxb-pcie` either).
    public var supportsPCIeExpanderBus: Bool
    /// How many virtio-mmio transports the board has; nil when libvirt never uses virtio-mmio
    /// on it (`qemuDomainAssignVirtioMMIOAddresses` returns early on x86). QEMU refuses a
    /// guest with more virtio-mmio devices than this.
    public var virtioMMIOTransports: Int?
    /// Whether this QEMU binary has `virtio-vga`, the VGA-compatible variant libvirt gives a
    /// primary virtio video (`qemuDomainSupportsVideoVga`): not `qemu-system-aarch64`/`-arm`.
    public var hasVirtioVGA: Bool
    /// What QEMU 7.2 says when it refuses a `ramfb` video on this machine; nil when it takes one.
    public var ramfbRefusal: String?
    /// The QEMU binary libvirt runs for the architecture, and the machine name it is given.
    public var qemuBinary: String
    /// Controllers libvirt adds at define besides the root bus and USB 0 (type, reason).
    public var defaultControllers: [(type: String, reason: String)]
    /// The disk controller types libvirt adds implicitly for disks that name them, in its order
    /// (`virDomainDefAddImplicitControllers`); q35 has no IDE bus.
    public var implicitDiskControllers: [String]
    /// Where the primary video goes when it has no address (slot of bus 0, and why); nil when
    /// the machine reserves no slot for it and it is placed in libvirt's class order.
    public var primaryVideoSlot: Int?
    /// Why the primary video takes `primaryVideoSlot`, for provenance.
    public var primaryVideoReason: String

    /// The chipsets whose fixed functions pciplan knows.
    public enum Chipset: String, Sendable, Hashable, Codable {
        /// i440fx host bridge + PIIX3 (ISA 00:01.0, IDE 00:01.1, USB 00:01.2, PIIX4 PM 00:01.3).
        case piix3
        /// Q35 host bridge + ICH9 (LPC 00:1f.0, AHCI 00:1f.2, SMBus 00:1f.3).
        case ich9
        /// QEMU's generic PCI Express host bridge (`gpex`) of the `virt` boards: the host bridge
        /// at 00:00.0 and nothing else, so every other slot of bus 0 is free.
        case gpex
    }

    /// `displayName` with its article, for prose: `a q35`, `an aarch64 virt`.
    public var aDisplayName: String {
        (displayName.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + displayName
    }

    /// Two descriptors are equal when they describe the same family (there is one per family).
    public static func == (a: MachineDescriptor, b: MachineDescriptor) -> Bool { a.family == b.family }
    /// Hashes the family, matching `==`.
    public func hash(into h: inout Hasher) { h.combine(family) }
}

extension MachineDescriptor {
    /// The i440fx `pc` machine: a conventional PCI root bus with the PIIX3 at slot 1.
    public static let pc = MachineDescriptor(
        family: .pc, chipset: .piix3, chipsetName: "i440fx", displayName: "pc (i440fx)",
        rootModel: .pciRoot, rootBusQEMUName: "pci.0", pciExpress: false,
        defaultUSBModel: "piix3-uhci", builtInDiskController: "ide",
        addsDefaultUSB: true, addsDefaultMemballoon: true, defaultVideoModel: "cirrus", defaultNICModel: "rtl8139",
        hasPS2: true, supportsPCIExpanderBus: true, supportsPCIeExpanderBus: false,
        virtioMMIOTransports: nil, hasVirtioVGA: true, ramfbRefusal: nil, qemuBinary: "qemu-system-x86_64",
        defaultControllers: [],
        implicitDiskControllers: ["scsi", "fdc", "ide", "sata"],
        primaryVideoSlot: 2, primaryVideoReason: "after the PIIX3 at slot 1")

    /// The `q35` machine: a PCI Express root complex with the ICH9 at slot 0x1f.
    public static let q35 = MachineDescriptor(
        family: .q35, chipset: .ich9, chipsetName: "q35", displayName: "q35",
        rootModel: .pcieRoot, rootBusQEMUName: "pcie.0", pciExpress: true,
        defaultUSBModel: "qemu-xhci", builtInDiskController: "sata",
        addsDefaultUSB: true, addsDefaultMemballoon: true, defaultVideoModel: "cirrus", defaultNICModel: "rtl8139",
        hasPS2: true, supportsPCIExpanderBus: false, supportsPCIeExpanderBus: true,
        virtioMMIOTransports: nil, hasVirtioVGA: true, ramfbRefusal: nil, qemuBinary: "qemu-system-x86_64",
        defaultControllers: [("sata", "the q35 machine's built-in SATA controller (ICH9 AHCI)")],
        implicitDiskControllers: ["scsi", "fdc", "sata"],
        primaryVideoSlot: 1, primaryVideoReason: "the first slot of the q35 root")

    /// The aarch64 `virt` board: q35's PCI Express rules on a gpex root complex with no chipset
    /// functions, no default USB controller or balloon, virtio video and NICs by default, and
    /// 32 virtio-mmio transports (recorded with libvirt 9.0 + QEMU 7.2).
    public static let virtAArch64 = MachineDescriptor(
        family: .virtAArch64, chipset: .gpex, chipsetName: "aarch64 virt", displayName: "aarch64 virt",
        rootModel: .pcieRoot, rootBusQEMUName: "pcie.0", pciExpress: true,
        defaultUSBModel: "qemu-xhci", builtInDiskController: nil,
        addsDefaultUSB: false, addsDefaultMemballoon: false, defaultVideoModel: "virtio", defaultNICModel: "virtio",
        hasPS2: false, supportsPCIExpanderBus: false, supportsPCIeExpanderBus: true,
        virtioMMIOTransports: 32, hasVirtioVGA: false, ramfbRefusal: nil, qemuBinary: "qemu-system-aarch64",
        defaultControllers: [],
        implicitDiskControllers: ["scsi", "fdc", "sata"],
        primaryVideoSlot: nil, primaryVideoReason: "")

    /// The armv7l `virt` board (`qemu-system-arm`): the aarch64 board, except that libvirt
    /// picks `piix3-uhci` for a `usb` controller without a model (its xhci default is for
    /// aarch64 only).
    public static let virtARMv7 = MachineDescriptor(
        family: .virtARMv7, chipset: .gpex, chipsetName: "armv7l virt", displayName: "armv7l virt",
        rootModel: .pcieRoot, rootBusQEMUName: "pcie.0", pciExpress: true,
        defaultUSBModel: "piix3-uhci", builtInDiskController: nil,
        addsDefaultUSB: false, addsDefaultMemballoon: false, defaultVideoModel: "virtio", defaultNICModel: "virtio",
        hasPS2: false, supportsPCIExpanderBus: false, supportsPCIeExpanderBus: true,
        virtioMMIOTransports: 32, hasVirtioVGA: false, ramfbRefusal: nil, qemuBinary: "qemu-system-arm",
        defaultControllers: [],
        implicitDiskControllers: ["scsi", "fdc", "sata"],
        primaryVideoSlot: nil, primaryVideoReason: "")

    /// The riscv64 `virt` board: the same gpex topology, with a default virtio balloon, the
    /// `piix3-uhci` USB default, no `pcie-expander-bus` (QEMU's riscv64 build has no pxb-pcie),
    /// 8 virtio-mmio transports, and no ramfb (its fw_cfg has no DMA).
    public static let virtRISCV64 = MachineDescriptor(
        family: .virtRISCV64, chipset: .gpex, chipsetName: "riscv64 virt", displayName: "riscv64 virt",
        rootModel: .pcieRoot, rootBusQEMUName: "pcie.0", pciExpress: true,
        defaultUSBModel: "piix3-uhci", builtInDiskController: nil,
        addsDefaultUSB: false, addsDefaultMemballoon: true, defaultVideoModel: "virtio", defaultNICModel: "virtio",
        hasPS2: false, supportsPCIExpanderBus: false, supportsPCIeExpanderBus: false,
        virtioMMIOTransports: 8, hasVirtioVGA: true, ramfbRefusal: "ramfb device requires fw_cfg with DMA",
        qemuBinary: "qemu-system-riscv64",
        defaultControllers: [],
        implicitDiskControllers: ["scsi", "fdc", "sata"],
        primaryVideoSlot: nil, primaryVideoReason: "")
}

extension MachineFamily {
    /// The descriptor every stage asks about this family.
    public var descriptor: MachineDescriptor {
        // Lent, not returned: `family.descriptor.pciExpress` then reads one field of the
        // static descriptor instead of copying all of it (its strings and lists) per call,
        // which the connect flags of every device did.
        _read {
            switch self {
            case .pc: yield MachineDescriptor.pc
            case .q35: yield MachineDescriptor.q35
            case .virtAArch64: yield MachineDescriptor.virtAArch64
            case .virtARMv7: yield MachineDescriptor.virtARMv7
            case .virtRISCV64: yield MachineDescriptor.virtRISCV64
            }
        }
    }

    /// The model of the root bus (controller `pci` index 0).
    public var rootModel: ControllerModel { descriptor.rootModel }
}
