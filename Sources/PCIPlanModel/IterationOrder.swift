import PCIPlanSource

extension Define {
    /// libvirt's `virDomainDeviceInfoIterate` order: device lists by kind, each in libvirt's list
    /// order. It decides which device of a duplicate pair a reservation fails for, and which
    /// device's flags pick the model of a bus the dry run grows.
    package static func iterationOrder(_ devices: [Device], controllerOrder: [Int], videoOrder: [Int], diskOrder: [Int]) -> [Int] {
        let kinds: [DeviceKind] = [.disk, .interface, .sound, .hostdev, .video, .controller, .smartcard, .serial,
                                   .parallel, .channel, .console, .input, .filesystem, .watchdog, .memballoon,
                                   .rng, .nvram, .hub, .shmem, .tpm, .panic, .memory, .redirdev, .vsock, .iommu]
        // One pass per kind comparing enum cases, not a dictionary by kind: DeviceKind hashes
        // its String raw value, which cost more than these comparisons.
        let kindOf = devices.indices.map { devices[$0].kind }
        var out: [Int] = []
        out.reserveCapacity(devices.count)
        for k in kinds {
            switch k {
            case .controller: out += controllerOrder
            case .video: out += videoOrder
            case .disk: out += diskOrder
            default: for i in kindOf.indices where kindOf[i] == k { out.append(i) }
            }
        }
        return out
    }
}
