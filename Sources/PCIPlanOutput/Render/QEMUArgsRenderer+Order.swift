import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

extension QEMUArgsRenderer {
    /// Device indices in the order `qemuBuildCommandLine` emits them: the IOMMU, PCI controllers
    /// by index, the other controllers by type (USB, SCSI, IDE, SATA, virtio-serial), memory
    /// devices, disks (libvirt's list order), filesystems, network interfaces, chardevs, inputs, videos (primary
    /// first), sounds, the watchdog, host devices, the balloon, RNGs, shared memory, vsock.
    static func commandLineOrder(_ plan: PlannedDomain) -> [Int] {
        let devices = plan.devices
        var order: [Int] = []
        func add(_ kind: DeviceKind) { order += devices.indices.filter { devices[$0].kind == kind } }

        add(.iommu)
        let controllers = plan.normalized.controllerOrder
        for type in ["pci", "usb", "scsi", "ide", "sata", "virtio-serial"] {
            let ofType = controllers.enumerated().filter { devices[$0.element].controller?.type == type }
            // Stable by index: companions share their EHCI's index and keep their list order.
            order += ofType.sorted {
                let a = devices[$0.element].controller?.index ?? 0, b = devices[$1.element].controller?.index ?? 0
                return a != b ? a < b : $0.offset < $1.offset
            }.map(\.element)
        }
        add(.memory)
        add(.hub)
        order += plan.normalized.diskOrder
        for kind: DeviceKind in [.filesystem, .interface, .smartcard, .serial, .parallel, .channel, .console, .tpm, .input] {
            add(kind)
        }
        order += plan.normalized.videoOrder
        for kind: DeviceKind in [.sound, .watchdog, .redirdev, .hostdev, .memballoon, .rng, .shmem, .vsock] {
            add(kind)
        }
        return order
    }
}
