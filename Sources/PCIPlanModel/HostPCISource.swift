import PCIPlanSource

extension Device {
    /// The host PCI function a PCI host device passes through: the `<source><address>` of a
    /// `<hostdev mode='subsystem' type='pci'>` or of an `<interface type='hostdev'>`. nil for
    /// every other device, and when the source address is missing or does not parse (the
    /// checker reports that).
    ///
    /// Missing attributes are 0, as libvirt's `virPCIDeviceAddressParseXML` reads them. The
    /// value is a *host* address: `bus` is the host's bus number, not a controller index.
    public var hostPCIFunction: PCIAddress? {
        let isInterface = kind == .interface && subtype == "hostdev"
        let isPCIHostdev = kind == .hostdev && bus == "subsystem" && subtype == "pci"
        guard isInterface || isPCIHostdev, let a = element?.child("source")?.child("address") else { return nil }
        if let type = a[attribute: "type"], type != "pci" { return nil }
        func number(_ name: String, max: UInt64) -> Int? {
            guard let text = a[attribute: name] else { return 0 }
            return parseLibvirtUInt(text).flatMap { $0 <= max ? Int($0) : nil }
        }
        guard let domain = number("domain", max: 0xFFFF), let bus = number("bus", max: 0xFF),
              let slot = number("slot", max: 0x1F), let function = number("function", max: 7) else { return nil }
        return PCIAddress(domain: UInt32(domain), bus: bus, slot: slot, function: function)
    }
}
