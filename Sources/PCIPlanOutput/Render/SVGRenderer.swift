import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `plan --format svg` and the drawings of `pciplan report`: the planned topology as an
/// indented tree, root bus first, each bus under the controller that provides it (the walk of
/// `TreeRenderer`), and after a bus's devices the slots still free for a hot-plug
/// (`Planner.headroom`).
///
/// Fill says what a node plugs into: blue a PCI Express link, amber conventional PCI, green a
/// free hot-pluggable slot. A dashed outline marks an address pciplan planned (libvirt's first
/// fit or a controller it adds); a solid one an address written in the input, fixed by the
/// chipset or kept. Badges: `MF derived` (multifunction='on' libvirt derives), `MF`
/// (written), `added` (a controller or device libvirt adds), `kept` (`plan --keep`).
///
/// Self-contained: presentation attributes only, no style sheet, script, font or link, so
/// several drawings share a page without clashing; everything from the input is escaped.
/// Coordinates are integers, so the output is byte-stable for golden files.
public enum SVGRenderer {
    /// The drawing of one planned domain, as a standalone `<svg>` element.
    public static func render(_ plan: PlannedDomain) -> String {
        render(plan, headroom: Planner.headroom(plan))
    }

    /// The drawing, for a caller that already has the domain's headroom.
    static func render(_ plan: PlannedDomain, headroom: Headroom) -> String {
        let rows = SVGTopologyRows(plan, headroom: headroom).rows
        let title = "\(plan.normalized.definition.machine) (\(plan.family.descriptor.chipsetName))"
        let footer = headroomLine(headroom, plan)
        let (legendSVG, legendEnd) = legend()
        var width = max(legendEnd + Layout.margin, Layout.textWidth(footer) + 2 * Layout.margin, Layout.textWidth(title, size: 14) + 2 * Layout.margin)
        for r in rows { width = max(width, r.x + r.width + Layout.margin) }
        let height = Layout.treeTop + rows.count * Layout.rowHeight + Layout.footerHeight
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12" role="img" aria-label="PCI topology of \(xml(title))">

            """
        out += "<title>PCI topology: \(xml(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(Layout.margin)\" y=\"24\" font-size=\"14\" font-weight=\"bold\" fill=\"#222222\">\(xml(title))</text>\n"
        out += legendSVG
        for r in rows {
            if let p = r.parent { out += connector(from: rows[p], to: r) }
        }
        for r in rows { out += node(r) }
        let footerY = Layout.treeTop + rows.count * Layout.rowHeight + 18
        out += "<text x=\"\(Layout.margin)\" y=\"\(footerY)\" fill=\"#222222\">\(xml(footer))</text>\n"
        return out + "</svg>\n"
    }

    /// One line of headroom, as the tree prints it.
    static func headroomLine(_ h: Headroom, _ plan: PlannedDomain) -> String {
        plan.family.descriptor.pciExpress
            ? "hot-plug now: \(h.pcieHotplug) PCIe + \(h.conventionalHotplug) PCI; cold: \(h.pcieCold) PCIe + \(h.conventionalCold) PCI without a new controller"
            : "hot-plug now: \(h.conventionalHotplug) PCI\(h.rootNeedsACPI ? " (the root bus needs <acpi/>)" : ""); cold: \(h.conventionalCold) PCI without a new controller"
    }

    /// The legend, and the x where it ends.
    static func legend() -> (String, Int) {
        var out = ""
        var x = Layout.margin
        let y = 40
        let items: [(String, SVGTopologyRows.Link, Bool)] = [
            ("PCI Express", .express, false), ("conventional PCI", .conventional, false),
            ("free hot-plug slot", .free, false), ("planned address", .none, true),
        ]
        for (label, link, dashed) in items {
            let c = colours(link)
            out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"14\" height=\"14\" rx=\"3\" fill=\"\(c.fill)\" stroke=\"\(c.stroke)\" stroke-width=\"1.5\"\(dashed ? " stroke-dasharray=\"4 2\"" : "")/>\n"
            out += "<text x=\"\(x + 20)\" y=\"\(y + 11)\" fill=\"#222222\">\(label)</text>\n"
            x += 20 + Layout.textWidth(label) + 18
        }
        out += badge("MF derived", x: x, y: y, fill: "#7a3fb0")
        return (out, x + Layout.badgeWidth("MF derived"))
    }

    static func connector(from parent: SVGTopologyRows.Row, to child: SVGTopologyRows.Row) -> String {
        let px = parent.x + 12
        let py = parent.y + Layout.boxHeight
        let cy = child.y + Layout.boxHeight / 2
        return "<path d=\"M\(px) \(py) V\(cy) H\(child.x)\" fill=\"none\" stroke=\"#8a8a8a\" stroke-width=\"1.2\"/>\n"
    }

    static func node(_ r: SVGTopologyRows.Row) -> String {
        let c = colours(r.link)
        var out = "<g>\n<title>\(xml(r.tooltip))</title>\n"
        let dash = r.planned ? " stroke-dasharray=\"5 3\"" : (r.link == .free ? " stroke-dasharray=\"2 2\"" : "")
        out += "<rect x=\"\(r.x)\" y=\"\(r.y)\" width=\"\(r.width)\" height=\"\(Layout.boxHeight)\" rx=\"4\" fill=\"\(c.fill)\" stroke=\"\(c.stroke)\" stroke-width=\"1.5\"\(dash)/>\n"
        out += "<text x=\"\(r.x + 8)\" y=\"\(r.y + 15)\" fill=\"#1a1a1a\">\(xml(r.label))</text>\n"
        var bx = r.x + 8 + Layout.textWidth(r.label) + 8
        for b in r.badges {
            out += badge(b.text, x: bx, y: r.y + 4, fill: b.colour)
            bx += Layout.badgeWidth(b.text) + 4
        }
        return out + "</g>\n"
    }

    static func badge(_ text: String, x: Int, y: Int, fill: String) -> String {
        let w = Layout.badgeWidth(text)
        return "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"14\" rx=\"7\" fill=\"\(fill)\"/>\n"
            + "<text x=\"\(x + w / 2)\" y=\"\(y + 11)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#ffffff\">\(xml(text))</text>\n"
    }

    static func colours(_ link: SVGTopologyRows.Link) -> (fill: String, stroke: String) {
        switch link {
        case .express: ("#dbe8fb", "#2f6fd0")
        case .conventional: ("#fdebc8", "#c27400")
        case .free: ("#e2f5e2", "#2e8b2e")
        case .none: ("#eeeeee", "#666666")
        }
    }

    /// Text for XML content and attribute values (`String.xmlEscaped`).
    package static func xml(_ s: String) -> String { s.xmlEscaped }

    /// Sizes, in pixels; text widths assume a monospace face of 12 px (7.2 px a character),
    /// rounded up so labels never overflow their boxes.
    enum Layout {
        static let margin = 16
        static let treeTop = 70
        static let rowHeight = 30
        static let boxHeight = 22
        static let indent = 28
        static let footerHeight = 34

        static func textWidth(_ s: String, size: Int = 12) -> Int { (s.count * 75 * size + 119) / 120 }
        static func badgeWidth(_ s: String) -> Int { textWidth(s, size: 10) + 12 }
    }
}
