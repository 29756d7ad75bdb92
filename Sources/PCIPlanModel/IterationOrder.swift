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
            if k != .controller && k != .video && k != .disk, let r = iterationRank(k) { buckets[r].append(i) }
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

    /// `k`'s position in `iteratedKinds`; nil for kinds the iteration does not visit.
    static func iterationRank(_ k: DeviceKind) -> Int? {
        switch k {
        case .disk: 0
        case .interface: 1
        case .sound: 2
        case .hostdev: 3
        case .video: 4
        case .controller: 5
        case .smartcard: 6
        case .serial: 7
        case .parallel: 8
        case .channel: 9
        case .console: 10
        case .input: 11
        case .filesystem: 12
        case .watchdog: 13
        case .memballoon: 14
        case .rng: 15
        case .nvram: 16
        case .hub: 17
        case .shmem: 18
        case .tpm: 19
        case .panic: 20
        case .memory: 21
        case .redirdev: 22
        case .vsock: 23
        case .iommu: 24
        case .crypto, .graphics, .audio, .lease, .emulator, .other: nil
        }
    }
}
