import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `--format tree`: the topology as an indented tree, each bus under the controller that
/// provides it.
public enum TreeRenderer {
    /// The machine on the first line, then the root bus and everything below it, one line each.
    public static func render(_ plan: PlannedDomain) -> String {
        let topo = Topology(plan, guest: true)
        var out = "\(plan.normalized.definition.machine) (\(plan.family.descriptor.chipsetName))\n"
        func walk(bus: Int, prefix: String) {
            let children = topo.children[bus] ?? []
            for (n, i) in children.enumerated() {
                let last = n == children.count - 1
                out += prefix + (last ? "└─ " : "├─ ") + topo.label(i) + "\n"
                if let c = plan.devices[i].controller, c.type == "pci", let idx = c.index, idx != bus {
                    walk(bus: idx, prefix: prefix + (last ? "   " : "│  "))
                }
            }
        }
        if let root = topo.root { out += topo.label(root) + "\n" }
        walk(bus: 0, prefix: "")
        let h = Planner.headroom(plan)
        out += plan.family.descriptor.pciExpress
            ? "headroom: hot-plug \(h.pcieHotplug) PCIe + \(h.conventionalHotplug) PCI now; cold \(h.pcieCold) PCIe + \(h.conventionalCold) PCI without a new controller\n"
            : "headroom: hot-plug \(h.conventionalHotplug) PCI now\(h.rootNeedsACPI ? " (the root bus needs <acpi/>)" : ""); cold \(h.conventionalCold) PCI without a new controller\n"
        return out
    }
}

/// The planned devices grouped by the bus they sit on.
struct Topology {
    let plan: PlannedDomain
    /// Set when labels carry the guest's view (the tree does, the dot picture does not).
    let guest: GuestView?
    var children: [Int: [Int]] = [:]
    var root: Int?

    init(_ plan: PlannedDomain, guest: Bool = false) {
        self.plan = plan
        self.guest = guest ? GuestView(plan) : nil
        for (i, p) in plan.placements.sorted(by: { ($0.value.address, $0.key) < ($1.value.address, $1.key) }) {
            children[p.address.bus, default: []].append(i)
        }
        root = plan.normalized.controllerOrder.first { plan.devices[$0].controller?.pciModel?.isRoot == true && plan.devices[$0].controller?.index == 0 }
    }

    func label(_ i: Int) -> String {
        let d = plan.devices[i]
        var s = ""
        if let p = plan.placements[i] {
            s += "\(hex(p.address.slot, 2)).\(p.address.function) "
        }
        if let c = plan.controllerInfo(i), c.type == "pci" {
            s += "\(c.model ?? "?") index=\(c.index ?? -1)"
            if let ch = c.chassis { s += " chassis=\(ch)" }
            if let p = c.port { s += " port=0x\(String(p, radix: 16))" }
            if let b = c.busNr { s += " busNr=\(b)" }
            if let idx = c.index, idx > 0 { s += " → bus \(idx)" + (guest.map { GuestTree.bus($0, idx) } ?? "") }
        } else {
            s += d.name
            if let a = d.alias { s += " (\(a))" }
        }
        if let p = plan.placements[i] {
            if p.multifunction != .absent { s += " multifunction=\(p.multifunction.rawValue)" }
            switch p.provenance {
            case .explicit: s += " [explicit]"
            case .chipset: s += " [chipset]"
            case .planned: s += " [planned]"
            case .addedController: s += " [added]"
            case .kept: s += " [kept]"
            case .grouped: s += " [grouped]"
            }
        }
        if case .added = d.origin, !isAddedController(plan.placements[i]) { s += " (added)" }
        return s + (guest.map { GuestTree.device($0, i) } ?? "")
    }

    /// Whether the placement already says `[added]` (a controller libvirt added).
    func isAddedController(_ p: Placement?) -> Bool {
        if case .addedController = p?.provenance { return true }
        return false
    }
}
