import PCIPlanSource

/// What each device needs from the slot it plugs into (spec §3.3).
extension Define {
    /// libvirt's qemuDomainDeviceCalculatePCIConnectFlags for QEMU 7.2 on x86.
    public static func connectFlags(_ d: Device, family: MachineFamily) -> ConnectFlags {
        connectFlags(d, pciExpress: family.descriptor.pciExpress)
    }

    /// `connectFlags(_:family:)` on a machine whose root complex is (or is not) PCI Express:
    /// `normalize` asks the descriptor once, not twice per device.
    static func connectFlags(_ d: Device, pciExpress: Bool) -> ConnectFlags {
        let pci: ConnectFlags = [.pciDevice, .autoAssign]
        let pcie: ConnectFlags = pciExpress ? [.pcieDevice, .autoAssign] : pci
        let virtio = pcie
        let transitional = d.model == "virtio-transitional"
        switch d.kind {
        case .controller:
            guard let c = d.controller else { return [] }
            switch c.type {
            case "pci": return c.pciModel?.connectFlags ?? []
            case "sata", "ide": return pci
            case "usb":
                switch c.model ?? "" {
                case "nec-xhci", "qemu-xhci": return pcie
                case "none", "qusb1", "qusb2": return []
                default: return pci
                }
            case "scsi":
                switch c.model ?? "" {
                case "virtio-scsi", "virtio-non-transitional": return virtio
                // ibmvscsi gets a spapr-vio address from libvirt, even on x86
                case "ncr53c90", "ibmvscsi": return []
                default: return pci
                }
            case "virtio-serial": return transitional ? pci : virtio
            case "nvme": return pcie
            default: return []
            }
        case .filesystem:
            switch d.subtype ?? "" {
            case "virtiofs": return virtio
            case "mtp", "loop", "nbd", "ploop": return []
            default: return transitional ? pci : virtio
            }
        case .interface:
            // An <interface type='hostdev'> is a PCI host device in disguise (SR-IOV VF).
            if d.subtype == "hostdev" { return pcie }
            switch d.model ?? "" {
            // (lan9118 is an ordinary PCI device to libvirt 9.0; smc91c111 is a model it does not
            // know, as its list spells it scm91c111: checked with the oracle on q35)
            case "usb-net", "spapr-vlan": return []
            case "virtio", "virtio-non-transitional": return virtio
            case "virtio-transitional": return pci
            case "e1000e": return pcie
            // libvirt's other models are conventional PCI devices.
            case let m where knownNetModels.contains(m): return pci
            // A model libvirt does not know (`igb`, `ne2k_pci`) is VIR_DOMAIN_NET_MODEL_UNKNOWN with
            // its name passed on to QEMU, and libvirt gives "unknown" PCI Express flags (checked
            // with the oracle: golden q35-nic-model-second).
            default: return pcie
            }
        case .sound:
            switch d.model ?? "" {
            case "es1370", "ac97", "ich6", "ich9": return pci
            case "virtio": return virtio
            default: return []
            }
        case .disk:
            guard d.bus == "virtio" else { return [] }
            return transitional ? pci : virtio
        case .hostdev:
            guard d.bus == "subsystem" else { return [] }
            let type = d.subtype ?? ""
            let isMdevPCI = type == "mdev" && d.model == "vfio-pci"
            guard type == "pci" || type == "scsi_host" || isMdevPCI else { return [] }
            if !pciExpress { return pci }
            if d.address.pciAddress != nil { return pcie }
            if type == "scsi_host" { return transitional ? pci : virtio }
            // The host device's config space decides; absent on the planning host → PCIe.
            return pcie
        case .memballoon:
            switch d.model ?? "" {
            case "virtio", "virtio-non-transitional": return virtio
            case "virtio-transitional": return pci
            default: return []
            }
        case .rng, .vsock:
            return transitional ? pci : virtio
        case .watchdog:
            return d.model == "i6300esb" ? pci : []
        case .video:
            switch d.model ?? "" {
            case "virtio": return virtio
            case "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels": return pci
            case "bochs": return pcie
            default: return []
            }
        case .shmem:
            return pci
        case .input:
            guard d.bus == "virtio" else { return [] }
            return transitional ? pci : virtio
        case .serial:
            return d.subtype == "pci-serial" ? pci : []
        case .iommu:
            return d.model == "virtio" ? virtio.union(.integrated) : []
        case .memory:
            return d.model == "virtio-pmem" || d.model == "virtio-mem" ? virtio : []
        default:
            return []
        }
    }
}
