import PCIPlanModel
import PCIPlanSource

/// Why a reservation or search failed, with libvirt's own wording.
public struct AddressSetError: Error, Sendable, Hashable {
    /// Which of libvirt's address-set checks failed; the planner maps each to a `DiagnosticID`.
    public enum Kind: Sendable, Hashable {
        /// `noBuses`: the set has no bus at all; `domain`: a PCI domain other than 0; `noSuchBus`: the
        /// bus index is past the last bus; `incompatible`: the bus does not accept the device's
        /// connection type; `integrated`: an integrated device off bus 0; `noAutoAssign`: an
        /// automatically placed device on a bus that forbids it; `hotplug`: a hot-pluggable device on a
        /// bus without hotplug.
        case noBuses, domain, noSuchBus, incompatible, integrated, noAutoAssign, hotplug
        /// `slotTooLow` / `slotTooHigh`: outside the bus's `minSlot...maxSlot`; `inUse`: the function is
        /// taken; `noSlot`: first fit found nothing and the set may not grow; `cannotGrow`: the dry run
        /// cannot add a bus for this kind of device.
        case slotTooLow, slotTooHigh, inUse, noSlot, cannotGrow
    }
    /// Which check failed.
    public var kind: Kind
    /// libvirt's message text (without its `XML error:` / `internal error:` prefix).
    public var libvirtMessage: String
    /// The address the failure is about; nil when no address was found at all.
    public var address: PCIAddress?
}

/// A set of the 32 slots of one bus, as a bitmask.
public struct SlotSet: Sendable, Hashable {
    /// Bit `slot` is set for each member.
    public var bits: UInt32 = 0

    /// An empty set.
    public init() {}

    /// Whether `slot` (0–31) is in the set.
    public subscript(slot: Int) -> Bool {
        get { bits & (1 << UInt32(slot)) != 0 }
        set { if newValue { bits |= 1 << UInt32(slot) } else { bits &= ~(1 << UInt32(slot)) } }
    }
}

/// One bus of the address set: the bus a PCI controller provides (libvirt `virDomainPCIAddressBus`).
public struct PCIBus: Sendable, Hashable {
    /// The model of the controller providing the bus.
    public var model: ControllerModel
    /// What the bus accepts (`ControllerModel.busFlags(hotplug:)`; narrowed for the root port the
    /// dry run adds only for a pcie-to-pci-bridge).
    public var flags: ConnectFlags
    /// The lowest slot devices may use.
    public var minSlot: Int
    /// The highest slot devices may use (0 for root and downstream ports).
    public var maxSlot: Int
    /// Bitmask of used functions per slot (32 slots, held inline: a bus allocates nothing).
    public var functions: SIMD32<UInt8>
    /// Slots whose first occupant could share the slot (root ports).
    public var aggregate: SlotSet

    /// An empty bus of `model`; `hotplug: false` is `<target hotplug='off'/>`.
    public init(model: ControllerModel, hotplug: Bool) {
        self.model = model
        self.flags = model.busFlags(hotplug: hotplug)
        self.minSlot = model.minSlot
        self.maxSlot = model.maxSlot
        self.functions = SIMD32(repeating: 0)
        self.aggregate = SlotSet()
    }

    var isFullyReserved: Bool { (minSlot...maxSlot).allSatisfy { functions[$0] != 0 } }
    var isEmpty: Bool { (minSlot...maxSlot).allSatisfy { functions[$0] == 0 } }
}

/// The set of PCI addresses in use, with libvirt's reserve / next-free / grow operations.
///
/// First fit is libvirt's: buses in index order, slots in order, only completely empty slots
/// (or a free function of an aggregate slot for root ports). A cursor per kind of request
/// remembers the first bus that may still have room, so planning stays linear: buses only
/// ever fill up during one run, and a bus that cannot take a request now never can.
public struct PCIAddressSet: Sendable {
    /// The buses, indexed by the controller index that provides them.
    public var buses: [PCIBus] = []
    /// libvirt's first pass: the set grows instead of failing, and addresses are not kept.
    public var dryRun: Bool
    /// QEMU 7.2 has `pcie-pci-bridge`.
    public var pcieToPCIBridgeSupported = true
    /// Where first fit starts, per search: (`cursorKey(flags, function)`, bus). A short list
    /// searched in order: a domain has a handful of distinct searches, and a dictionary hashed
    /// the key twice per device placed.
    private var cursors: [(key: Int, bus: Int)] = []

    /// One search's key, the connect flags and the wanted function packed into an Int.
    static func cursorKey(_ flags: ConnectFlags, _ function: Int?) -> Int {
        Int(flags.rawValue) << 8 | ((function ?? -1) + 1) & 0xFF
    }

    private func cursor(_ key: Int) -> Int? {
        cursors.first { $0.key == key }?.bus
    }

    private mutating func setCursor(_ key: Int, _ bus: Int) {
        if let k = cursors.firstIndex(where: { $0.key == key }) { cursors[k].bus = bus } else { cursors.append((key, bus)) }
    }

    /// An empty set; `dryRun` is libvirt's first pass, which grows the set instead of failing.
    public init(dryRun: Bool) { self.dryRun = dryRun }

    /// The number of buses.
    public var count: Int { buses.count }

    // MARK: compatibility and validation (libvirt virDomainPCIAddressFlagsCompatible / Validate)

    static func compatible(_ addr: PCIAddress, busFlags inBus: ConnectFlags, device inDev: ConnectFlags,
                           fromConfig: Bool, shownAs shown: String? = nil, describe: Bool = true) -> AddressSetError?
    {
        var busFlags = inBus
        var devFlags = inDev
        // Messages are formatted only when wanted: first fit asks this of every bus it looks
        // at and only needs the answer (`describe: false`).
        var s: String { shown ?? addr.description }
        if devFlags.contains(.integrated) {
            if addr.bus == 0 {
                busFlags.insert(.autoAssign)
            } else {
                return AddressSetError(kind: .integrated,
                    libvirtMessage: describe ? "The device at PCI address \(s) needs to be an integrated device (bus=0)" : "", address: addr)
            }
        }
        if fromConfig {
            if !busFlags.intersection(.endpoints).isEmpty { busFlags.formUnion(.endpoints) }
            if devFlags.contains(.pciBridge) { devFlags.insert(.pciDevice) }
        } else if devFlags.contains(.autoAssign) && !busFlags.contains(.autoAssign) {
            return AddressSetError(kind: .noAutoAssign,
                libvirtMessage: describe ? "The device at PCI address \(s) was auto-assigned this address, but the PCI controller with index='\(addr.bus)' doesn't allow auto-assignment" : "", address: addr)
        }
        if devFlags.contains(.hotpluggable) && !busFlags.contains(.hotpluggable) {
            return AddressSetError(kind: .hotplug,
                libvirtMessage: describe ? "The device at PCI address \(s) requires hotplug capability, but the PCI controller with index='\(addr.bus)' doesn't support hotplug" : "", address: addr)
        }
        if devFlags.intersection(busFlags).intersection(.typesMask).isEmpty {
            guard let need = devFlags.requirementName else {
                return AddressSetError(kind: .incompatible,
                    libvirtMessage: describe ? "The device at PCI address \(s) has unrecognized connection type flags 0x\(hex(Int(devFlags.intersection(.typesMask).rawValue), 2))" : "", address: addr)
            }
            return AddressSetError(kind: .incompatible,
                libvirtMessage: describe ? "The device at PCI address \(s) cannot be plugged into the PCI controller with index='\(addr.bus)'. It requires a controller that accepts a \(need)." : "", address: addr)
        }
        return nil
    }

    /// Whether a device with `flags` may sit at `addr` (libvirt `virDomainPCIAddressValidate`): the
    /// bus exists, accepts the device and has that slot. `fromConfig` is true for addresses written
    /// in the definition, for which libvirt relaxes the PCI / PCIe distinction. Nil when it may.
    /// `shown` is the address as the messages print it: libvirt formats the address before the
    /// dry run's growth may bump its bus, and prints that string (`ReserveAddrInternal`).
    public func validate(_ addr: PCIAddress, flags: ConnectFlags, fromConfig: Bool, shownAs shown: String? = nil) -> AddressSetError? {
        var s: String { shown ?? addr.description }
        if buses.isEmpty { return AddressSetError(kind: .noBuses, libvirtMessage: "No PCI buses available", address: addr) }
        if addr.domain != 0 {
            return AddressSetError(kind: .domain, libvirtMessage: "Invalid PCI address \(s). Only PCI domain 0 is available", address: addr)
        }
        if addr.bus >= buses.count {
            return AddressSetError(kind: .noSuchBus,
                libvirtMessage: "Invalid PCI address \(s). Only PCI buses up to \(buses.count - 1) are available", address: addr)
        }
        let bus = buses[addr.bus]
        if let e = Self.compatible(addr, busFlags: bus.flags, device: flags, fromConfig: fromConfig, shownAs: shown) { return e }
        if bus.minSlot > 0 && addr.slot < bus.minSlot {
            return AddressSetError(kind: .slotTooLow, libvirtMessage: "Invalid PCI address \(s). slot must be >= \(bus.minSlot)", address: addr)
        }
        if addr.slot > bus.maxSlot {
            return AddressSetError(kind: .slotTooHigh, libvirtMessage: "Invalid PCI address \(s). slot must be <= \(bus.maxSlot)", address: addr)
        }
        return nil
    }

    /// Whether any function of `addr`'s slot is reserved (libvirt `virDomainPCIAddressSlotInUse`).
    public func slotInUse(_ addr: PCIAddress) -> Bool {
        addr.bus < buses.count && buses[addr.bus].functions[addr.slot] != 0
    }

    /// Whether `addr`'s own function is reserved.
    public func functionInUse(_ addr: PCIAddress) -> Bool {
        addr.bus < buses.count && buses[addr.bus].functions[addr.slot] & (1 << addr.function) != 0
    }

    // MARK: growing (libvirt virDomainPCIAddressSetGrow, dry run only)

    /// Appends buses so that `addr.bus` exists; may bump `addr.bus` (pure PCIe guests needing a
    /// conventional PCI slot get a root port + pcie-to-pci-bridge). Returns the models added.
    @discardableResult
    public mutating func grow(_ addr: inout PCIAddress, flags: ConnectFlags) throws(AddressSetError) -> [ControllerModel] {
        var add = addr.bus - buses.count + 1
        guard add > 0 else { return [] }
        var model: ControllerModel
        var needPCIeToPCI = false
        var needDMI = false
        if flags.contains(.pciDevice) {
            model = .pciBridge
            let anyBridgeBus = buses.contains { $0.flags.contains(.pciBridge) }
            if !anyBridgeBus {
                if pcieToPCIBridgeSupported { needPCIeToPCI = true } else { needDMI = true }
                // One bus was asked for, but the bridge needs a place too: one more bus, and
                // the device's own bus number moves up by one (libvirt rewrites it).
                if add == 1 {
                    add += 1
                    addr.bus += 1
                }
            }
        } else if !flags.intersection([.pcieDevice, .pcieSwitchUpstreamPort]).isEmpty {
            model = .pcieRootPort
        } else {
            if let m = ControllerModel.model(connecting: flags) {
                throw AddressSetError(kind: .cannotGrow,
                    libvirtMessage: "a PCI slot is needed to connect a PCI controller model='\(m.rawValue)', but none is available, and it cannot be automatically added", address: addr)
            }
            throw AddressSetError(kind: .cannotGrow,
                libvirtMessage: "Cannot automatically add a new PCI bus for a device with connect flags \(hex(Int(flags.rawValue), 2))", address: addr)
        }
        var added: [ControllerModel] = []
        var remaining = add
        if needDMI {
            buses.append(PCIBus(model: .dmiToPCIBridge, hotplug: false)); added.append(.dmiToPCIBridge); remaining -= 1
        }
        if needPCIeToPCI {
            var port = PCIBus(model: .pcieRootPort, hotplug: true)
            // Only the pcie-to-pci-bridge may use this port, so the spare-port reservation
            // cannot take it (libvirt narrows the flags the same way).
            port.flags = .pcieToPCIBridge
            buses.append(port); added.append(.pcieRootPort)
            buses.append(PCIBus(model: .pcieToPCIBridge, hotplug: true)); added.append(.pcieToPCIBridge)
            remaining -= 2
        }
        while remaining > 0 {
            buses.append(PCIBus(model: model, hotplug: true)); added.append(model); remaining -= 1
        }
        return added
    }

    // MARK: reserving

    /// Reserves one function (libvirt virDomainPCIAddressReserveAddrInternal); in a dry run the
    /// set first grows so that the bus exists. Returns the address actually reserved.
    @discardableResult
    public mutating func reserve(_ address: PCIAddress, flags: ConnectFlags, fromConfig: Bool) throws(AddressSetError) -> PCIAddress {
        var addr = address
        if dryRun { try grow(&addr, flags: flags) }
        // (the address as asked for only when growing moved it: most reservations print nothing)
        if let e = validate(addr, flags: flags, fromConfig: fromConfig, shownAs: addr == address ? nil : address.description) { throw e }
        if functionInUse(addr) {
            throw AddressSetError(kind: .inUse, libvirtMessage: "Attempted double use of PCI Address \(address.description)", address: addr)
        }
        mark(addr, flags: flags)
        return addr
    }

    /// Marks `addr` used by a device with `flags` (the first function of a slot makes the slot
    /// aggregate when the device wants that).
    private mutating func mark(_ addr: PCIAddress, flags: ConnectFlags) {
        if buses[addr.bus].functions[addr.slot] == 0 && flags.contains(.aggregateSlot) {
            buses[addr.bus].aggregate[addr.slot] = true
        }
        buses[addr.bus].functions[addr.slot] |= UInt8(1 << addr.function)
    }

    /// Marks `addr` used without checking it (beyond libvirt: `plan --keep --reserve-removed`
    /// keeps a removed device's address from every new device). An address on a bus the set
    /// does not have, or already in use, is left alone.
    public mutating func hold(_ addr: PCIAddress) {
        guard addr.bus < buses.count, !functionInUse(addr) else { return }
        buses[addr.bus].functions[addr.slot] |= UInt8(1 << addr.function)
    }

    /// Finds libvirt's first-fit address for a device with `flags` (virDomainPCIAddressGetNextAddr).
    public mutating func nextAddress(flags: ConnectFlags, function: Int? = nil) throws(AddressSetError) -> PCIAddress {
        try firstFit(flags: flags, function: function).address
    }

    /// `nextAddress`, and whether the address is on a bus the set had (`found`) rather than
    /// one the dry run grew for it.
    private mutating func firstFit(flags: ConnectFlags, function: Int?) throws(AddressSetError) -> (address: PCIAddress, found: Bool) {
        if buses.isEmpty { throw AddressSetError(kind: .noBuses, libvirtMessage: "No PCI buses available", address: nil) }
        let key = Self.cursorKey(flags, function)
        var b = cursor(key) ?? 0
        while b < buses.count {
            if let found = findSlot(onBus: b, flags: flags, function: function) {
                setCursor(key, b)
                return (found, true)
            }
            b += 1
        }
        setCursor(key, b)
        if dryRun {
            var a = PCIAddress(bus: buses.count, slot: 0, function: function ?? 0)
            try grow(&a, flags: flags)
            a.slot = buses[a.bus].minSlot
            return (a, false)
        }
        throw AddressSetError(kind: .noSlot, libvirtMessage: "No more available PCI slots", address: nil)
    }

    private func findSlot(onBus b: Int, flags: ConnectFlags, function: Int?) -> PCIAddress? {
        let bus = buses[b]
        // The free place first, then whether the bus takes the device at all (which does not
        // depend on the slot): a full bus — every root port a guest has filled, as first fit
        // walks past them — costs no compatibility test.
        guard let a = freePlace(on: bus, number: b, flags: flags, function: function) else { return nil }
        // `if let`, not `!= nil`: comparing with nil went through Equatable, a tuple of two
        // optional errors destroyed by generic value witnesses on every bus first fit tried.
        if let _ = Self.compatible(a, busFlags: bus.flags, device: flags, fromConfig: false, describe: false) { return nil }
        return a
    }

    /// The first free slot (or free function of an aggregate slot) on `bus`, number `b`.
    private func freePlace(on bus: PCIBus, number b: Int, flags: ConnectFlags, function: Int?) -> PCIAddress? {
        var a = PCIAddress(bus: b, slot: bus.minSlot, function: function ?? 0)
        // (Asked once: the option set's static members are reached through an accessor.)
        let aggregates = flags.contains(.aggregateSlot)
        while a.slot <= bus.maxSlot {
            let used = bus.functions[a.slot]
            if used == 0 { return a }
            if aggregates && bus.aggregate[a.slot] {
                if used & UInt8(1 << a.function) == 0 { return a }
                if function == nil {
                    for f in 0..<8 where used & UInt8(1 << f) == 0 {
                        a.function = f
                        return a
                    }
                    a.function = 0
                }
            }
            a.slot += 1
        }
        return nil
    }

    /// Finds and reserves the next address (virDomainPCIAddressReserveNextAddr).
    public mutating func reserveNext(flags: ConnectFlags, function: Int? = nil) throws(AddressSetError) -> PCIAddress {
        let (a, found) = try firstFit(flags: flags, function: function)
        guard found else { return try reserve(a, flags: flags, fromConfig: false) }
        // First fit checked what `reserve` would check again (a compatible bus, the slot in
        // range, the function free): only the marking is left. (A fifth of each placement.)
        assert(validate(a, flags: flags, fromConfig: false) == nil && !functionInUse(a), "first fit gave an address reserve refuses: \(a)")
        mark(a, flags: flags)
        return a
    }
}

extension PCIAddressSet {
    /// One PCI controller as the address set sees it.
    public struct BusController: Sendable {
        /// The controller index, which is the bus number in libvirt's addresses.
        public var index: Int
        /// The controller's model.
        public var model: ControllerModel
        /// False for `<target hotplug='off'/>`.
        public var hotplug: Bool
    }

    /// libvirt's qemuDomainPCIAddressSetCreate: one bus per index below `count`, each with the
    /// model of its controller (the last one listed wins, as in libvirt); bus 0 without one is a
    /// pci-root, other gaps get a pcie-root-port when the domain has a pcie-root, else a
    /// pci-bridge. Returns the gap buses and their models.
    @discardableResult
    public mutating func addBuses(count: Int, controllers: [BusController]) -> [Int: ControllerModel] {
        var byIndex = [BusController?](repeating: nil, count: max(count, 0))
        for c in controllers where (0..<count).contains(c.index) { byIndex[c.index] = c }
        let fill: ControllerModel = controllers.contains { $0.model == .pcieRoot } ? .pcieRootPort : .pciBridge
        var gaps: [Int: ControllerModel] = [:]
        for b in 0..<count {
            if let c = byIndex[b] {
                buses.append(PCIBus(model: c.model, hotplug: c.hotplug))
            } else {
                let m: ControllerModel = b == 0 ? .pciRoot : fill
                buses.append(PCIBus(model: m, hotplug: true))
                if b > 0 { gaps[b] = m }
            }
        }
        return gaps
    }
}
