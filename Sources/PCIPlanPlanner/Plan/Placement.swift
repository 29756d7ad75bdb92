import PCIPlanModel
import PCIPlanSource

/// Why a device or controller ended up where it is.
public enum Provenance: Sendable, Hashable {
    /// The address was written in the input.
    case explicit
    /// A chipset-fixed position (PIIX3 functions, primary video slot, ICH9 slots).
    case chipset(String)
    /// libvirt's first-fit search, in the given device-class step.
    case planned(step: String)
    /// A controller pciplan added (as libvirt's dry run does), and for what.
    case addedController(String)
    /// Kept from the old definition by `plan --keep` (the string says which device it matched).
    case kept(String)
    /// `plan --group-host-functions`: one function of a host slot's group of passed-through
    /// functions (the string says which slot and why this function number).
    case grouped(String)

    /// The stable name of the case, as JSON prints it: `explicit`, `chipset`, `planned`,
    /// `added-controller`, `kept`.
    public var kind: String {
        switch self {
        case .explicit: "explicit"
        case .chipset: "chipset"
        case .planned: "planned"
        case .addedController: "added-controller"
        case .kept: "kept"
        case .grouped: "host-group"
        }
    }

    /// The case's reason in words (`written in the input` for an explicit address).
    public var detail: String {
        switch self {
        case .explicit: "written in the input"
        case .chipset(let s), .planned(let s), .addedController(let s), .kept(let s), .grouped(let s): s
        }
    }
}

/// The final address of one device.
public struct Placement: Sendable, Hashable {
    /// The device's PCI address.
    public var address: PCIAddress
    /// The `multifunction` attribute the planned definition has on this address (written, or `on`
    /// where libvirt derives it for function 0 of a slot with other functions in use).
    public var multifunction: Tristate
    /// Why the device has this address.
    public var provenance: Provenance
    /// When `multifunction='on'` was derived: the address of the other function that caused it.
    public var multifunctionDerivedFrom: PCIAddress?
    /// Order in which the planner handed out this address (nil for explicit addresses).
    public var sequence: Int?
}

/// Controller options libvirt fills in (`<model name>`, `<target>`), all guest-visible.
public struct ControllerDefaults: Sendable, Hashable {
    /// `<model name>`, the QEMU device (`ControllerModel.defaultModelName`).
    public var modelName: String?
    /// A pci-bridge's `chassisNr`: its index.
    public var chassisNr: Int?
    /// A root or downstream port's `chassis`: its index.
    public var chassis: Int?
    /// A root port's `port`: `(slot << 3) + function` of its address; a downstream port's: its slot.
    public var port: Int?
    /// An expander bus's `busNr`: two below the lowest busNr already in use (256 when none is),
    /// as libvirt counts down from the top.
    public var busNr: Int?
    /// `<target hotplug>`: only `plan --keep` fills it, with OLD's value NEW leaves open.
    public var hotplug: Tristate = .absent

    /// Nothing filled in.
    public init() {}
}

/// The output of planning: every device with its address and the reasons behind it.
public struct PlannedDomain: Sendable {
    /// The normalized definition the plan was made for, with the controllers the planner added.
    public var normalized: NormalizedDomain
    /// Every device, input and added, indexed as `placements` and `filledDefaults` are.
    public var devices: [Device] { normalized.devices }
    /// Device index → final PCI address.
    public var placements: PlacementTable
    /// Device index → the controller options libvirt fills in that the input lacked.
    public var filledDefaults: [Int: ControllerDefaults]
    /// Why each added controller or default device exists, in the order they were added.
    public var steps: [String]

    /// The machine family of the definition.
    public var family: MachineFamily { normalized.family }

    /// Effective controller info (input values, else filled defaults).
    public func controllerInfo(_ i: Int) -> ControllerInfo? {
        guard var c = devices[i].controller else { return nil }
        if let f = filledDefaults[i] {
            c.modelName = c.modelName ?? f.modelName
            c.chassisNr = c.chassisNr ?? f.chassisNr
            c.chassis = c.chassis ?? f.chassis
            c.port = c.port ?? f.port
            c.busNr = c.busNr ?? f.busNr
        }
        return c
    }
}

/// Device index → final PCI address: what `PlannedDomain.placements` holds and the planner
/// fills. A dictionary in all but storage: looked up by device index, iterated as
/// `(key: Int, value: Placement)` pairs (in device order), with `keys`, `values`, `filter`
/// and `mapValues` as a dictionary has them.
///
/// Arrays, not a hash table: the planner, checker and writer ask for a device's placement
/// thousands of times in a plan, and hashing each `Int` key was a twentieth of planning; a
/// dictionary of 400 placements also took 130 KB of buckets (over glibc's mmap threshold:
/// fresh pages, faulted in again on every plan). A device's entry is a position in a dense
/// list, so asking whether it has one (`contains`) copies no placement.
public struct PlacementTable: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One device's placement.
    public typealias Element = (key: Int, value: Placement)

    /// Device index → position in `entries`; -1: none.
    private var position: [Int32] = []
    /// The placements, in the order they were first stored (a removed one stays, unreferenced).
    private var entries: [Placement] = []
    /// How many devices have a placement.
    public private(set) var count = 0

    /// No placements.
    public init() {}

    /// The placements of `placements`.
    public init(_ placements: [Int: Placement]) {
        for (i, p) in placements { self[i] = p }
    }

    /// The placements of a literal, `[device index: placement]`.
    public init(dictionaryLiteral elements: (Int, Placement)...) {
        for (i, p) in elements { self[i] = p }
    }

    /// Room for `count` devices and their placements without growing again.
    public mutating func reserveCapacity(_ count: Int) {
        position.reserveCapacity(count)
        entries.reserveCapacity(count)
    }

    /// Whether no device has a placement.
    public var isEmpty: Bool { count == 0 }

    /// Whether device `device` has a placement.
    public func contains(_ device: Int) -> Bool { slot(of: device) != nil }

    /// Where device `device`'s placement is in `entries`; nil when it has none.
    private func slot(of device: Int) -> Int? {
        guard device >= 0, device < position.count, position[device] >= 0 else { return nil }
        return Int(position[device])
    }

    /// Device `device`'s placement; nil when it has none. Setting nil removes it.
    public subscript(device: Int) -> Placement? {
        get { slot(of: device).map { entries[$0] } }
        set {
            if let newValue {
                if let k = slot(of: device) {
                    entries[k] = newValue
                    return
                }
                precondition(device >= 0, "a device index is never negative")
                if device >= position.count { position.append(contentsOf: repeatElement(-1, count: device + 1 - position.count)) }
                position[device] = Int32(entries.count)
                entries.append(newValue)
                count += 1
            } else if contains(device) {
                position[device] = -1
                count -= 1
            }
        }
    }

    /// Device `device`'s address, without copying its placement; nil when it has none.
    public func address(of device: Int) -> PCIAddress? {
        guard let k = slot(of: device) else { return nil }
        return entries[k].address
    }

    /// Device `device`'s multifunction setting, without copying its placement; nil when it has
    /// no placement.
    public func multifunction(of device: Int) -> Tristate? {
        guard let k = slot(of: device) else { return nil }
        return entries[k].multifunction
    }

    /// The devices with a placement, ascending.
    public var keys: [Int] { map(\.key) }

    /// The placements, in device order.
    public var values: [Placement] { map(\.value) }

    /// The placements `isIncluded` accepts, as a dictionary (as `Dictionary.filter` gives).
    public func filter(_ isIncluded: (Element) throws -> Bool) rethrows -> [Int: Placement] {
        var out: [Int: Placement] = [:]
        for e in self where try isIncluded(e) { out[e.key] = e.value }
        return out
    }

    /// Each placement transformed, by device index.
    public func mapValues<T>(_ transform: (Placement) throws -> T) rethrows -> [Int: T] {
        var out: [Int: T] = [:]
        out.reserveCapacity(count)
        for e in self { out[e.key] = try transform(e.value) }
        return out
    }

    /// The placements as a dictionary.
    public var dictionary: [Int: Placement] { filter { _ in true } }

    /// Equal when the same devices have the same placements.
    public static func == (a: PlacementTable, b: PlacementTable) -> Bool {
        a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
    }

    /// Walks the placements in device order.
    public struct Iterator: IteratorProtocol {
        let table: PlacementTable
        var device = 0

        /// The next device's placement.
        public mutating func next() -> Element? {
            while device < table.position.count {
                let i = device
                device += 1
                if let k = table.slot(of: i) { return (i, table.entries[k]) }
            }
            return nil
        }
    }

    /// An iterator over the placements in device order.
    public func makeIterator() -> Iterator { Iterator(table: self) }

    /// How many placements there are (`Sequence`'s estimate, exact here).
    public var underestimatedCount: Int { count }
}
