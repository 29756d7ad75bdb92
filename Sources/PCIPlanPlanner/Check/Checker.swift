import PCIPlanModel
import PCIPlanSource

/// Checks of explicit addresses and controllers (stage 4, beside the planner).
///
/// Three entry points:
/// * `preflight` — what libvirt 9.0 rejects at define before it assigns addresses (controller
///   indexes and models, address types a device cannot have, duplicate host devices).
///   `Pipeline.plan` runs it too, so `plan` refuses what libvirt refuses.
/// * `check` — `preflight` plus a walk over every explicit PCI address against an address set
///   built like libvirt's (duplicates, slot ranges, bus compatibility, chipset slots, buses
///   libvirt adds) and the multifunction rules QEMU enforces. Unlike the planner it never stops
///   at the first problem: each failure becomes a diagnostic and the walk goes on.
/// * `afterPlan` — rules that need the planned result (`--multifunction explicit`).
public enum Checker {
    /// Checks that must pass before planning: libvirt rejects these at define.
    public static func preflight(_ n: NormalizedDomain) -> [Diagnostic] {
        preflightFindings(CheckContext(n)).diagnostics
    }

    /// The preflight checks' findings, with the devices they flagged (which `check`'s address
    /// walk leaves out).
    static func preflightFindings(_ c: CheckContext) -> Findings {
        var f = Findings()
        controllerChecks(c, &f)
        deviceChecks(c, &f)
        usbChecks(c, &f)
        virtioMMIODefineChecks(c, &f)
        return f
    }

    /// Every check of `pciplan check` that does not need a plan.
    public static func check(_ n: NormalizedDomain, options: PlanOptions) -> [Diagnostic] {
        let c = CheckContext(n)
        var f = preflightFindings(c)
        var walk = AddressWalk(c, skip: f.flagged)
        walk.run()
        f.diagnostics += walk.diagnostics
        f.diagnostics += multifunctionChecks(c, walk: walk, options: options)
        // In file order, as compilers print them (stable: related findings keep their order).
        return f.diagnostics.enumerated().sorted {
            ($0.element.range?.start ?? Int.max, $0.offset) < ($1.element.range?.start ?? Int.max, $1.offset)
        }.map(\.element)
    }

    /// What `check` looks at once planning succeeded: `afterPlan`, explicit root ports at
    /// functions ≥ 1 of a slot whose function 0 stayed empty, and what QEMU refuses about the
    /// planned topology (controller order, non-virtio devices on virtio-mmio).
    public static func afterPlanForCheck(_ p: PlannedDomain, options: PlanOptions) -> [Diagnostic] {
        aggregateFunctionZero(p) + afterPlan(p, options: options) + qemuStartChecks(p, severity: .error) + hotplugHeadroom(p)
    }

    /// A PCI Express guest without a free hot-pluggable port: libvirt's live attach never adds
    /// a controller, so the next hot-plug of a PCI Express device fails.
    static func hotplugHeadroom(_ p: PlannedDomain) -> [Diagnostic] {
        guard p.family.descriptor.pciExpress else { return [] }
        if hasEmptyHotplugPort(p) {
            // Debug builds (every test) prove the shortcut against the count it spares.
            assert(Planner.headroom(p).pcieHotplug > 0, "an empty hot-pluggable port, yet no PCI Express hotplug headroom")
            return []
        }
        guard Planner.headroom(p).pcieHotplug == 0 else { return [] }
        let el = p.normalized.definition.devicesElement
        let at = el.map { SourceRange(file: p.normalized.definition.file.name, startTagOf: $0) }
        return [.hotplugNoFreePort(at: at)]
    }

    /// Whether a root or downstream port with hotplug holds nothing: then a PCI Express device
    /// can be hot-plugged, and `Planner.headroom` (which rebuilds the address set) need not
    /// count. libvirt leaves such a spare port in most q35 and virt guests.
    static func hasEmptyHotplugPort(_ p: PlannedDomain) -> Bool {
        var ports: [Int] = []
        for i in p.devices.indices {   // (by index: a `for d in` copies every device)
            guard let c = p.devices[i].controller, let m = c.pciModel, m == .pcieRootPort || m == .pcieSwitchDownstreamPort,
                  c.hotplug != .off, let index = c.index else { continue }
            ports.append(index)
        }
        guard !ports.isEmpty else { return false }
        var used = Set<Int>()
        for (_, pl) in p.placements { used.insert(pl.address.bus) }
        return ports.contains { !used.contains($0) }
    }

    /// Checks on the planned result: under `--multifunction explicit` every slot with functions
    /// ≥ 1 needs `multifunction='on'` on function 0, and nothing derives it.
    public static func afterPlan(_ p: PlannedDomain, options: PlanOptions) -> [Diagnostic] {
        guard options.multifunction == .explicit else { return [] }
        return explicitMultifunctionAfterPlan(p)
    }

    /// For `plan`: libvirt stores a slot whose function 0 says `multifunction='off'` while other
    /// functions are used, so `plan` does too — with a warning, because QEMU will not start it.
    /// (`check` reports the same as an error.) The same for the other definitions libvirt
    /// stores and QEMU refuses to start (virtio-mmio, machine devices, controller order).
    public static func planWarnings(_ p: PlannedDomain) -> [Diagnostic] {
        multifunctionOffWarnings(p) + qemuStartChecks(p.normalized, severity: .warning) + qemuStartChecks(p, severity: .warning)
    }

    static func multifunctionOffWarnings(_ p: PlannedDomain) -> [Diagnostic] {
        // Function 0 stored with multifunction='off' is rare: find those slots first, and only
        // then look for another function in them.
        // (Each placement's address and setting read in place: copying every placement to
        // look at two of its fields was most of this check.)
        let placements = p.placements
        var zeroOff: [SlotKey: Int] = [:]
        for i in p.devices.indices {
            guard placements.multifunction(of: i) == .off, let a = placements.address(of: i), a.function == 0 else { continue }
            zeroOff[a.slotKey] = min(i, zeroOff[a.slotKey] ?? i)
        }
        if zeroOff.isEmpty { return [] }
        // The lowest other function used in each such slot (the lowest device index on a tie).
        var other: [SlotKey: (function: Int, device: Int)] = [:]
        for i in p.devices.indices {
            guard let a = placements.address(of: i), a.function != 0, zeroOff[a.slotKey] != nil else { continue }
            let key = a.slotKey
            if let seen = other[key], (seen.function, seen.device) < (a.function, i) { continue }
            other[key] = (a.function, i)
        }
        let file = p.normalized.definition.file
        var out: [Diagnostic] = []
        for key in other.keys.sorted() {
            guard let zero = zeroOff[key], let (function, j) = other[key] else { continue }
            let el = p.devices[zero].addressElement ?? p.devices[zero].element
            out.append(.multifunctionOffStored(slot: key, zero: p.devices[zero].name, other: function, user: p.devices[j].name,
                userAt: p.devices[j].element.map { SourceRange(file: file.name, startTagOf: $0) },
                at: el.map { SourceRange(file: file.name, startTagOf: $0) }))
        }
        return out
    }
}

/// Diagnostics collected by the checks, and the devices whose address or identity they already
/// reported (the address walk leaves those out, so one problem is reported once).
struct Findings {
    var diagnostics: [Diagnostic] = []
    var flagged: Set<Int> = []

    mutating func add(_ d: Diagnostic, device: Int? = nil) {
        diagnostics.append(d)
        if let device { flagged.insert(device) }
    }
}

/// The normalized domain plus the source ranges and names the checks print.
struct CheckContext {
    let n: NormalizedDomain

    init(_ n: NormalizedDomain) { self.n = n }

    var file: SourceFile { n.definition.file }
    var devices: [Device] { n.devices }
    var family: MachineFamily { n.family }
    var machine: MachineDescriptor { n.family.descriptor }
    var machineName: String { machine.displayName }

    func range(_ r: Range<Int>) -> SourceRange { SourceRange(file: file.name, start: r.lowerBound, end: r.upperBound) }

    /// The start tag of device `i` (nil for devices libvirt adds).
    func tag(_ i: Int) -> SourceRange? { devices[i].element.map { range($0.startTag) } }

    /// The device's own `<address>` start tag, else its start tag.
    func addressTag(_ i: Int) -> SourceRange? { devices[i].addressElement.map { range($0.startTag) } ?? tag(i) }

    /// The value of one attribute of the device's `<address>`, else the address tag.
    func addressAttribute(_ i: Int, _ name: String) -> SourceRange? {
        devices[i].addressElement?.attributeNode(name).map { range($0.valueRange) } ?? addressTag(i)
    }

    /// The value of an attribute of the device element itself, else its start tag.
    func attribute(_ i: Int, _ name: String) -> SourceRange? {
        devices[i].element?.attributeNode(name).map { range($0.valueRange) } ?? tag(i)
    }

    /// `disk 'vda'`, `pcie-root-port index 1`, `usb controller index 0 'ich9-uhci1'`,
    /// `interface 52:54:00:12:34:56`.
    func name(_ i: Int) -> String {
        let d = devices[i]
        if let (_, display) = Checker.hostdevSource(d), d.kind == .hostdev { return "hostdev of \(display)" }
        guard let c = d.controller else { return d.name }
        let idx = c.index.map { " index \($0)" } ?? ""
        if c.type == "pci", let m = c.model { return "\(m)\(idx)" }
        let model = c.type == "usb" ? c.model.map { " '\($0)'" } ?? "" : ""
        return "\(c.type) controller\(idx)\(model)"
    }

    /// The PCI controller that provides bus `bus`, if the input or libvirt's defaults have one.
    func busController(_ bus: Int) -> Int? { n.pciController(index: bus) }

    /// The empty range just after the last attribute of `el`'s start tag (where a fix-it adds one).
    func insertionPoint(in el: XMLElement) -> SourceRange {
        var at = el.isSelfClosing ? el.startTag.upperBound - 2 : el.startTag.upperBound - 1
        while at > el.startTag.lowerBound, file.bytes[at - 1] == UInt8(ascii: " ") { at -= 1 }
        return SourceRange(file: file.name, start: at, end: at)
    }
}
