import PCIPlanSource

/// The PCI controller models libvirt knows; raw values are libvirt's spellings.
public enum ControllerModel: String, Sendable, Hashable, Codable, CaseIterable {
    /// The conventional PCI root bus of the `pc` machine (bus 0, slots 1–31).
    case pciRoot = "pci-root"
    /// The PCI Express root complex of `q35` (bus 0, slots 1–31): root ports, dmi-to-pci-bridges,
    /// pcie-expander-buses, and PCIe devices only at explicit addresses; no hotplug.
    case pcieRoot = "pcie-root"
    /// A conventional PCI-to-PCI bridge with 31 hot-pluggable slots (slot 0 holds its SHPC).
    case pciBridge = "pci-bridge"
    /// The i82801b11 bridge from pcie-root to a conventional PCI bus; devices go there only at
    /// explicit addresses, and it has no hotplug.
    case dmiToPCIBridge = "dmi-to-pci-bridge"
    /// A PCI Express root port: one slot for one PCIe device; several ports can share a slot of
    /// pcie-root as functions (aggregate slot).
    case pcieRootPort = "pcie-root-port"
    /// The upstream side of a PCIe switch; its bus takes only downstream ports.
    case pcieSwitchUpstreamPort = "pcie-switch-upstream-port"
    /// A downstream port of a PCIe switch: one slot, like a root port.
    case pcieSwitchDownstreamPort = "pcie-switch-downstream-port"
    /// QEMU's `pxb`: an extra conventional PCI root bus with its own bus number (`busNr`), on `pc`.
    case pciExpanderBus = "pci-expander-bus"
    /// QEMU's `pxb-pcie`: an extra PCI Express root bus with its own bus number (`busNr`), on `q35`.
    case pcieExpanderBus = "pcie-expander-bus"
    /// A bridge from a PCIe root or downstream port to a conventional PCI bus with 31 hot-pluggable
    /// slots; libvirt adds one when a q35 guest needs a conventional PCI slot.
    case pcieToPCIBridge = "pcie-to-pci-bridge"

    /// The model libvirt calls `name`, like `init(rawValue:)`; picks the one candidate by length
    /// first instead of comparing with every case in turn: the planner and the checkers ask for
    /// a controller's model hundreds of times per domain.
    public init?(libvirtName name: String) {
        let candidate: ControllerModel
        switch name.utf8.count {
        case 8: candidate = .pciRoot
        case 9: candidate = .pcieRoot
        case 10: candidate = .pciBridge
        case 14: candidate = .pcieRootPort
        case 16: candidate = .pciExpanderBus
        case 17: candidate = name.utf8.first == UInt8(ascii: "d") ? .dmiToPCIBridge : .pcieExpanderBus
        case 18: candidate = .pcieToPCIBridge
        case 25: candidate = .pcieSwitchUpstreamPort
        case 27: candidate = .pcieSwitchDownstreamPort
        default: return nil
        }
        guard name == candidate.rawValue else { return nil }
        self = candidate
    }

    /// What the bus this controller provides accepts, its slot range and whether endpoints
    /// may be auto-placed there (libvirt `virDomainPCIAddressBusSetModel`).
    public func busFlags(hotplug: Bool) -> ConnectFlags {
        let hp: ConnectFlags = hotplug ? .hotpluggable : []
        switch self {
        case .pciRoot: return [.autoAssign, .pciDevice, .pciBridge, .pciExpanderBus, hp]
        case .pciBridge: return [.autoAssign, .pciDevice, .pciBridge, hp]
        case .pciExpanderBus: return [.autoAssign, .pciDevice, .pciBridge, hp]
        case .pcieRoot: return [.pcieDevice, .pcieRootPort, .dmiToPCIBridge, .pcieExpanderBus]
        case .dmiToPCIBridge: return [.pciDevice, .pciBridge]
        case .pcieToPCIBridge: return [.autoAssign, .pciDevice, .pciBridge, hp]
        case .pcieRootPort, .pcieSwitchDownstreamPort:
            return [.autoAssign, .pcieDevice, .pcieSwitchUpstreamPort, .pcieToPCIBridge, hp]
        case .pcieSwitchUpstreamPort: return [.pcieSwitchDownstreamPort]
        case .pcieExpanderBus: return [.pcieRootPort, .dmiToPCIBridge]
        }
    }

    /// Lowest usable slot: slot 0 holds the host bridge on a root bus and the SHPC on a bridge.
    public var minSlot: Int {
        switch self {
        case .pciRoot, .pcieRoot, .pciBridge, .pcieToPCIBridge: 1
        default: 0
        }
    }

    /// Root and downstream ports have exactly one slot.
    public var maxSlot: Int {
        switch self {
        case .pcieRootPort, .pcieSwitchDownstreamPort: 0
        default: 31
        }
    }

    /// Whether the model supports hotplug at all (before `<target hotplug='off'/>`).
    public var supportsHotplug: Bool { busFlags(hotplug: true).contains(.hotpluggable) }

    /// How this controller itself plugs in upstream (libvirt `virDomainPCIControllerModelToConnectType`).
    public var connectFlags: ConnectFlags {
        switch self {
        case .pciRoot, .pcieRoot: []
        case .pciBridge: .pciBridge
        case .pciExpanderBus: .pciExpanderBus
        case .pcieExpanderBus: .pcieExpanderBus
        case .dmiToPCIBridge: .dmiToPCIBridge
        case .pcieToPCIBridge: .pcieToPCIBridge
        case .pcieRootPort: [.pcieRootPort, .aggregateSlot]
        case .pcieSwitchUpstreamPort: .pcieSwitchUpstreamPort
        case .pcieSwitchDownstreamPort: .pcieSwitchDownstreamPort
        }
    }

    /// The controller model libvirt adds to give a slot to a device with these flags
    /// (`virDomainPCIControllerConnectTypeToModel`), used in failure messages.
    package static func model(connecting flags: ConnectFlags) -> ControllerModel? {
        if flags.contains(.pcieRootPort) { return .pcieRootPort }
        if flags.contains(.pcieSwitchUpstreamPort) { return .pcieSwitchUpstreamPort }
        if flags.contains(.pcieSwitchDownstreamPort) { return .pcieSwitchDownstreamPort }
        if flags.contains(.dmiToPCIBridge) { return .dmiToPCIBridge }
        if flags.contains(.pciExpanderBus) { return .pciExpanderBus }
        if flags.contains(.pcieExpanderBus) { return .pcieExpanderBus }
        if flags.contains(.pciBridge) { return .pciBridge }
        return nil
    }

    /// `<model name=…>` libvirt fills in: the QEMU device that implements the controller.
    public var defaultModelName: String? {
        switch self {
        case .pciRoot, .pcieRoot: nil
        case .pciBridge: "pci-bridge"
        case .dmiToPCIBridge: "i82801b11-bridge"
        case .pcieToPCIBridge: "pcie-pci-bridge"
        case .pcieRootPort: "pcie-root-port"
        case .pcieSwitchUpstreamPort: "x3130-upstream"
        case .pcieSwitchDownstreamPort: "xio3130-downstream"
        case .pciExpanderBus: "pxb"
        case .pcieExpanderBus: "pxb-pcie"
        }
    }

    /// Whether this is the machine's root bus (pci-root or pcie-root), which has no address of its own.
    public var isRoot: Bool { self == .pciRoot || self == .pcieRoot }
}
