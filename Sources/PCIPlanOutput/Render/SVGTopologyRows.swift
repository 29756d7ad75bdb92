import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The rows of the topology drawing: the root bus, then depth first every device by address,
/// each bus's children under the controller that provides it, and the bus's free hot-pluggable
/// slots after its devices.
struct SVGTopologyRows {
    /// What a node plugs into, which decides its colour.
    enum Link: Sendable, Hashable {
        case express, conventional, free, none
    }

    struct Badge: Sendable, Hashable {
        var text: String
        var colour: String
    }

    struct Row: Sendable, Hashable {
        var depth: Int
        var label: String
        var tooltip: String
        var link: Link
        /// The address was planned (dashed outline).
        var planned: Bool
        var badges: [Badge]
        /// The row of the controller whose bus this row sits on.
        var parent: Int?
        var index: Int

        var x: Int { SVGRenderer.Layout.margin + depth * SVGRenderer.Layout.indent }
        var y: Int { SVGRenderer.Layout.treeTop + index * SVGRenderer.Layout.rowHeight }
        var width: Int {
            var w = 16 + SVGRenderer.Layout.textWidth(label)
            for b in badges { w += SVGRenderer.Layout.badgeWidth(b.text) + 4 }
            return w + (badges.isEmpty ? 0 : 4)
        }
    }

    private(set) var rows: [Row] = []
    let plan: PlannedDomain
    let topology: Topology

    init(_ plan: PlannedDomain, headroom: Headroom) {
        self.plan = plan
        self.topology = Topology(plan)
        let free = headroom.freeHotplugSlots
        var busesDrawn = Set<Int>()
        if let root = topology.root {
            let c = plan.controllerInfo(root)
            add(Row(depth: 0, label: "\(c?.model ?? "root") (bus 0)",
                    tooltip: "\(c?.model ?? "root"): the root bus, index 0",
                    link: plan.family.descriptor.pciExpress ? .express : .conventional,
                    planned: false, badges: badges(root), parent: nil, index: 0))
        }
        walk(bus: 0, depth: 1, parent: rows.isEmpty ? nil : 0, free: free, drawn: &busesDrawn)
    }

    private mutating func add(_ r: Row) {
        var r = r
        r.index = rows.count
        rows.append(r)
    }

    private mutating func walk(bus: Int, depth: Int, parent: Int?, free: [Int: Int], drawn: inout Set<Int>) {
        // A bus is drawn once, even if the input makes a controller its own ancestor.
        guard drawn.insert(bus).inserted else { return }
        for i in topology.children[bus] ?? [] {
            add(row(i, depth: depth, parent: parent))
            let me = rows.count - 1
            if let c = plan.devices[i].controller, c.type == "pci", let idx = c.index, idx != bus {
                walk(bus: idx, depth: depth + 1, parent: me, free: free, drawn: &drawn)
            }
        }
        if let n = free[bus], n > 0 {
            let label = n == 1 ? "free hot-plug slot" : "\(n) free hot-plug slots"
            add(Row(depth: depth, label: label,
                    tooltip: "bus \(bus): \(label) (a device can be hot-plugged here now)",
                    link: .free, planned: false, badges: [], parent: parent, index: 0))
        }
    }

    private func row(_ i: Int, depth: Int, parent: Int?) -> Row {
        let d = plan.devices[i]
        let p = plan.placements[i]
        var label = p.map { "\(hex($0.address.bus, 2)):\(hex($0.address.slot, 2)).\($0.address.function) " } ?? ""
        if let c = plan.controllerInfo(i), c.type == "pci" {
            label += "\(c.model ?? "pci controller")"
            if let a = d.alias { label += " \(a)" }
            if let idx = c.index, idx > 0 { label += " → bus \(idx)" }
        } else {
            label += d.name
            if let a = d.alias { label += " (\(a))" }
        }
        var tooltip = "\(p?.address.description ?? "no PCI address") \(d.name)"
        if let p { tooltip += " — \(p.provenance.kind): \(p.provenance.detail)" }
        if let from = p?.multifunctionDerivedFrom { tooltip += "; multifunction='on' derived because \(from) is in use" }
        let planned: Bool
        switch p?.provenance {
        case .planned, .addedController: planned = true
        default: planned = false
        }
        return Row(depth: depth, label: label, tooltip: tooltip, link: link(i), planned: planned,
                   badges: badges(i), parent: parent, index: 0)
    }

    private func badges(_ i: Int) -> [Badge] {
        var out: [Badge] = []
        if let p = plan.placements[i] {
            if p.multifunctionDerivedFrom != nil {
                out.append(Badge(text: "MF derived", colour: "#7a3fb0"))
            } else if p.multifunction == .on {
                out.append(Badge(text: "MF", colour: "#6b6b6b"))
            }
            if case .kept = p.provenance { out.append(Badge(text: "kept", colour: "#00707a")) }
        }
        if case .added = plan.devices[i].origin { out.append(Badge(text: "added", colour: "#2e7d32")) }
        return out
    }

    /// What the node plugs into: its controller model's link, or for an endpoint libvirt's
    /// connect flags (`connect` in `plan --format json`).
    private func link(_ i: Int) -> Link {
        let d = plan.devices[i]
        if let m = d.controller?.pciModel {
            switch m {
            case .pcieRoot, .pcieRootPort, .pcieSwitchUpstreamPort, .pcieSwitchDownstreamPort, .pcieExpanderBus,
                 .dmiToPCIBridge, .pcieToPCIBridge:
                return .express
            case .pciRoot, .pciBridge, .pciExpanderBus:
                return .conventional
            }
        }
        switch d.flags.kindDescription {
        case "PCI": return .conventional
        case "PCIe": return .express
        default: return .none
        }
    }
}
