import PCIPlanModel
import PCIPlanSource

/// Device-class order and first fit (libvirt qemuDomainAssignDevicePCISlots).
extension Planner {
    mutating func next(_ set: inout PCIAddressSet, _ i: Int, store doStore: Bool, step: String, function: Int? = nil,
                       multi: Tristate = .absent) throws(Failure)
    {
        let before = set.count
        do {
            let a = try set.reserveNext(flags: devices[i].flags, function: function)
            if doStore { store(i, a, multi: multi, .planned(step: step)) }
        } catch { throw fail(i, error, explicit: false) }
        noteGrowth(before..<set.count, cause: i) { $0.needsSlotReason(i) }
    }

    /// "disk 'vdb' (virtio-disk1) needs a PCIe slot and none was free" (appends: one per bus
    /// the dry run adds).
    func needsSlotReason(_ i: Int) -> String {
        var reason = devices[i].name
        reason.reserveCapacity(reason.utf8.count + 64)
        if let alias = devices[i].alias {
            reason += " ("
            reason += alias
            reason += ")"
        }
        reason += " needs a "
        reason += devices[i].flags.kindDescription
        reason += " slot and none was free"
        return reason
    }

    func isUSB2(_ i: Int) -> Bool {
        guard let c = devices[i].controller, c.type == "usb" else { return false }
        return ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].contains(c.model ?? "")
    }

    mutating func assignDevices(_ set: inout PCIAddressSet, store doStore: Bool) throws(Failure) {
        let classes = DeviceClasses(devices)
        // 1. PCI controllers, in index order.
        for i in controllerOrder where devices[i].isPCIController {
            guard let m = devices[i].controller?.pciModel, !m.isRoot, wants(i) else { continue }
            try next(&set, i, store: doStore, step: "PCI controllers are placed first, in index order")
            if doStore, options.explanations, case .added = devices[i].origin, var p = stored[i] {
                // A controller libvirt added (why: its origin); placed like any PCI controller.
                p.provenance = .addedController("libvirt's first fit gave it the first free slot that takes a \(devices[i].flags.kindDescription) (PCI controllers, the added ones included, are placed first, in index order)")
                stored[i] = p
            }
        }
        // 2. filesystems
        for i in classes[.filesystem] where wants(i) && !devices[i].flags.isEmpty {
            try next(&set, i, store: doStore, step: "filesystems come second in libvirt's class order")
        }
        // 3. network interfaces (hostdev-backed ones are host devices)
        // (no skip for models without PCI flags: libvirt asks for a slot anyway and fails, e.g.
        // usb-net "Cannot automatically add a new PCI bus for a device with connect flags 00";
        // spapr-vlan has its spapr-vio address by then)
        for i in classes[.interface] where devices[i].subtype != "hostdev" && wants(i) && devices[i].model != "spapr-vlan" {
            try next(&set, i, store: doStore, step: "network interfaces come after filesystems")
        }
        // 4. sound
        for i in classes[.sound] where wants(i) {
            if ["sb16", "pcspk", "usb"].contains(devices[i].model ?? "") { continue }
            try next(&set, i, store: doStore, step: "sound devices come after network interfaces")
        }
        // 5. other controllers
        for i in controllerOrder {
            guard let c = devices[i].controller, c.type != "pci" else { continue }
            if c.type == "usb" && c.model == "none" { continue }
            if c.type == "fdc" || c.type == "ccid" { continue }
            if c.type == "ide" && c.index == 0 { continue }
            if c.type == "scsi" && c.model == "ncr53c90" { continue }
            guard wants(i), !devices[i].flags.isEmpty else { continue }
            if isUSB2(i) {
                var fn = 0
                var multi = Tristate.absent
                switch c.model {
                case "ich9-ehci1": fn = 7
                case "ich9-uhci1": fn = 0; multi = .on
                case "ich9-uhci2": fn = 1
                default: fn = 2
                }
                let partner = controllerOrder.first { j in
                    isUSB2(j) && devices[j].controller?.index == c.index && stored.contains(j)
                }
                if let p = partner, let pa = stored[p]?.address {
                    let a = PCIAddress(domain: pa.domain, bus: pa.bus, slot: pa.slot, function: fn)
                    do { try set.reserve(a, flags: devices[i].flags, fromConfig: true) } catch { throw fail(i, error, explicit: false) }
                    store(i, a, multi: multi, .planned(step: "USB2 companion controllers share the slot of their set"))
                } else {
                    try next(&set, i, store: doStore, step: "USB2 controller set: first empty slot, fixed function \(fn)", function: fn, multi: multi)
                }
                continue
            }
            try next(&set, i, store: doStore, step: "controllers (\(c.type)) come after sound devices")
        }
        // 6. virtio disks
        for i in diskOrder where devices[i].bus == "virtio" {
            if stored.contains(i) { continue }
            switch devices[i].address {
            case .other("ccw"), .other("virtio-mmio"): continue
            case .other(let t):
                diags.append(.virtioDiskAddressType(devices[i].name, type: t, at: range(of: i)))
                throw Failure()
            default: break
            }
            guard wants(i), !devices[i].flags.isEmpty else { continue }
            try next(&set, i, store: doStore, step: "virtio disks come after controllers")
        }
        // 7. host devices (interface type='hostdev' first, as libvirt lists them)
        for i in hostDeviceOrder(classes) where wants(i) && !devices[i].flags.isEmpty {
            if case .other("unassigned") = devices[i].address { continue }
            if hostGrouping.members.contains(i) { continue }  // placed with its function 0
            if let target = hostGrouping.joins[i] {
                try joinHostGroup(&set, i, at: target, store: doStore)
            } else if let others = hostGrouping.groups[i] {
                try placeHostGroup(&set, lead: i, others: others, store: doStore)
            } else {
                try next(&set, i, store: doStore, step: "host devices come after virtio disks")
            }
        }
        // 8. the rest, one class after another (videos in their own order)
        let rest: [(DeviceKind, String)] = [
            (.memballoon, "the memory balloon comes after host devices"),
            (.rng, "RNG devices come after the memory balloon"),
            (.watchdog, "watchdogs come after RNG devices"),
            (.video, "videos come after watchdogs"),
            (.shmem, "shared-memory devices come after videos"),
            (.input, "virtio input devices come after shared-memory devices"),
            (.serial, "PCI serial ports come after input devices"),
            (.iommu, "the virtio IOMMU comes after serial ports"),
            (.vsock, "vsock comes after the IOMMU"),
            (.memory, "virtio memory devices come last"),
        ]
        for (k, why) in rest {
            let order = k == .video ? videoOrder : classes[k]
            for i in order where wants(i) && !devices[i].flags.isEmpty {
                try next(&set, i, store: doStore, step: why)
            }
        }
    }

    /// libvirt's virDomainPCIAddressSetAllMulti: function 0 of every slot with another function
    /// in use gets `multifunction='on'` unless it says `off`.
    mutating func setAllMulti() {
        // --multifunction=explicit derives nothing for addresses written in the input (the
        // checker reports those); a slot the planner itself fills — packed root ports, USB2
        // sets — is its own decision, and the bit is written out explicitly with it.
        let onlyPlanned = options.multifunction == .explicit
        // Every function other than 0, in iteration order; nothing to derive without one. Then
        // function 0 of only their slots (the first in iteration order): a few slots, where a
        // list of every slot's function 0 sorted by slot made a 4,000-device plan allocate,
        // sort and fault in a sixth of a megabyte for two chipset functions.
        let order = iterationOrder()
        var others: [PCIAddress] = []
        for i in order {
            if let a = stored.address(of: i), a.function != 0 { others.append(a) }
        }
        guard !others.isEmpty else { return }
        // Their slots, sorted (a slot twice is harmless: the search finds the first of equals).
        let slots = others.map(\.slotKey).sorted()
        /// Where `key` first is in `slots`; nil when absent (searched by halves).
        func slotIndex(_ key: SlotKey) -> Int? {
            var low = 0, high = slots.count
            while low < high {
                let middle = (low + high) / 2
                if slots[middle] < key { low = middle + 1 } else { high = middle }
            }
            return low < slots.count && slots[low] == key ? low : nil
        }
        var zero = [Int?](repeating: nil, count: slots.count)
        for i in order {
            guard let a = stored.address(of: i), a.function == 0, let k = slotIndex(a.slotKey), zero[k] == nil else { continue }
            zero[k] = i
        }
        for a in others {
            guard let k = slotIndex(a.slotKey), let z = zero[k] else { continue }
            if onlyPlanned {
                switch stored[z]?.provenance {
                case .planned?, .chipset?, .addedController?, .grouped?: break
                default: continue
                }
            }
            if stored[z]?.multifunction == .absent {
                stored[z]?.multifunction = .on
                stored[z]?.multifunctionDerivedFrom = a
            }
        }
    }

    /// Controller options libvirt fills in after assignment, and its pci-bridge index check.
    mutating func controllerDefaults() throws(Failure) -> [Int: ControllerDefaults] {
        var out: [Int: ControllerDefaults] = [:]
        var busNrs: [Int] = controllerOrder.compactMap { devices[$0].isPCIController ? devices[$0].controller?.busNr : nil }
        for i in controllerOrder {
            guard let c = devices[i].controller, c.type == "pci", let m = c.pciModel, let idx = c.index else { continue }
            if idx > 255 {
                // libvirt validates the index after assignment, so this catches the root ports
                // it added itself too (e.g. behind a pcie-expander-bus, which gives more slots).
                diags.append(.plannedIndexTooHigh(idx, at: range(of: i)))
                throw Failure()
            }
            var f = ControllerDefaults()
            if c.modelName == nil { f.modelName = m.defaultModelName }
            let a = stored[i]?.address
            switch m {
            case .pciBridge:
                if c.chassisNr == nil { f.chassisNr = idx }
            case .pcieRootPort:
                if c.chassis == nil { f.chassis = idx }
                if c.port == nil, let a { f.port = (a.slot << 3) + a.function }
            case .pcieSwitchDownstreamPort:
                if c.chassis == nil { f.chassis = idx }
                if c.port == nil, let a { f.port = a.slot }
            case .pciExpanderBus, .pcieExpanderBus:
                if c.busNr == nil {
                    let lowest = busNrs.min() ?? 256
                    if lowest <= 2 {
                        diags.append(.noFreeBusNr(devices[i].name, below: lowest, bus: a?.bus ?? 0, at: elementRange(of: i)))
                        throw Failure()
                    }
                    f.busNr = lowest - 2
                    busNrs.append(lowest - 2)
                }
            default: break
            }
            if m == .pciBridge, let a, idx <= a.bus {
                diags.append(.plannedBridgeIndexNotAboveBus(index: idx, bus: a.bus, explicit: devices[i].address.pciAddress != nil,
                                                            addedBecause: addedReason(i), pcie: hasPCIeRoot,
                                                            at: blamedRange(of: i), controllerAt: elementRange(of: i)))
                throw Failure()
            }
            if f != ControllerDefaults() { out[i] = f }
        }
        return out
    }
}

/// The devices of each class `assignDevices` takes from the whole device list, in device order:
/// sorted into their lists in one pass (a 4,000-device plan walked the devices fifteen times,
/// once per class).
struct DeviceClasses {
    /// The kinds with a list (videos have their own order, controllers theirs).
    static let kinds: [DeviceKind] = [
        .filesystem, .interface, .sound, .hostdev, .memballoon, .rng, .watchdog, .shmem, .input, .serial, .iommu, .vsock, .memory,
    ]
    private var lists: [[Int]]

    init(_ devices: [Device]) {
        lists = [[Int]](repeating: [], count: Self.kinds.count)
        for i in devices.indices {
            // (few kinds: a linear search, not hashing a type of ours)
            if let c = Self.kinds.firstIndex(of: devices[i].kind) { lists[c].append(i) }
        }
    }

    /// The devices of kind `k` (one of `kinds`), in device order.
    subscript(_ k: DeviceKind) -> [Int] {
        guard let c = Self.kinds.firstIndex(of: k) else { preconditionFailure("no list of \(k) devices") }
        return lists[c]
    }
}
