import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Stage 5a: writes the planned domain back into the user's own bytes, changing only what was
/// planned — new `<address>` elements, `multifunction='on'` where it was derived, controller
/// indexes / models / `<model name>` / `<target>` libvirt fills in, and the controllers and
/// default devices libvirt adds.
public enum XMLWriter {
    /// The planned definition: the input's own bytes with `edits(_:)` applied.
    public static func render(_ plan: PlannedDomain) -> [UInt8] {
        let edits = editList(plan)
        let output = edits.apply(to: plan.normalized.definition.file.bytes)
        edits.recycle()
        return output
    }

    /// One element of the planned file (`range`, e.g. an attached device) with the planned
    /// edits inside it, its continuation lines dedented by `dedent`: the element as libvirt
    /// stores it, in the user's own spelling.
    public static func renderElement(_ plan: PlannedDomain, range: Range<Int>, dedent: String) -> [UInt8] {
        let bytes = plan.normalized.definition.file.bytes
        let inside = edits(plan).filter { range.contains($0.range.lowerBound) && $0.range.upperBound <= range.upperBound }
            .map { edit -> XMLEdit in
                var moved = edit
                moved.range = edit.range.lowerBound - range.lowerBound..<edit.range.upperBound - range.lowerBound
                return moved
            }
        let element = XMLEdit.apply(inside, to: Array(bytes[range]))
        let prefix = Array(dedent.utf8)
        var out: [UInt8] = []
        var lineStart = true
        var i = 0
        while i < element.count {
            if lineStart && !prefix.isEmpty && i > 0 && element[i...].starts(with: prefix) { i += prefix.count }
            guard i < element.count else { break }
            out.append(element[i])
            lineStart = element[i] == 0x0A
            i += 1
        }
        return out + [0x0A]
    }

    /// Removes an element, and its line when it stands on a line of its own.
    public static func removal(of el: XMLElement, file: SourceFile) -> XMLEdit {
        let start = isLineStart(el.range.lowerBound, file: file) ? lineStart(of: el.range.lowerBound, file: file) : el.range.lowerBound
        let end = lineEnd(after: el.range.upperBound, file: file)
        return XMLEdit(start..<(start == el.range.lowerBound ? el.range.upperBound : end.upperBound), "")
    }

    /// The planned file with `el` removed (`detach`): the planned edits outside it, and it gone.
    public static func render(_ plan: PlannedDomain, removing el: XMLElement) -> [UInt8] {
        let file = plan.normalized.definition.file
        let cut = removal(of: el, file: file)
        let kept = edits(plan).filter { !(cut.range.contains($0.range.lowerBound) && $0.range.upperBound <= cut.range.upperBound) }
        return XMLEdit.apply(kept + [cut], to: file.bytes)
    }

    /// The byte-range edits that turn the input into the planned definition, for callers that want
    /// to show or apply them themselves.
    public static func edits(_ plan: PlannedDomain) -> [XMLEdit] {
        let list = editList(plan)
        let edits = list.edits
        list.recycle()  // (it took this thread's spare storage: hand it back, as `render` does)
        return edits
    }

    /// `edits(_:)`, their replacements in one buffer.
    static func editList(_ plan: PlannedDomain) -> EditList {
        let file = plan.normalized.definition.file
        // About one edit per device: an address, or a controller's index and model.
        var edits = EditList(capacity: plan.devices.count)
        let devicesEl = plan.normalized.definition.devicesElement
        let childIndent = devicesEl.map { childIndentation(of: $0, file: file) } ?? "    "
        var addedControllers = ByteText()
        var addedOthers = ByteText()

        for (i, d) in plan.devices.enumerated() {
            let placement = plan.placements[i]
            guard let el = d.element else {
                if d.kind == .crypto { continue }
                if d.kind == .controller {
                    appendNewElement(d, index: i, plan: plan, indent: childIndent, to: &addedControllers)
                } else {
                    appendNewElement(d, index: i, plan: plan, indent: childIndent, to: &addedOthers)
                }
                continue
            }
            if d.kind == .crypto {
                // libvirt 9.0 drops <crypto> at define: remove the element and its line.
                edits.append(removal(of: el, file: file))
                continue
            }
            var children = NewChildren()      // new child elements, in libvirt's order
            if d.kind == .controller, let c = d.controller {
                var attrs = ByteText()
                if !c.indexGiven, let idx = c.index { attrs.appendAttribute("index", decimal: idx) }
                if el[attribute: "model"] == nil, let m = c.model, c.type == "usb" || c.type == "scsi" || c.type == "pci" {
                    attrs.appendAttribute("model", m)
                }
                if !attrs.isEmpty, let typeAttr = el.attributeNode("type") {
                    edits.append(typeAttr.valueRange.upperBound + 1..<typeAttr.valueRange.upperBound + 1, attrs)
                }
                if let f = plan.filledDefaults[i] {
                    if let name = f.modelName, el.child("model") == nil { children.modelName = name }
                    let targetAttrs = targetAttributes(f)
                    if !targetAttrs.isEmpty {
                        if let t = el.child("target") {
                            let end = t.isSelfClosing ? t.startTag.upperBound - 2 : t.startTag.upperBound - 1
                            var at = end
                            while at > t.startTag.lowerBound, file.bytes[at - 1] == UInt8(ascii: " ") { at -= 1 }
                            edits.append(at..<at, targetAttrs)
                        } else {
                            children.targetAttributes = targetAttrs
                        }
                    }
                }
            }
            if let m = plan.normalized.consoleMirror, m.console == i {
                // The serial console is stored as a copy of serial port 0, address included.
                let mirrored = plan.placements[m.serial]
                if let a = d.addressElement {
                    if let m = mirrored { m.address.appendXML(multifunction: m.multifunction, to: &edits.text) }
                    edits.commit(a.range)
                } else if let p = mirrored {
                    children.address = (p.address, p.multifunction)
                }
            } else if d.virtioMMIOAssigned {
                // libvirt stores the virtio-mmio address type alone, with no further attributes.
                children.virtioMMIO = true
            } else if let p = placement {
                if case .kept = p.provenance, let a = d.addressElement, writtenAddress(a) == p.address,
                   writtenMultifunction(a) == p.multifunction || (p.multifunction == .on && writtenMultifunction(a) == .absent)
                {
                    // Kept where the input already writes it: its spelling stays (0X04, 4, …).
                    if p.multifunction == .on, writtenMultifunction(a) != .on {
                        edits.append(addingAttribute(" multifunction='on'", to: a, file: file))
                    }
                } else if case .explicit = p.provenance {
                    if p.multifunction == .on, p.multifunctionDerivedFrom != nil, let a = d.addressElement {
                        edits.append(addingAttribute(" multifunction='on'", to: a, file: file))
                    }
                } else if let a = d.addressElement {
                    p.address.appendXML(multifunction: p.multifunction, to: &edits.text)
                    edits.commit(a.range)
                } else {
                    children.address = (p.address, p.multifunction)
                }
            }
            if !children.isEmpty {
                insertChildren(children, into: el, file: file, first: d.kind == .controller, to: &edits)
            }
        }
        if let devicesEl, devicesEl.isSelfClosing {
            if !addedControllers.isEmpty || !addedOthers.isEmpty {
                addedControllers.append(addedOthers)
                edits.append(openSelfClosing(devicesEl, holding: addedControllers, file: file))
            }
        } else if let devicesEl {
            let lastController = devicesEl.children.last { $0.name == "controller" }
            if !addedControllers.isEmpty {
                if let lc = lastController {
                    edits.append(lineEnd(after: lc.range.upperBound, file: file), addedControllers)
                } else {
                    edits.append(insertionPointBeforeEnd(devicesEl, file: file), addedControllers)
                }
            }
            if !addedOthers.isEmpty {
                edits.append(insertionPointBeforeEnd(devicesEl, file: file), addedOthers)
            }
        } else if !addedControllers.isEmpty || !addedOthers.isEmpty {
            let root = plan.normalized.definition.root
            let indent = file.indentation(ofLineContaining: root.startTag.lowerBound)
            var text = ByteText()
            text.append(indent)
            text.append("  <devices>\n")
            text.append(addedControllers)
            text.append(addedOthers)
            text.append(indent)
            text.append("  </devices>\n")
            edits.append(insertionPointBeforeEnd(root, file: file), text)
        }
        let style = Style(file)
        guard style.doubleQuotes || style.crlf else { return edits }
        return edits.mapReplacements(style.apply)
    }

    /// The input's own conventions, which inserted text follows: its attribute quote and its
    /// line ending.
    struct Style {
        var doubleQuotes = false
        var crlf = false

        init(_ file: SourceFile) {
            var single = 0
            var double = 0
            var prev: UInt8 = 0
            for b in file.bytes.prefix(1 << 16) {
                if prev == UInt8(ascii: "=") {
                    if b == UInt8(ascii: "'") { single += 1 } else if b == UInt8(ascii: "\"") { double += 1 }
                }
                if b == UInt8(ascii: "\n") {
                    crlf = prev == UInt8(ascii: "\r")
                    if double + single > 0 { break }
                }
                prev = b
            }
            doubleQuotes = double > single
        }

        func apply(_ text: ArraySlice<UInt8>) -> ByteText {
            let apostrophe = UInt8(ascii: "'"), quotation = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
            // Generated markup quotes every value with ' and no value holds a quote of either kind.
            let swapQuotes = doubleQuotes && !text.contains(quotation)
            var out = ByteText(capacity: text.count + 16)
            var last: UInt8 = 0
            for b in text {
                if crlf && b == lf && last != cr { out.bytes.append(cr) }
                out.bytes.append(swapQuotes && b == apostrophe ? quotation : b)
                last = b
            }
            return out
        }
    }

    /// Inserts ` name='value'` before the end of `a`'s start tag.
    static func addingAttribute(_ text: StaticString, to a: XMLElement, file: SourceFile) -> XMLEdit {
        let end = a.isSelfClosing ? a.startTag.upperBound - 2 : a.startTag.upperBound - 1
        var at = end
        while at > a.startTag.lowerBound, file.bytes[at - 1] == UInt8(ascii: " ") { at -= 1 }
        var bytes = ByteText()
        bytes.append(text)
        return XMLEdit(at..<at, bytes)
    }

    /// The multifunction setting an `<address>` element writes.
    static func writtenMultifunction(_ a: XMLElement) -> Tristate {
        switch a[attribute: "multifunction"] {
        case "on": .on
        case "off": .off
        default: .absent
        }
    }

    /// The PCI address an `<address>` element writes, read as libvirt reads its numbers.
    static func writtenAddress(_ a: XMLElement) -> PCIAddress? {
        guard a[attribute: "type"] == "pci" else { return nil }
        func n(_ k: String) -> UInt64? { a[attribute: k].map(parseLibvirtUInt) ?? 0 }
        guard let d = n("domain"), let b = n("bus"), let s = n("slot"), let f = n("function"), d <= UInt64(UInt32.max) else { return nil }
        return PCIAddress(domain: UInt32(d), bus: Int(b), slot: Int(s), function: Int(f))
    }

    /// What libvirt stores for a device it put on virtio-mmio.
    static let virtioMMIOAddress: StaticString = "<address type='virtio-mmio'/>"

    /// The `<target>` attributes libvirt fills in, each as ` name='value'` (empty when none).
    static func targetAttributes(_ f: ControllerDefaults) -> ByteText {
        var a = ByteText()
        if let v = f.chassisNr { a.appendAttribute("chassisNr", decimal: v) }
        if let v = f.chassis { a.appendAttribute("chassis", decimal: v) }
        if let v = f.port { a.appendAttribute("port", hex: v) }
        if let v = f.busNr { a.appendAttribute("busNr", decimal: v) }
        if f.hotplug != .absent { a.appendAttribute("hotplug", f.hotplug.rawValue) }
        return a
    }

    /// A complete element for a device libvirt adds, appended to `out` as whole lines.
    static func appendNewElement(_ d: Device, index i: Int, plan: PlannedDomain, indent: String, to out: inout ByteText) {
        var children = NewChildren()
        out.append(indent)
        switch d.kind {
        case .controller:
            let c = d.controller ?? ControllerInfo(type: "?")
            out.append("<controller")
            out.appendAttribute("type", c.type)
            out.appendAttribute("index", decimal: c.index ?? 0)
            if let m = c.model { out.appendAttribute("model", m) }
            if let f = plan.filledDefaults[i] {
                children.modelName = f.modelName
                let t = targetAttributes(f)
                if !t.isEmpty { children.targetAttributes = t }
            }
        case .video:
            out.append("<video")
            children.primaryVideoModel = d.model ?? "cirrus"
        default:
            out.append("<")
            out.append(d.kind.rawValue)
            if let m = d.model { out.appendAttribute("model", m) }
        }
        children.address = plan.placements[i].map { ($0.address, $0.multifunction) }
        children.virtioMMIO = d.virtioMMIOAssigned
        if children.isEmpty {
            out.append("/>\n")
            return
        }
        out.append(">\n")
        children.append(to: &out, eachOnALineAfter: Array(indent.utf8)[...], "  ")
        out.append(indent)
        out.append("</")
        out.append(d.kind == .video ? "video" : (d.kind == .controller ? "controller" : d.kind.rawValue))
        out.append(">\n")
    }

    /// The indentation used by the element's children (or one step deeper than the element).
    package static func childIndentation(of el: XMLElement, file: SourceFile) -> String {
        let (own, more) = childIndentationParts(of: el, file: file)
        return file.text(own) + more.description
    }

    /// `childIndentation` as bytes of the file and a step to add, so that the writer, which
    /// indents a line for every device it edits, appends them without making a string.
    static func childIndentationParts(of el: XMLElement, file: SourceFile) -> (Range<Int>, StaticString) {
        if let c = el.children.first(where: { isLineStart($0.startTag.lowerBound, file: file) }) {
            return (file.indentationRange(ofLineContaining: c.startTag.lowerBound), "")
        }
        let own = file.indentationRange(ofLineContaining: el.startTag.lowerBound)
        return (own, file.bytes[own].contains(UInt8(ascii: "\t")) ? "\t" : "  ")
    }

    package static func isLineStart(_ offset: Int, file: SourceFile) -> Bool {
        var i = offset
        while i > 0 {
            let b = file.bytes[i - 1]
            if b == UInt8(ascii: "\n") { return true }
            if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") { return false }
            i -= 1
        }
        return true
    }

    static func lineStart(of offset: Int, file: SourceFile) -> Int {
        var i = offset
        while i > 0, file.bytes[i - 1] != UInt8(ascii: "\n") { i -= 1 }
        return i
    }

    /// Just past the newline that ends the line holding `offset` (or `offset` if text follows).
    static func lineEnd(after offset: Int, file: SourceFile) -> Range<Int> {
        var i = offset
        while i < file.bytes.count, file.bytes[i] == UInt8(ascii: " ") || file.bytes[i] == UInt8(ascii: "\t") { i += 1 }
        if i < file.bytes.count, file.bytes[i] == UInt8(ascii: "\n") { return i + 1..<i + 1 }
        if i + 1 < file.bytes.count, file.bytes[i] == UInt8(ascii: "\r"), file.bytes[i + 1] == UInt8(ascii: "\n") { return i + 2..<i + 2 }
        return offset..<offset
    }

    /// Where new last children of `el` go: the start of the end tag's line when the end tag
    /// stands on its own line, else right before the end tag.
    package static func insertionPointBeforeEnd(_ el: XMLElement, file: SourceFile) -> Range<Int> {
        guard let end = el.endTag else { return el.startTag.upperBound..<el.startTag.upperBound }
        let at = isLineStart(end.lowerBound, file: file) ? lineStart(of: end.lowerBound, file: file) : end.lowerBound
        return at..<at
    }

    /// Opens `<el/>` into `<el>` … `</el>` around `body` (whole lines, already indented): new
    /// children of an empty element would otherwise land after it, outside.
    static func openSelfClosing(_ el: XMLElement, holding body: ByteText, file: SourceFile) -> XMLEdit {
        var at = el.startTag.upperBound - 2
        while at > el.startTag.lowerBound, [0x20, 0x09, 0x0A, 0x0D].contains(file.bytes[at - 1]) { at -= 1 }
        var text = ByteText(capacity: body.bytes.count + 32)
        text.append(">\n")
        text.append(body)
        text.append(file.indentation(ofLineContaining: el.startTag.lowerBound))
        text.append("</")
        text.append(el.name)
        text.append(">")
        return XMLEdit(at..<el.startTag.upperBound, text)
    }

    /// The child elements the writer inserts into one device element, in libvirt's order
    /// (`<model>`, `<target>`, `<address>`), written straight into the edit's text: no buffer
    /// per child and no list of them (two allocations per planned device, a tenth of writing).
    struct NewChildren {
        /// `<model name='…'/>` (a controller's QEMU device).
        var modelName: String? = nil
        /// `<model type='…' primary='yes'/>` (a video libvirt adds).
        var primaryVideoModel: String? = nil
        /// `<target …/>` around these attributes (from `targetAttributes`).
        var targetAttributes: ByteText? = nil
        /// `<address type='pci' …/>`: the address and its multifunction setting (plain values,
        /// not the placement: nothing to retain or release per device).
        var address: (address: PCIAddress, multifunction: Tristate)? = nil
        /// `<address type='virtio-mmio'/>`.
        var virtioMMIO = false

        var isEmpty: Bool {
            modelName == nil && primaryVideoModel == nil && targetAttributes == nil && address == nil && !virtioMMIO
        }

        /// Appends every child: with `indent`, each on a line of its own after `indent` and
        /// `step`; without, one after another.
        func append(to text: inout ByteText, eachOnALineAfter indent: ArraySlice<UInt8>?, _ step: StaticString) {
            func open() {
                if let indent {
                    text.append(indent)
                    text.append(step)
                }
            }
            // (`if case`, not `indent != nil`: that compared two optional slices as Equatable
            // values and destroyed the pair through generic witnesses, 1 % of a plan.)
            func close() { if case .some = indent { text.append("\n" as StaticString) } }
            if let n = modelName {
                open()
                text.append("<model")
                text.appendAttribute("name", n)
                text.append("/>")
                close()
            }
            if let t = primaryVideoModel {
                open()
                text.append("<model")
                text.appendAttribute("type", t)
                text.appendAttribute("primary", "yes")
                text.append("/>")
                close()
            }
            if let t = targetAttributes {
                open()
                text.append("<target")
                text.append(t)
                text.append("/>")
                close()
            }
            if let p = address {
                open()
                p.address.appendXML(multifunction: p.multifunction, to: &text)
                close()
            }
            if virtioMMIO {
                open()
                text.append(XMLWriter.virtioMMIOAddress)
                close()
            }
        }
    }

    /// The edit that inserts child elements: controllers get theirs first (libvirt prints model,
    /// target, address first), other devices last. A self-closing element is opened up. None
    /// only for an element without an end tag that is not self-closing (none is read so).
    /// Written straight into `edits`' buffer.
    static func insertChildren(_ children: NewChildren, into el: XMLElement, file: SourceFile, first: Bool, to edits: inout EditList) {
        // (the element's own indentation only where it is written: most devices need only the inner one)
        var indent: String { file.indentation(ofLineContaining: el.startTag.lowerBound) }
        let (inner, innerStep) = childIndentationParts(of: el, file: file)
        let multiline = isLineStart(el.startTag.lowerBound, file: file)
        /// Each child on a line of its own at `inner`, replacing `range`.
        func lines(_ range: Range<Int>) {
            children.append(to: &edits.text, eachOnALineAfter: file.bytes[inner], innerStep)
            edits.commit(range)
        }
        /// The children one after another, replacing `range`.
        func run(_ range: Range<Int>) {
            children.append(to: &edits.text, eachOnALineAfter: nil, "")
            edits.commit(range)
        }
        if el.isSelfClosing {
            let slash = el.startTag.upperBound - 2
            var at = slash
            while at > el.startTag.lowerBound, file.bytes[at - 1] == UInt8(ascii: " ") { at -= 1 }
            if multiline {
                edits.text.append(">\n")
                children.append(to: &edits.text, eachOnALineAfter: file.bytes[inner], innerStep)
                edits.text.append(indent)
            } else {
                edits.text.append(">")
                children.append(to: &edits.text, eachOnALineAfter: nil, "")
            }
            edits.text.append("</")
            edits.text.append(el.name)
            edits.text.append(">")
            edits.commit(at..<el.startTag.upperBound)
            return
        }
        guard let end = el.endTag else { return }
        let hasElementChildren = !el.children.isEmpty
        if first && hasElementChildren, let firstChild = el.children.first {
            // Before the first child, at its own indentation.
            if isLineStart(firstChild.startTag.lowerBound, file: file) {
                let at = lineStart(of: firstChild.startTag.lowerBound, file: file)
                return lines(at..<at)
            }
            return run(firstChild.startTag.lowerBound..<firstChild.startTag.lowerBound)
        }
        if isLineStart(end.lowerBound, file: file) {
            let at = lineStart(of: end.lowerBound, file: file)
            return lines(at..<at)
        }
        if multiline && !hasElementChildren && el.text.trimmingSpaces.isEmpty {
            edits.text.append("\n")
            children.append(to: &edits.text, eachOnALineAfter: file.bytes[inner], innerStep)
            edits.text.append(indent)
            edits.commit(el.startTag.upperBound..<end.lowerBound)
            return
        }
        run(end.lowerBound..<end.lowerBound)
    }
}

extension ByteText {
    /// Appends ` name='value'`, libvirt's spelling of an attribute it writes (values pciplan
    /// writes hold no quote).
    mutating func appendAttribute(_ name: StaticString, _ value: String) {
        append(" ")
        append(name)
        append("='")
        append(value)
        append("'")
    }

    /// Appends ` name='value'` with `value` in decimal.
    mutating func appendAttribute(_ name: StaticString, decimal value: Int) {
        append(" ")
        append(name)
        append("='")
        append(decimal: value)
        append("'")
    }

    /// Appends ` name='0x…'` with `value` in hex, as libvirt writes a port.
    mutating func appendAttribute(_ name: StaticString, hex value: Int) {
        append(" ")
        append(name)
        append("='0x")
        append(hex: value, width: 1)
        append("'")
    }
}
