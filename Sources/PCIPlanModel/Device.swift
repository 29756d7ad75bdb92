import PCIPlanSource

/// The machine families pciplan plans for.
public enum MachineFamily: String, Sendable, Hashable, Codable {
    /// i440fx + PIIX3, conventional PCI root bus.
    case pc
    /// ICH9, PCI Express root complex.
    case q35

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

extension DomainDefinition {
    /// Whether `<features>` has `<acpi/>`: the i440fx root bus hot-plugs through ACPI only.
    public var hasACPI: Bool { root.child("features")?.child("acpi") != nil }

    /// Whether the guest's memory is shared, as vhost-user devices (virtiofs) need
    /// (`qemuValidateDomainDefVhostUserRequireSharedMemory`): `<memoryBacking><access
    /// mode='shared'/>` without NUMA cells, or every NUMA cell shared (by its own
    /// `memAccess` or, when it has none, by the domain's).
    public var hasSharedMemory: Bool {
        let global = root.child("memoryBacking")?.child("access")?[attribute: "mode"] == "shared"
        let cells = root.child("cpu")?.child("numa")?.children.filter { $0.name == "cell" } ?? []
        if cells.isEmpty { return global }
        return cells.allSatisfy { cell in
            switch cell[attribute: "memAccess"] {
            case "shared": true
            case nil: global
            default: false
            }
        }
    }
}
