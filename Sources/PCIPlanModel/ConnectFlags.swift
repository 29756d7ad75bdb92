import PCIPlanSource

/// What a device needs from the slot it plugs into, or what a bus offers its slots
/// (libvirt's `virDomainPCIConnectFlags`; the same bit values, so messages can print them).
public struct ConnectFlags: OptionSet, Sendable, Hashable, Codable {
    /// The bits, with libvirt's values (`VIR_PCI_CONNECT_*`).
    public let rawValue: UInt32
    /// The flags whose bits are set in `rawValue`.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// device: may only be auto-placed on buses that allow it; bus: allows auto-placement.
    public static let autoAssign = ConnectFlags(rawValue: 0x0001)
    /// device: is being hot-plugged, so it needs a bus with hotplug (libvirt adds it for a live
    /// attach, not at define); bus: supports hotplug (cleared by `<target hotplug='off'/>`).
    public static let hotpluggable = ConnectFlags(rawValue: 0x0002)
    /// must sit on bus 0 (chipset-integrated).
    public static let integrated = ConnectFlags(rawValue: 0x0004)
    /// several such devices may share one slot as functions 0–7 (root ports).
    public static let aggregateSlot = ConnectFlags(rawValue: 0x0008)
    /// A conventional PCI endpoint (`VIR_PCI_CONNECT_TYPE_PCI_DEVICE`).
    public static let pciDevice = ConnectFlags(rawValue: 0x0010)
    /// A PCI Express endpoint (`VIR_PCI_CONNECT_TYPE_PCIE_DEVICE`).
    public static let pcieDevice = ConnectFlags(rawValue: 0x0020)
    /// A pcie-root-port, which plugs into pcie-root or a pcie-expander-bus.
    public static let pcieRootPort = ConnectFlags(rawValue: 0x0040)
    /// A pcie-switch-upstream-port, which plugs into a root port or a downstream port.
    public static let pcieSwitchUpstreamPort = ConnectFlags(rawValue: 0x0080)
    /// A pcie-switch-downstream-port, which plugs only into an upstream port.
    public static let pcieSwitchDownstreamPort = ConnectFlags(rawValue: 0x0100)
    /// A dmi-to-pci-bridge, which plugs into pcie-root or a pcie-expander-bus.
    public static let dmiToPCIBridge = ConnectFlags(rawValue: 0x0200)
    /// A pci-expander-bus, which plugs only into pci-root.
    public static let pciExpanderBus = ConnectFlags(rawValue: 0x0400)
    /// A pcie-expander-bus, which plugs only into pcie-root.
    public static let pcieExpanderBus = ConnectFlags(rawValue: 0x0800)
    /// A pci-bridge, which plugs into any bus that takes conventional PCI bridges.
    public static let pciBridge = ConnectFlags(rawValue: 0x1000)
    /// A pcie-to-pci-bridge, which plugs into a root port or a downstream port.
    public static let pcieToPCIBridge = ConnectFlags(rawValue: 0x2000)

    /// Every connection-type bit (`VIR_PCI_CONNECT_TYPES_MASK`): a device fits a bus when they share
    /// one of these.
    public static let typesMask = ConnectFlags(rawValue: 0x3FF0)
    /// Both endpoint kinds (`VIR_PCI_CONNECT_TYPES_ENDPOINT`); for explicit addresses libvirt lets a
    /// bus that takes either take both.
    public static let endpoints: ConnectFlags = [.pciDevice, .pcieDevice]

    /// The connection kind named in libvirt's "It requires a controller that accepts a %s" message.
    public var requirementName: String? {
        let order: [(ConnectFlags, String)] = [
            (.pciDevice, "standard PCI device"), (.pcieDevice, "PCI Express device"),
            (.pcieRootPort, "pcie-root-port"), (.pcieSwitchUpstreamPort, "pcie-switch-upstream-port"),
            (.pcieSwitchDownstreamPort, "pcie-switch-downstream-port"),
            (.dmiToPCIBridge, "dmi-to-pci-bridge"), (.pcieToPCIBridge, "pcie-to-pci-bridge"),
            (.pciExpanderBus, "pci-expander-bus"), (.pcieExpanderBus, "pcie-expander-bus"),
            (.pciBridge, "pci-bridge"),
        ]
        return order.first { contains($0.0) }?.1
    }

    /// "PCI" / "PCIe" / the controller kind, for humans.
    public var kindDescription: String {
        if contains(.pciDevice) { return "PCI" }
        if contains(.pcieDevice) { return "PCIe" }
        return requirementName ?? "none"
    }
}
