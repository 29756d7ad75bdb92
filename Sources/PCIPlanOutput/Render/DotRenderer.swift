import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `--format dot`: a Graphviz picture of the topology (`dot -Tpng`).
public enum DotRenderer {
    /// A Graphviz `digraph`: one node per device with a PCI address and one for the root bus
    /// (PCI controllers filled, devices libvirt adds outlined in green), and an edge labelled
    /// `slot.function` from the controller of each bus to what sits on it.
    public static func render(_ plan: PlannedDomain) -> String {
        let topo = Topology(plan)
        var out = "digraph pci {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n"
        func node(_ i: Int) -> String { "d\(i)" }
        for i in plan.devices.indices where plan.placements[i] != nil || plan.devices[i].controller?.pciModel?.isRoot == true {
            let d = plan.devices[i]
            let label = topo.label(i).replacingDoubleQuotes
            var style = ""
            if d.controller?.type == "pci" { style = ", style=filled, fillcolor=\"#dde8ff\"" }
            if case .added = d.origin { style += ", color=\"#2a7a2a\"" }
            out += "  \(node(i)) [label=\"\(label)\"\(style)];\n"
        }
        var busOwner: [Int: Int] = [:]
        for i in plan.normalized.controllerOrder {
            if let c = plan.devices[i].controller, c.type == "pci", let idx = c.index { busOwner[idx] = i }
        }
        for (i, p) in plan.placements.sorted(by: { ($0.value.address, $0.key) < ($1.value.address, $1.key) }) {
            if let owner = busOwner[p.address.bus] {
                out += "  \(node(owner)) -> \(node(i)) [label=\"\(hex(p.address.slot, 2)).\(p.address.function)\"];\n"
            }
        }
        return out + "}\n"
    }
}

extension String {
    var replacingDoubleQuotes: String {
        var s = ""
        for ch in self { if ch == "\"" { s += "\\\"" } else { s.append(ch) } }
        return s
    }
}
