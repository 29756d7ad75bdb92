import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `--format json`: every device and controller with its address, multifunction state and
/// provenance (schema in the README, "JSON output").
public enum JSONRenderer {
    /// The `schema` number of the output; it changes only when a field changes meaning.
    public static let schemaVersion = 1

    /// `json(_:)` pretty-printed with sorted keys and a final newline.
    public static func render(_ plan: PlannedDomain) -> String {
        json(plan).rendered() + "\n"
    }

    /// The plan as a `JSONValue`: schema, machine, family, the steps, and every device that has or
    /// wants a PCI address and every controller.
    public static func json(_ plan: PlannedDomain) -> JSONValue {
        var items: [JSONValue] = []
        let guest = GuestView(plan)
        for (i, d) in plan.devices.enumerated() {
            if d.kind == .emulator || d.kind == .crypto { continue }
            let placement = plan.placements[i]
            if placement == nil && d.flags.isEmpty && d.kind != .controller { continue }
            items.append(device(i, d, placement, plan, guest: guest))
        }
        return .object([
            "schema": .int(schemaVersion),
            "machine": .string(plan.normalized.definition.machine),
            "family": .string(plan.family.rawValue),
            "devices": .array(items),
            "headroom": HeadroomRenderer.json(Planner.headroom(plan)),
            "steps": .array(plan.steps.map(JSONValue.string)),
        ])
    }

    /// `attach --format json`: the attached devices of `plan`, as `render` describes devices.
    public static func attached(_ plan: PlannedDomain, devices indices: [Int], mode: String) -> String {
        let items = indices.map { device($0, plan.devices[$0], plan.placements[$0], plan) }
        return JSONValue.object([
            "schema": .int(schemaVersion),
            "machine": .string(plan.normalized.definition.machine),
            "family": .string(plan.family.rawValue),
            "mode": .string(mode),
            "attached": .array(items),
        ]).rendered() + "\n"
    }

    /// One device; with `guest`, also what the guest sees of it (`GuestJSON`).
    static func device(_ i: Int, _ d: Device, _ p: Placement?, _ plan: PlannedDomain, guest: GuestView? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "element": .string(d.kind.rawValue),
            "name": .string(d.name),
            "connect": .string(d.flags.isEmpty ? "none" : d.flags.kindDescription),
        ]
        if let a = d.alias { o["alias"] = .string(a) }
        switch d.origin {
        case .input(let n): o["origin"] = .object(["kind": .string("input"), "position": .int(n)])
        case .added(let why): o["origin"] = .object(["kind": .string("added"), "reason": .string(why)])
        }
        if let el = d.element {
            let (l, c) = plan.normalized.definition.file.lineColumn(of: el.startTag.lowerBound)
            o["location"] = .object(["line": .int(l), "column": .int(c)])
        }
        if let c = plan.controllerInfo(i) {
            var co = c.jsonMembers
            if c.type == "pci", let idx = c.index { co["providesBus"] = .int(idx) }
            o["controller"] = .object(co)
        }
        if let p {
            o["address"] = .object([
                "domain": .int(Int(p.address.domain)), "bus": .int(p.address.bus),
                "slot": .int(p.address.slot), "function": .int(p.address.function),
                "text": .string(p.address.description),
            ])
            var mf: [String: JSONValue] = ["state": .string(p.multifunction.rawValue)]
            if let from = p.multifunctionDerivedFrom {
                mf["derivedFrom"] = .string(from.description)
                mf["provenance"] = .string("derived")
            } else {
                mf["provenance"] = .string(p.multifunction == .absent ? "none" : (p.provenance == .explicit ? "explicit" : "planned"))
            }
            o["multifunction"] = .object(mf)
            var prov: [String: JSONValue] = ["kind": .string(p.provenance.kind), "rule": .string(p.provenance.detail)]
            if let s = p.sequence { prov["sequence"] = .int(s) }
            o["provenance"] = .object(prov)
        } else {
            o["address"] = .null
        }
        if let guest { GuestJSON.add(to: &o, device: i, guest) }
        return .object(o)
    }
}

extension ControllerInfo {
    /// `type`, `index`, `model` and the PCI options libvirt fills in (`modelName`, `chassisNr`,
    /// `chassis`, `port`, `busNr`) as JSON members; absent values are left out.
    var jsonMembers: [String: JSONValue] {
        var co: [String: JSONValue] = ["type": .string(type)]
        if let v = index { co["index"] = .int(v) }
        if let v = model { co["model"] = .string(v) }
        if let v = modelName { co["modelName"] = .string(v) }
        if let v = chassisNr { co["chassisNr"] = .int(v) }
        if let v = chassis { co["chassis"] = .int(v) }
        if let v = port { co["port"] = .int(v) }
        if let v = busNr { co["busNr"] = .int(v) }
        return co
    }
}
