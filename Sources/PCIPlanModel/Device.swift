import PCIPlanSource

/// The machine families pciplan plans for.
public enum MachineFamily: String, Sendable, Hashable, Codable {
    /// i440fx + PIIX3, conventional PCI root bus.
    case pc
    /// ICH9, PCI Express root complex.
    case q35
    /// The aarch64 `virt` board: a generic PCI Express host bridge (QEMU's gpex) and nothing
    /// else on bus 0.
    case virtAArch64 = "virt-aarch64"
    /// The 32-bit ARM (armv7l) `virt` board: the aarch64 board's PCI topology, with the legacy
    /// default USB controller.
    case virtARMv7 = "virt-armv7l"
    /// The riscv64 `virt` board: a gpex root complex like ARM's, with libvirt's x86-like
    /// defaults (memory balloon, piix3-uhci) and no pxb-pcie in QEMU.
    case virtRISCV64 = "virt-riscv64"

    /// libvirt's machine predicates (`qemuDomainIsI440FX`, `qemuDomainIsQ35`).
    public static func of(machine: String) -> MachineFamily? {
        if machine == "q35" || machine.hasPrefix("pc-q35-") { return .q35 }
        if machine == "pc" || machine.hasPrefix("pc-0.") || machine.hasPrefix("pc-1.")
            || machine.hasPrefix("pc-i440fx-") || machine.hasPrefix("rhel")
        {
            return .pc
        }
        return nil
    }

    /// The family of a machine type on a guest architecture: the x86 predicates above, and
    /// libvirt's `qemuDomainMachineIsARMVirt` / `qemuDomainMachineIsRISCVVirt` (`virt` or
    /// `virt-*`; the version does not change placement).
    public static func of(arch: GuestArch, machine: String) -> MachineFamily? {
        let isVirt = machine == "virt" || machine.hasPrefix("virt-")
        switch arch {
        case .x86_64, .i686: return of(machine: machine)
        case .aarch64: return isVirt ? .virtAArch64 : nil
        case .armv7l: return isVirt ? .virtARMv7 : nil
        case .riscv64: return isVirt ? .virtRISCV64 : nil
        }
    }
}

/// The guest architectures pciplan reads (`<os><type arch=…>`).
public enum GuestArch: String, Sendable, Hashable, Codable, CaseIterable {
    case x86_64, i686, aarch64, armv7l, riscv64

    /// The machine libvirt 9.0 picks when `<type>` names none (`preferredMachines` in
    /// `qemu_capabilities.c`): only x86's is one pciplan plans.
    public var libvirtDefaultMachine: String {
        switch self {
        case .x86_64, .i686: "pc"
        case .aarch64, .armv7l: "integratorcp"
        case .riscv64: "spike"
        }
    }
}

/// The kinds of `<devices>` children the planner distinguishes.
public enum DeviceKind: String, Sendable, Hashable, Codable {
    case controller, disk, interface, sound, video, hostdev, memballoon, rng, watchdog, shmem
    case input, serial, parallel, channel, console, iommu, vsock, memory, filesystem, panic
    case crypto, smartcard, hub, redirdev, tpm, nvram, graphics, audio, lease, emulator, other
}

/// What a device's own `<address>` says.
public enum AddressSpec: Sendable, Hashable {
    /// No `<address>` element.
    case none
    /// `type='pci'` with domain, bus and slot all 0: libvirt assigns one (function and
    /// multifunction are dropped).
    case pciWanted(multifunction: Tristate)
    /// A present PCI address.
    case pci(PCIAddress, multifunction: Tristate)
    /// A PCI address that did not parse; diagnostics were reported.
    case invalid
    /// Another address type (`drive`, `usb`, `ccw`, `unassigned`, …).
    case other(String)

    public var pciAddress: PCIAddress? {
        if case .pci(let a, _) = self { return a }
        return nil
    }

    /// libvirt's "wanted": no address, or an empty PCI one.
    public var wantsPCI: Bool {
        switch self {
        case .none, .pciWanted: true
        default: false
        }
    }
}

/// Where a device of the planned definition comes from.
public enum DeviceOrigin: Sendable, Hashable {
    /// The child of `<devices>` with this position among element children.
    case input(Int)
    /// Added by the planner, as libvirt adds it at define (`reason` says why).
    case added(String)
}

/// A controller's identity and PCI options.
public struct ControllerInfo: Sendable, Hashable {
    public var type: String
    /// nil until libvirt's index assignment gives one.
    public var index: Int?
    public var model: String?
    public var pciModel: ControllerModel? { type == "pci" ? model.flatMap(ControllerModel.init(rawValue:)) : nil }
    public var modelName: String?
    public var hotplug: Tristate = .absent
    public var chassisNr: Int?
    public var chassis: Int?
    public var port: Int?
    public var busNr: Int?
    public var targetIndex: Int?
    /// Whether `index=` was written in the input.
    public var indexGiven: Bool = false

    /// A controller of libvirt `type` with nothing else known yet.
    public init(type: String) { self.type = type }
}

/// One device of the definition as the planner sees it.
public struct Device: Sendable, Hashable {
    public var kind: DeviceKind
    public var origin: DeviceOrigin
    /// The element it was read from; nil for devices the planner adds.
    public var element: XMLElement?
    /// The device's own `<address>` element, if any.
    public var addressElement: XMLElement?
    public var address: AddressSpec
    /// Connect flags (what it needs from its slot); empty = never gets a PCI address.
    public var flags: ConnectFlags = []
    public var controller: ControllerInfo?
    /// `model`/`type` details that decide flags and order (disk bus, net model, video type, …).
    public var model: String?
    public var subtype: String?
    public var bus: String?
    /// A short human name: `disk 'vda'`, `interface 52:54:00:…`, `controller usb 0`.
    public var name: String
    /// The libvirt alias this device gets (`virtio-disk0`, `net0`, `pci.1`), if known.
    public var alias: String?
    /// For a hostdev belonging to an `<interface type='hostdev'>`.
    public var isInterfaceHostdev = false
    /// Set by `plan --keep`: the address in `address` was carried over from the old
    /// definition (the reason names the old device); the planner treats it as explicit and
    /// the writer writes it out.
    public var keptReason: String?
    /// libvirt gave this address-less device `<address type='virtio-mmio'/>` at define
    /// (`qemuDomainAssignVirtioMMIOAddresses`); `address` is then `.other("virtio-mmio")`.
    public var virtioMMIOAssigned = false

    public var isPCIController: Bool { controller?.type == "pci" }

    public init(kind: DeviceKind, origin: DeviceOrigin, element: XMLElement?, name: String) {
        self.kind = kind
        self.origin = origin
        self.element = element
        self.address = .none
        self.name = name
    }
}

/// The domain as read from XML, before planning.
public struct DomainDefinition: Sendable {
    public var file: SourceFile
    public var root: XMLElement
    public var machine: String
    public var family: MachineFamily
    /// The `<devices>` element (nil when the domain has none).
    public var devicesElement: XMLElement?
    public var devices: [Device]
}
