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
    public var placements: [Int: Placement]
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

/// The planner's addresses by device index, held in arrays: the planner asks for a device's
/// placement thousands of times in a plan (whether it still wants one, where its partner is,
/// which function 0 a slot has), and hashing each `Int` key for a dictionary was a twentieth
/// of planning. A device's entry is a position in a dense list, so asking whether it has one
/// copies no placement. `PlannedDomain.placements`, the public result, stays a dictionary.
struct PlacementTable {
    /// Device index → position in `entries`; -1: none.
    private var position: [Int32] = []
    /// The placements, in the order they were first stored.
    private var entries: [Placement] = []
    /// Entry → its device index; -1 once removed.
    private var owner: [Int] = []

    init() {}

    /// The placements of a planned domain.
    init(_ placements: [Int: Placement]) {
        for (i, p) in placements { self[i] = p }
    }

    /// Room for `count` devices and their placements without growing again.
    mutating func reserveCapacity(_ count: Int) {
        position.reserveCapacity(count)
        entries.reserveCapacity(count)
        owner.reserveCapacity(count)
    }

    /// Whether device `i` has a placement.
    func contains(_ i: Int) -> Bool { i < position.count && position[i] >= 0 }

    /// Device `i`'s placement; nil when it has none (yet).
    subscript(i: Int) -> Placement? {
        get { contains(i) ? entries[Int(position[i])] : nil }
        set {
            if let newValue {
                if contains(i) {
                    entries[Int(position[i])] = newValue
                } else {
                    if i >= position.count { position.append(contentsOf: repeatElement(-1, count: i + 1 - position.count)) }
                    position[i] = Int32(entries.count)
                    entries.append(newValue)
                    owner.append(i)
                }
            } else if contains(i) {
                owner[Int(position[i])] = -1
                position[i] = -1
            }
        }
    }

    /// Every placement, keyed by device index.
    var dictionary: [Int: Placement] {
        var out: [Int: Placement] = [:]
        out.reserveCapacity(entries.count)
        for (k, i) in owner.enumerated() where i >= 0 { out[i] = entries[k] }
        return out
    }

    /// The placements `isIncluded` accepts, keyed by device index (for the rare searches of
    /// a finding: which device holds an address).
    func filter(_ isIncluded: ((key: Int, value: Placement)) -> Bool) -> [Int: Placement] {
        var out: [Int: Placement] = [:]
        for (k, i) in owner.enumerated() where i >= 0 && isIncluded((i, entries[k])) { out[i] = entries[k] }
        return out
    }
}
