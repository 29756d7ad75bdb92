import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The QEMU device (`driver`) libvirt 9.0 builds for each PCI device with QEMU 7.2
/// (`qemu_command.c`: `qemuBuildControllerPCIDevProps`, `qemuBuildUSBControllerDevProps`,
/// `qemuBuildVirtioDevGetConfig`, `qemuDeviceVideoGetModel`, …).
package enum QEMUDriverNames {
    /// nil: libvirt puts no `-device` for it (or pciplan does not know the device).
    static func driver(_ plan: PlannedDomain, _ i: Int, primaryVideo: Int?) -> String? {
        let d = plan.devices[i]
        let el = d.element
        switch d.kind {
        case .controller:
            return controller(plan, i)
        case .disk:
            guard d.bus == "virtio" else { return nil }
            // A transient disk with a shared backing image is hot-plugged after QEMU starts.
            if el?.child("transient")?[attribute: "shareBacking"] == "yes" { return nil }
            return virtio(el?[attribute: "type"] == "vhostuser" ? "vhost-user-blk-pci" : "virtio-blk-pci", d.model)
        case .interface:
            if d.subtype == "hostdev" { return "vfio-pci" }
            switch d.model ?? "rtl8139" {
            case "virtio": return "virtio-net-pci"
            case let m where m.hasPrefix("virtio-"): return virtio("virtio-net-pci", m)
            case let m: return m  // libvirt passes other model strings through
            }
        case .sound:
            switch d.model ?? "" {
            case "es1370": return "ES1370"
            case "ac97": return "AC97"
            case "ich6": return "intel-hda"
            case "ich9": return "ich9-intel-hda"
            default: return nil
            }
        case .video:
            return video(d, primary: primaryVideo == i, machine: plan.family.descriptor)
        case .hostdev:
            switch d.subtype ?? "" {
            case "pci": return "vfio-pci"
            case "mdev": return el?[attribute: "ramfb"] == "on" ? "vfio-pci-nohotplug" : "vfio-pci"
            case "scsi_host": return virtio("vhost-scsi-pci", d.model)
            default: return nil
            }
        case .memballoon: return virtio("virtio-balloon-pci", d.model)
        case .rng: return virtio("virtio-rng-pci", d.model)
        case .vsock: return virtio("vhost-vsock-pci", d.model)
        case .watchdog: return d.model == "i6300esb" ? "i6300esb" : nil
        case .shmem: return el?.child("model")?[attribute: "type"] ?? "ivshmem"  // legacy default; QEMU 7.2 lacks it
        case .serial: return d.subtype == "pci-serial" ? "pci-serial" : nil
        case .iommu: return d.model == "virtio" ? "virtio-iommu" : nil
        case .filesystem:
            return d.subtype == "virtiofs" ? "vhost-user-fs-pci" : virtio("virtio-9p-pci", d.model)
        case .input:
            guard d.bus == "virtio" else { return nil }
            switch d.subtype ?? "" {
            case "mouse": return "virtio-mouse-pci"
            case "keyboard": return "virtio-keyboard-pci"
            case "tablet": return "virtio-tablet-pci"
            case "passthrough": return virtio("virtio-input-host-pci", d.model)
            default: return nil
            }
        case .memory:
            switch d.model ?? "" {
            case "virtio-pmem": return "virtio-pmem-pci"
            case "virtio-mem": return "virtio-mem-pci"
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `-transitional` / `-non-transitional` variants of virtio devices (QEMU ≥ 4.0 has them).
    static func virtio(_ base: String, _ model: String?) -> String {
        switch model {
        case "virtio-transitional": base + "-transitional"
        case "virtio-non-transitional": base + "-non-transitional"
        default: base
        }
    }

    static func controller(_ plan: PlannedDomain, _ i: Int) -> String? {
        guard let c = plan.controllerInfo(i), let idx = c.index else { return nil }
        switch c.type {
        case "pci":
            guard let m = c.pciModel, !m.isRoot else { return nil }
            return c.modelName ?? m.defaultModelName
        case "usb":
            return usbDrivers[c.model ?? ""]
        case "scsi":
            switch c.model ?? "" {
            case "virtio-scsi": return "virtio-scsi-pci"
            case let m where m.hasPrefix("virtio-"): return virtio("virtio-scsi-pci", m)
            default: return scsiDrivers[c.model ?? ""]
            }
        case "virtio-serial":
            return virtio("virtio-serial-pci", c.model)
        case "sata":
            // The q35 AHCI at 00:1f.2 is part of the machine; other SATA controllers are added.
            return idx == 0 && plan.family.descriptor.builtInDiskController == "sata" ? nil : "ahci"
        case "ide":
            // The PIIX3 IDE at 00:01.1 is part of the i440fx machine; x86 has no other.
            return nil
        default:
            return nil
        }
    }

    package static let usbDrivers: [String: String] = [
        "piix3-uhci": "piix3-usb-uhci", "piix4-uhci": "piix4-usb-uhci", "ehci": "usb-ehci",
        "ich9-ehci1": "ich9-usb-ehci1", "ich9-uhci1": "ich9-usb-uhci1", "ich9-uhci2": "ich9-usb-uhci2",
        "ich9-uhci3": "ich9-usb-uhci3", "vt82c686b-uhci": "vt82c686b-usb-uhci", "pci-ohci": "pci-ohci",
        "nec-xhci": "nec-usb-xhci", "qemu-xhci": "qemu-xhci",
    ]

    package static let scsiDrivers: [String: String] = [
        "lsilogic": "lsi", "lsisas1068": "mptsas1068", "lsisas1078": "megasas", "vmpvscsi": "pvscsi",
        "am53c974": "am53c974", "dc390": "dc-390",
    ]

    /// `qemuDeviceVideoGetModel`: the primary video gets the VGA-compatible variant when the
    /// QEMU binary has one (`qemu-system-aarch64` has no `virtio-vga`).
    static func video(_ d: Device, primary primaryVideo: Bool, machine: MachineDescriptor) -> String? {
        let model = d.element?.child("model")
        let gl = model?.child("acceleration")?[attribute: "accel3d"] == "yes"
        let vhostUser = d.element?.child("driver")?[attribute: "name"] == "vhostuser"
        switch d.model ?? "cirrus" {
        case "vga": return "VGA"
        case "cirrus": return "cirrus-vga"
        case "vmvga": return "vmware-svga"
        case "bochs": return "bochs-display"
        case "qxl": return primaryVideo ? "qxl-vga" : "qxl"
        case "virtio":
            let primary = primaryVideo && machine.hasVirtioVGA
            if vhostUser { return primary ? "vhost-user-vga" : "vhost-user-gpu-pci" }
            return primary ? (gl ? "virtio-vga-gl" : "virtio-vga") : (gl ? "virtio-gpu-gl-pci" : "virtio-gpu-pci")
        default: return nil
        }
    }
}
