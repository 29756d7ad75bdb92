import PCIPlanSource

extension NormalizedDomain {
    /// Device indices in the order `qemuBuildCommandLine` emits them: the IOMMU, PCI controllers
    /// by index, the other controllers by type (USB, SCSI, IDE, SATA, virtio-serial), memory
    /// devices, disks (libvirt's list order), filesystems, network interfaces, chardevs, inputs,
    /// videos (primary first), sounds, the watchdog, host devices, the balloon, RNGs, shared
    /// memory, vsock. QEMU creates devices in this order, so it decides which bus exists when a
    /// device names it, and which virtio-mmio device finds no transport left.
    package var commandLineOrder: [Int] {
        var order: [Int] = []
        func add(_ kind: DeviceKind) { order += devices.indices.filter { devices[$0].kind == kind } }

        add(.iommu)
        for type in ["pci", "usb", "scsi", "ide", "sata", "virtio-serial"] {
            let ofType = controllerOrder.enumerated().filter { devices[$0.element].controller?.type == type }
            // Stable by index: companions share their EHCI's index and keep their list order.
            order += ofType.sorted {
                let a = devices[$0.element].controller?.index ?? 0, b = devices[$1.element].controller?.index ?? 0
                return a != b ? a < b : $0.offset < $1.offset
            }.map(\.element)
        }
        add(.memory)
        add(.hub)
        order += diskOrder
        for kind: DeviceKind in [.filesystem, .interface, .smartcard, .serial, .parallel, .channel, .console, .tpm, .input] {
            add(kind)
        }
        order += videoOrder
        for kind: DeviceKind in [.sound, .watchdog, .redirdev, .hostdev, .memballoon, .rng, .shmem, .vsock] {
            add(kind)
        }
        return order
    }
}
