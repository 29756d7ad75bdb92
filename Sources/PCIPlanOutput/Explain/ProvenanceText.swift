import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Plain-language phrases for provenance, shared by `explain` and `diff`.
enum ProvenanceText {
    /// What a device needs from its slot, for sentences: `PCI Express`, `conventional PCI`,
    /// or the controller kind (`pcie-root-port`).
    static func slotKind(_ d: Device) -> String {
        if d.flags.contains(.pcieDevice) { return "PCI Express" }
        if d.flags.contains(.pciDevice) { return "conventional PCI" }
        return d.flags.kindDescription
    }

    /// Why a device sits where it does, as a phrase starting in lower case.
    static func because(_ p: Placement, device d: Device) -> String {
        switch p.provenance {
        case .explicit:
            return "its address is written in the input"
        case .chipset(let s):
            return "the chipset fixes it: \(s)"
        case .planned(let step):
            let n = p.sequence.map { ", address #\($0) handed out" } ?? ""
            return "libvirt's first fit gave it the first free slot that takes a \(slotKind(d)) device (\(step)\(n))"
        case .addedController(let s):
            return s
        case .kept(let s):
            return "plan --keep kept it: \(s)"
        case .grouped(let s):
            return "--group-host-functions put it there: \(s)"
        }
    }
}
