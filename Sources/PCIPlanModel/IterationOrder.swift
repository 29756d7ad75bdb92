import PCIPlanSource

extension Define {
    /// libvirt's `virDomainDeviceInfoIterate` order: device lists by kind, each in libvirt's list
    /// order. It decides which device of a duplicate pair a reservation fails for, and which
    /// device's flags pick the model of a bus the dry run grows.
    package static func iterationOrder(_ devices: [Device], controllerOrder: [Int], videoOrder: [Int], diskOrder: [Int]) -> [Int] {
        // One pass sorting devices into their kind's bucket (most kinds have none), then the
        // buckets in libvirt's order; a pass per kind compared every device 25 times.
        var buckets = [[Int]](repeating: [], count: iteratedKinds.count)
        for i in devices.indices {
            let k = devices[i].kind
            // (controllers, videos and disks come in their own lists)
            if k != .controller && k != .video && k != .disk, let r = iteratedKinds.firstIndex(of: k) { buckets[r].append(i) }
        }
        var out: [Int] = []
        out.reserveCapacity(devices.count)
        for (r, k) in iteratedKinds.enumerated() {
            switch k {
            case .controller: out += controllerOrder
            case .video: out += videoOrder
            case .disk: out += diskOrder
            default: out += buckets[r]
            }
        }
        return out
    }

    /// The device kinds libvirt's iteration visits, in its order.
    static let iteratedKinds: [DeviceKind] = [
        .disk, .interface, .sound, .hostdev, .video, .controller, .smartcard, .serial, .parallel, .channel, .console,
        .input, .filesystem, .watchdog, .memballoon, .rng, .nvram, .hub, .shmem, .tpm, .panic, .memory, .redirdev,
        .vsock, .iommu,
    ]
}
