import PCIPlanSource

/// virtio-mmio on the `virt` boards (libvirt `qemuDomainAssignVirtioMMIOAddresses` and
/// `qemuDomainPrimeVirtioDeviceAddresses`).
///
/// libvirt prefers virtio-pci on a `virt` board with a pcie-root, *unless* one device of the
/// definition already has `<address type='virtio-mmio'/>`: then every address-less device of
/// the kinds below is declared virtio-mmio too, gets no PCI address and no root port, and is
/// stored with `<address type='virtio-mmio'/>`. An empty `<address type='pci'/>` is an address
/// (type pci), so such a device stays on PCI; 9p filesystems, vsock and PCI host devices always do.
extension Define {
    /// Whether libvirt moves this address-less device to virtio-mmio (the kinds, in libvirt's
    /// order: virtio disks, virtio NICs, virtio videos, virtio inputs, SCSI and virtio-serial
    /// controllers whatever their model, vhost-scsi host devices, the balloon, every RNG,
    /// virtio-pmem/virtio-mem).
    package static func movesToVirtioMMIO(_ d: Device) -> Bool {
        switch d.kind {
        case .disk: return d.bus == "virtio"
        case .interface: return ["virtio", "virtio-transitional", "virtio-non-transitional"].contains(d.model ?? "")
        case .video: return d.model == "virtio"
        case .input: return d.bus == "virtio"
        case .controller: return d.controller?.type == "scsi" || d.controller?.type == "virtio-serial"
        case .hostdev: return d.bus == "subsystem" && d.subtype == "scsi_host"
        case .memballoon: return d.model != "none"
        case .rng: return true
        case .memory: return d.model == "virtio-pmem" || d.model == "virtio-mem"
        default: return false
        }
    }

    /// Declares the address-less devices virtio-mmio when the machine has virtio-mmio and one
    /// device of the definition already uses it.
    static func assignVirtioMMIO(_ devices: inout [Device], machine: MachineDescriptor) {
        guard machine.virtioMMIOTransports != nil,
              devices.indices.contains(where: { devices[$0].address == .other("virtio-mmio") }) else { return }
        for i in devices.indices where devices[i].addressElement == nil && movesToVirtioMMIO(devices[i]) {
            devices[i].address = .other("virtio-mmio")
            devices[i].virtioMMIOAssigned = true
        }
    }

    /// The QEMU device libvirt 9.0 puts on a virtio-mmio transport for this device
    /// (`qemuBuildVirtioDevGetConfig`: the base name, `-device`, and the `-transitional` /
    /// `-non-transitional` suffix of the model, which only the PCI variants have); nil when
    /// the device is not a virtio device (an lsilogic SCSI controller stays `lsi`).
    package static func virtioMMIODeviceName(_ d: Device) -> String? {
        let base: String
        switch d.kind {
        case .disk: base = d.element?[attribute: "type"] == "vhostuser" ? "vhost-user-blk" : "virtio-blk"
        case .interface: base = "virtio-net"
        case .video: base = "virtio-gpu"
        case .input:
            switch d.subtype ?? "" {
            case "mouse": base = "virtio-mouse"
            case "keyboard": base = "virtio-keyboard"
            case "tablet": base = "virtio-tablet"
            default: base = "virtio-input-host"
            }
        case .controller:
            switch d.controller?.type {
            case "virtio-serial": base = "virtio-serial"
            case "scsi" where (d.controller?.model ?? "").hasPrefix("virtio"): base = "virtio-scsi"
            default: return nil
            }
        case .hostdev: base = "vhost-scsi"
        case .memballoon: base = "virtio-balloon"
        case .rng: base = "virtio-rng"
        case .memory: base = d.model ?? "virtio-mem"
        default: return nil
        }
        let model = d.kind == .controller ? d.controller?.model : d.model
        switch model {
        case "virtio-transitional": return base + "-device-transitional"
        case "virtio-non-transitional": return base + "-device-non-transitional"
        default: return base + "-device"
        }
    }
}
