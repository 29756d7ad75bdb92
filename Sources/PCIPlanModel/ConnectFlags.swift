import PCIPlanSource

/// What a device needs from the slot it plugs into, or what a bus offers its slots
/// (libvirt's `virDomainPCIConnectFlags`; the same bit values, so messages can print them).
public struct ConnectFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// device: may only be auto-placed on buses that allow it; bus: allows auto-placement.
    public static let autoAssign = ConnectFlags(rawValue: 0x0001)
    public static let hotpluggable = ConnectFlags(rawValue: 0x0002)
    /// must sit on bus 0 (chipset-integrated).
    public static let integrated = ConnectFlags(rawValue: 0x0004)
    /// several such devices may share one slot as functions 0–7 (root ports).
    public static let aggregateSlot = ConnectFlags(rawValue: 0x0008)
    public static let pciDevice = ConnectFlags(rawValue: 0x0010)
    public static let pcieDevice = ConnectFlags(rawValue: 0x0020)
    public static let pcieRootPort = ConnectFlags(rawValue: 0x0040)
    public static let pcieSwitchUpstreamPort = ConnectFlags(rawValue: 0x0080)
    public static let pcieSwitchDownstreamPort = ConnectFlags(rawValue: 0x0100)
    public static let dmiToPCIBridge = ConnectFlags(rawValue: 0x0200)
    public static let pciExpanderBus = ConnectFlags(rawValue: 0x0400)
    public static let pcieExpanderBus = ConnectFlags(rawValue: 0x0800)
    public static let pciBridge = ConnectFlags(rawValue: 0x1000)
    public static let pcieToPCIBridge = ConnectFlags(rawValue: 0x2000)

    public static let typesMask = ConnectFlags(rawValue: 0x3FF0)
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
