import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The guest's view in `plan --format tree`: the guest bus number after a controller's
/// `→ bus N`, and at the end of every device line its guest address (and, for an interface, the
/// name the default policy gives it).
enum GuestTree {
    /// ` (guest bus 5)`, or ` (no guest bus: past 255)`.
    static func bus(_ guest: GuestView, _ index: Int) -> String {
        guest.busNumber(index).map { " (guest bus \($0))" } ?? " (no guest bus: past 255)"
    }

    /// ` → guest 0000:05:00.0 enp5s0` for a device with a PCI address that is not a PCI
    /// controller (a controller's line shows its guest bus); empty otherwise.
    static func device(_ guest: GuestView, _ i: Int) -> String {
        guard guest.plan.placements[i] != nil, !guest.plan.devices[i].isPCIController else { return "" }
        guard let ga = guest.address(of: i) else { return " → guest: none (its bus is past 255)" }
        return " → guest \(ga)" + (guest.nicNames(i).map { " \($0.policy)" } ?? "")
    }
}
