import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The guest's view in `plan --format json` (additive to schema 1):
///
/// - every device with a PCI address: `"guestAddress": "0000:05:00.0"` (null on a bus the
///   firmware cannot number);
/// - every PCI controller, inside `controller`: `"guestBus": 5` (null likewise);
/// - every `<interface>`: `"mac"` and `"guestNames": {"path", "slot", "mac", "onboard", "policy"}`;
/// - every `<disk>`: `"guestNames": {"byPath", "links"}`.
enum GuestJSON {
    static func add(to o: inout [String: JSONValue], device i: Int, _ guest: GuestView) {
        let plan = guest.plan
        let d = plan.devices[i]
        if plan.placements[i] != nil {
            o["guestAddress"] = guest.address(of: i).map { .string($0.description) } ?? .null
        }
        if let c = d.controller, c.type == "pci", let idx = c.index, case .object(var co)? = o["controller"] {
            co["guestBus"] = guest.busNumber(idx).map(JSONValue.int) ?? .null
            o["controller"] = .object(co)
        }
        switch d.kind {
        case .interface:
            o["mac"] = GuestView.mac(of: d).map(JSONValue.string) ?? .null
            o["guestNames"] = guest.nicNames(i).map { n in
                .object([
                    "path": .string(n.path), "slot": n.slot.map(JSONValue.string) ?? .null,
                    "mac": n.mac.map(JSONValue.string) ?? .null, "onboard": n.onboard.map(JSONValue.string) ?? .null,
                    "policy": .string(n.policy),
                ])
            } ?? .null
        case .disk:
            o["guestNames"] = guest.diskPaths(i).map { p in
                .object(["byPath": .string(p.prefix), "links": .array(p.links.map(JSONValue.string))])
            } ?? .null
        default:
            break
        }
    }
}
