import PCIPlanSource

/// Everything about a machine family that the stages ask instead of branching on the family.
///
/// One value per family (`MachineDescriptor.pc`, `.q35`); `MachineFamily.descriptor` is the one
/// exhaustive `switch` that maps a family to it, so a new family is one new case, one new
/// descriptor (the memberwise initializer makes the compiler ask for every property) and, where
/// a rule is code rather than data, one more case in the exhaustive `switch`es over `Chipset`.
public struct MachineDescriptor: Sendable, Hashable {
    /// The family this descriptor describes.
    public var family: MachineFamily
    /// The chipset whose functions sit at fixed addresses on bus 0.
    public var chipset: Chipset
    /// How people name the machine in prose: `i440fx`, `q35`.
    public var chipsetName: String
    /// How diagnostics name the machine: `pc (i440fx)`, `q35`.
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
    /// and QEMU does not create with `-device` (`ide` = PIIX3 IDE, `sata` = ICH9 AHCI).
    public var builtInDiskController: String
    /// Controllers libvirt adds at define besides the root bus and USB 0 (type, reason).
    public var defaultControllers: [(type: String, reason: String)]
    /// The disk controller types libvirt adds implicitly for disks that name them, in its order
    /// (`virDomainDefAddImplicitControllers`); q35 has no IDE bus.
    public var implicitDiskControllers: [String]
    /// Where the primary video goes when it has no address (slot of bus 0, and why).
    public var primaryVideoSlot: Int
    /// Why the primary video takes `primaryVideoSlot`, for provenance.
    public var primaryVideoReason: String

    /// The chipsets whose fixed functions pciplan knows.
    public enum Chipset: String, Sendable, Hashable, Codable {
        /// i440fx host bridge + PIIX3 (ISA 00:01.0, IDE 00:01.1, USB 00:01.2, PIIX4 PM 00:01.3).
        case piix3
        /// Q35 host bridge + ICH9 (LPC 00:1f.0, AHCI 00:1f.2, SMBus 00:1f.3).
        case ich9
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
        defaultControllers: [],
        implicitDiskControllers: ["scsi", "fdc", "ide", "sata"],
        primaryVideoSlot: 2, primaryVideoReason: "after the PIIX3 at slot 1")

    /// The `q35` machine: a PCI Express root complex with the ICH9 at slot 0x1f.
    public static let q35 = MachineDescriptor(
        family: .q35, chipset: .ich9, chipsetName: "q35", displayName: "q35",
        rootModel: .pcieRoot, rootBusQEMUName: "pcie.0", pciExpress: true,
        defaultUSBModel: "qemu-xhci", builtInDiskController: "sata",
        defaultControllers: [("sata", "the q35 machine's built-in SATA controller (ICH9 AHCI)")],
        implicitDiskControllers: ["scsi", "fdc", "sata"],
        primaryVideoSlot: 1, primaryVideoReason: "the first slot of the q35 root")
}

extension MachineFamily {
    /// The descriptor every stage asks about this family.
    public var descriptor: MachineDescriptor {
        switch self {
        case .pc: .pc
        case .q35: .q35
        }
    }

    /// The model of the root bus (controller `pci` index 0).
    public var rootModel: ControllerModel { descriptor.rootModel }
}
