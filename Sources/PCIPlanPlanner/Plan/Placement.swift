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

    public var detail: String {
        switch self {
        case .explicit: "written in the input"
        case .chipset(let s), .planned(let s), .addedController(let s), .kept(let s), .grouped(let s): s
        }
    }
}

/// The final address of one device.
public struct Placement: Sendable, Hashable {
    public var address: PCIAddress
    public var multifunction: Tristate
    public var provenance: Provenance
    /// When `multifunction='on'` was derived: the address of the other function that caused it.
    public var multifunctionDerivedFrom: PCIAddress?
    /// Order in which the planner handed out this address (nil for explicit addresses).
    public var sequence: Int?
}

/// Controller options libvirt fills in (`<model name>`, `<target>`), all guest-visible.
public struct ControllerDefaults: Sendable, Hashable {
    public var modelName: String?
    public var chassisNr: Int?
    public var chassis: Int?
    public var port: Int?
    public var busNr: Int?

    /// Nothing filled in.
    public init() {}
}

/// The output of planning: every device with its address and the reasons behind it.
public struct PlannedDomain: Sendable {
    public var normalized: NormalizedDomain
    public var devices: [Device] { normalized.devices }
    /// Device index → final PCI address.
    public var placements: [Int: Placement]
    /// Device index → the controller options libvirt fills in that the input lacked.
    public var filledDefaults: [Int: ControllerDefaults]
    /// Why each added controller or default device exists, in the order they were added.
    public var steps: [String]

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
