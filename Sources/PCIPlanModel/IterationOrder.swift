import PCIPlanSource

extension Define {
    /// libvirt's `virDomainDeviceInfoIterate` order: device lists by kind, each in libvirt's list
    /// order. It decides which device of a duplicate pair a reservation fails for, and which
    /// device's flags pick the model of a bus the dry run grows.
    package static func iterationOrder(_ devices: [Device], controllerOrder: [Int], videoOrder: [Int], diskOrder: [Int]) -> [Int] {
        let kinds: [DeviceKind] = [.disk, .interface, .sound, .hostdev, .video, .controller, .smartcard, .serial,
                                   .parallel, .channel, .console, .input, .filesystem, .watchdog, .memballoon,
                                   .rng, .nvram, .hub, .shmem, .tpm, .panic, .memory, .redirdev, .vsock, .iommu]
        var byKind: [DeviceKind: [Int]] = [:]
        for i in devices.indices { byKind[devices[i].kind, default: []].append(i) }
        var out: [Int] = []
        out.reserveCapacity(devices.count)
        for k in kinds {
            switch k {
            case .controller: out += controllerOrder
            case .video: out += videoOrder
            case .disk: out += diskOrder
            default: out += byKind[k] ?? []
            }
        }
        return out
    }
}
