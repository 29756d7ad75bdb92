import PCIPlanModel
import PCIPlanSource

/// Stage 4: assigns every missing PCI address exactly as libvirt 9.0's
/// `qemuDomainAssignPCIAddresses` does — a dry run that grows the topology, the controllers it
/// needed, then the real pass, `multifunction='on'` derivation and controller defaults.
public struct Planner {
    let options: PlanOptions
    var devices: [Device]
    var controllerOrder: [Int]
    let videoOrder: [Int]
    let diskOrder: [Int]
    let family: MachineFamily
    let file: SourceFile
    /// Addresses in the definition as libvirt holds it (explicit + chipset-written + planned).
    var stored = PlacementTable()
    var diags: [Diagnostic] = []
    var steps: [String] = []
    var devicesElement: XMLElement? = nil
    var sequence = 0
    /// `--group-host-functions`: which host devices share a guest slot (formed once, before the passes).
    var hostGrouping = HostGrouping()

    struct Failure: Error {}

    /// A planner for `n`, with no address stored yet.
    init(_ n: NormalizedDomain, options: PlanOptions) {
        self.options = options
        devices = n.devices
        controllerOrder = n.controllerOrder
        videoOrder = n.videoOrder
        diskOrder = n.diskOrder
        family = n.family
        file = n.definition.file
        devicesElement = n.definition.devicesElement
    }

    /// `n` with this planner's devices and controllers, and the addresses it stored.
    func planned(_ n: NormalizedDomain, filledDefaults: [Int: ControllerDefaults] = [:]) -> PlannedDomain {
        var normalized = n
        normalized.devices = devices
        normalized.controllerOrder = controllerOrder
        return PlannedDomain(normalized: normalized, placements: stored, filledDefaults: filledDefaults, steps: steps)
    }

    /// Plans `n`: keeps every explicit address, gives every device that wants a PCI address one
    /// as libvirt would, adds the controllers that needs, and fills in controller defaults. Nil,
    /// with an error diagnostic, when libvirt would refuse the definition; run
    /// `Checker.preflight(_:)` first, as `Pipeline.plan` does.
    public static func plan(_ n: NormalizedDomain, options: PlanOptions = PlanOptions()) -> (PlannedDomain?, [Diagnostic]) {
        let (planned, diags) = planOnce(n, options: options)
        // Without explanations, a diagnostic could lack the reason it quotes (why a controller
        // that cannot be placed was added): plan again with them, so the findings never depend
        // on the option. Rare, and never on a domain that plans cleanly.
        if !options.explanations && (planned == nil || !diags.isEmpty) {
            var explained = options
            explained.explanations = true
            return planOnce(n, options: explained)
        }
        return (planned, diags)
    }

    static func planOnce(_ n: NormalizedDomain, options: PlanOptions) -> (PlannedDomain?, [Diagnostic]) {
        var p = Planner(n, options: options)
        // Room for every input device's placement and as many controllers again (a q35 guest
        // can need a root port per device): growing by doubling copied half a megabyte and
        // left a block of twice the size at 4,000 devices; room never written costs no page.
        p.stored.reserveCapacity(2 * p.devices.count)
        for i in p.devices.indices {
            if case .pci(let a, let m) = p.devices[i].address, p.devices[i].kind != .crypto {
                let prov: Provenance = p.devices[i].keptReason.map { .kept($0) } ?? .explicit
                p.stored[i] = Placement(address: a, multifunction: m, provenance: prov)
            }
        }
        if options.explanations {
            for i in p.devices.indices { if case .added(let why) = p.devices[i].origin { p.steps.append("added \(p.devices[i].name): \(why)") } }
        }
        do {
            try p.run()
        } catch {
            return (nil, p.diags)
        }
        do {
            return (p.planned(n, filledDefaults: try p.controllerDefaults()), p.diags)
        } catch {
            return (nil, p.diags)
        }
    }

    // MARK: helpers

    func range(of i: Int) -> SourceRange? {
        let d = devices[i]
        // Devices the planner added have no element: point at <devices>.
        guard let el = d.addressElement ?? d.element ?? devicesElement else { return nil }
        return SourceRange(file: file.name, startTagOf: el)
    }

    func elementRange(of i: Int) -> SourceRange? {
        guard let el = devices[i].element else { return nil }
        return SourceRange(file: file.name, startTagOf: el)
    }

    /// The start tag of `<devices>`, where a finding about the whole topology points.
    var devicesRange: SourceRange? {
        devicesElement.map { SourceRange(file: file.name, startTagOf: $0) }
    }

    /// Why libvirt added controller `i`, when it did (nil for a controller in the input).
    func addedReason(_ i: Int) -> String? {
        if case .added(let why) = devices[i].origin { return why }
        return nil
    }

    /// Where a problem with device `i` is reported: its `<address>` or its element; for a
    /// controller libvirt added, the device whose slot search made the dry run add it (following
    /// added controllers back to a device in the input); `<devices>` only when no device did
    /// (a gap in the controller indexes, the spare port).
    func blamedRange(of i: Int) -> SourceRange? {
        var j = i
        for _ in 0...devices.count {
            if devices[j].element != nil { return range(of: j) }
            guard let b = devices[j].controller?.index, let cause = growth(ofBus: b)?.cause, cause != j else { break }
            j = cause
        }
        return devicesRange
    }

    mutating func fail(_ i: Int?, _ e: AddressSetError, id: DiagnosticID? = nil, explicit: Bool) -> Failure {
        let who = i.map { "\(devices[$0].name)\(devices[$0].alias.map { " (\($0))" } ?? "")" } ?? "a reserved slot"
        let at = i.flatMap { blamedRange(of: $0) } ?? devicesRange
        if e.kind == .cannotGrow, let i, let c = devices[i].controller, let idx = c.index, let m = c.pciModel {
            diags.append(.cannotPlaceController(m, index: idx, flags: devices[i].flags, addedBecause: addedReason(i),
                                                pcie: hasPCIeRoot,
                                                libvirtMessage: e.libvirtMessage, at: at, controllerAt: elementRange(of: i)))
            return Failure()
        }
        guard let diagID = e.kind == .cannotGrow ? .planCannotAddController : e.kind.addressRule else {
            diags.append(.plannerBug(device: who, libvirtMessage: e.libvirtMessage, at: at))
            return Failure()
        }
        var declared: (name: String, at: SourceRange?)? = nil
        // The smallest matching device index: `stored` is a dictionary, whose order varies by run.
        if e.kind == .inUse, let a = e.address,
           let other = stored.filter({ $0.key != i && $0.value.address == a }).keys.min() {
            declared = (devices[other].name, elementRange(of: other))
        }
        diags.append(.planFailure(id ?? diagID, device: explicit ? nil : who, libvirtMessage: e.libvirtMessage, at: at, declared: declared))
        return Failure()
    }

    func wants(_ i: Int) -> Bool { !stored.contains(i) && devices[i].address.wantsPCI }

    var maxPCIIndex: Int {
        controllerOrder.compactMap { devices[$0].isPCIController ? devices[$0].controller?.index : nil }.max() ?? -1
    }

    var hasPCIRoot: Bool { controllerOrder.contains { devices[$0].controller?.pciModel == .pciRoot } }
    var hasPCIeRoot: Bool { controllerOrder.contains { devices[$0].controller?.pciModel == .pcieRoot } }

    // MARK: the two passes

    mutating func run() throws(Failure) {
        if options.groupHostFunctions { formHostGroups() }
        let maxIdx = maxPCIIndex
        var nbuses = maxIdx + 1
        if nbuses > 0 {
            var set = try addressSet(dryRun: true, nbuses: nbuses)
            if hasPCIRoot && !set.buses.allSatisfy(\.isFullyReserved) {
                let before = set.count
                do { _ = try set.reserveNext(flags: [.autoAssign, .pciDevice]) } catch { throw fail(nil, error, explicit: false) }
                noteGrowth(before..<set.count) { _ in "libvirt keeps one slot free for a future pci-bridge, and none was left" }
            }
            try assignDevices(&set, store: false)
            if maxIdx <= 0 && set.count > maxIdx + 1 && hasPCIeRoot {
                let before = set.count
                do { _ = try set.reserveNext(flags: [.autoAssign, .pcieDevice]) } catch { throw fail(nil, error, explicit: false) }
                noteGrowth(before..<set.count) { _ in "libvirt's one spare pcie-root-port, left empty for hotplug" }
                if options.explanations {
                    steps.append("reserved one spare pcie-root-port for hotplug (libvirt does this once, for a definition without PCI controllers)")
                }
            }
            // Which indexes a PCI controller already has (looked up once, not per bus).
            var present = [Bool](repeating: false, count: set.count)
            for j in controllerOrder where devices[j].isPCIController {
                if let index = devices[j].controller?.index, (0..<present.count).contains(index) { present[index] = true }
            }
            var i = 1
            while i < set.count {
                // (buses the loop itself grows have no controller yet)
                if i >= present.count || !present[i] {
                    let model = set.buses[i].model
                    let why = options.explanations ? growth(ofBus: i)?.reason ?? "libvirt's dry run needed bus \(i)" : ""
                    devices.append(.pciController(index: i, model: model, origin: .added(why)))
                    let idx = devices.count - 1
                    controllerOrder.append(idx)  // virDomainDefMaybeAddController appends
                    if options.explanations {
                        // (appends, not interpolation: one step per added port or bridge)
                        var step = "added "
                        step.reserveCapacity(96)
                        step += model.rawValue
                        step += " index "
                        step += String(i)
                        if let why = growth(ofBus: i)?.reason {
                            step += ": "
                            step += why
                        }
                        steps.append(step)
                    }
                    if !model.isRoot {
                        do { _ = try set.reserveNext(flags: model.connectFlags) } catch { throw fail(idx, error, explicit: false) }
                    }
                }
                i += 1
            }
            nbuses = set.count
        }
        var set = try addressSet(dryRun: false, nbuses: nbuses)
        try assignDevices(&set, store: true)
        setAllMulti()
    }

    /// Why the dry run added a bus, and the device whose slot search added it, where a device
    /// did (a finding about the added controller points at that device).
    struct Growth {
        /// The reason, for explain; empty without `PlanOptions.explanations`.
        var reason: String
        /// The device whose slot search added the bus.
        var cause: Int?
    }

    /// Each bus the dry run added, by bus index (nil: no record). An array, not a dictionary:
    /// a q35 guest grows a root port for nearly every device.
    var growth: [Growth?] = []

    /// Why the dry run added bus `b`, and for which device, when it did.
    func growth(ofBus b: Int) -> Growth? { b >= 0 && b < growth.count ? growth[b] : nil }

    /// Records why `buses` were added and which device's search added them (`cause`), for the
    /// buses without a record yet: the first reason stands. The words are built only with
    /// `PlanOptions.explanations`, and then once (`reason` gets the planner: a closure over
    /// `self` would overlap this mutation).
    mutating func noteGrowth(_ buses: Range<Int>, cause: Int? = nil, because reason: (Planner) -> String) {
        guard !buses.isEmpty else { return }
        if growth.count < buses.upperBound { growth.append(contentsOf: repeatElement(nil, count: buses.upperBound - growth.count)) }
        var text: String?
        for b in buses where growth[b] == nil {
            if text == nil { text = options.explanations ? reason(self) : "" }
            growth[b] = Growth(reason: text ?? "", cause: cause)
        }
    }

    /// The address set of `nbuses` buses (every PCI controller's, by default) with every stored
    /// address and the chipset's slots reserved.
    mutating func addressSet(dryRun: Bool, nbuses: Int? = nil) throws(Failure) -> PCIAddressSet {
        var set = PCIAddressSet(dryRun: dryRun)
        try createSet(&set, nbuses: nbuses ?? maxPCIIndex + 1)
        try chipset(&set)
        return set
    }

    /// libvirt's qemuDomainPCIAddressSetCreate + qemuDomainCollectPCIAddress.
    mutating func createSet(_ set: inout PCIAddressSet, nbuses: Int) throws(Failure) {
        set.buses = []
        var controllers: [PCIAddressSet.BusController] = []
        for i in controllerOrder {
            guard let c = devices[i].controller, c.type == "pci", let idx = c.index, (0..<nbuses).contains(idx) else { continue }
            guard let m = c.pciModel else {
                diags.append(.unknownBusModel(index: idx, model: c.model, at: elementRange(of: i)))
                throw Failure()
            }
            controllers.append(.init(index: idx, model: m, hotplug: c.hotplug != .off))
        }
        for (b, m) in set.addBuses(count: nbuses, controllers: controllers) {
            noteGrowth(b..<(b + 1)) { _ in "no controller has index \(b), so libvirt fills the gap with a \(m.rawValue)" }
        }
        var failed = false
        for i in iterationOrder() {
            guard let placement = stored[i], devices[i].kind != .crypto else { continue }
            let a = placement.address
            var flags = devices[i].flags
            if flags.isEmpty { flags = .pciDevice }
            // `plan --keep`: a slot OLD had as one function stays one, or the root ports NEW needs
            // would be packed beside it and libvirt would derive multifunction='on' there.
            if devices[i].keptReason != nil && a.function == 0 && placement.multifunction != .on {
                flags.remove(.aggregateSlot)
            }
            if let c = devices[i].controller, a.domain == 0, a.bus == 0, a.slot == 1 {
                let piix = (c.type == "ide" && c.index == 0 && a.function == 1)
                    || (c.type == "usb" && c.index == 0 && (c.model == "piix3-uhci" || c.model == nil) && a.function == 2)
                if piix {
                    if set.count > 0 && !set.buses[0].flags.contains(.pciDevice) {
                        diags.append(.piix3OffPCIBus(at: range(of: i)))
                        failed = true
                    }
                    continue
                }
            }
            let before = set.count
            do {
                let got = try set.reserve(a, flags: flags, fromConfig: true)
                if got != a {
                    // libvirt's dry run bumps the bus of an explicit conventional-PCI address on a
                    // pure PCIe guest and stores the new number (spec §5.3).
                    store(i, got, multi: placement.multifunction,
                          .planned(step: "libvirt's dry run moved the explicit address \(a) to bus \(got.bus): bus \(a.bus) became the pcie-root-port that holds the new pcie-to-pci-bridge"))
                    diags.append(.busBumpedByDryRun(devices[i].name, asked: a, got: got, at: range(of: i)))
                }
            } catch {
                _ = fail(i, error, explicit: true)
                failed = true
            }
            noteGrowth(before..<set.count, cause: i) { "\($0.devices[i].name) names bus \(a.bus) explicitly" }
        }
        // `plan --keep --reserve-removed`: the addresses of removed devices stay free.
        for a in options.reservedAddresses { set.hold(a) }
        if failed { throw Failure() }
    }

    /// libvirt's virDomainDeviceInfoIterate order (which device of a duplicate pair is reported).
    func iterationOrder() -> [Int] {
        Define.iterationOrder(devices, controllerOrder: controllerOrder, videoOrder: videoOrder, diskOrder: diskOrder)
    }
}

extension AddressSetError.Kind {
    /// The catalogue's rule for an address the set refused (planning and hot-plug report it
    /// under this ID); nil for a failed search (`noSlot`, `noBuses`, `cannotGrow`,
    /// `noAutoAssign`), which each caller words itself.
    var addressRule: DiagnosticID? {
        switch self {
        case .inUse: .addressInUse
        case .noSuchBus: .addressNoBus
        case .incompatible, .hotplug: .addressIncompatible
        case .integrated: .addressIntegrated
        case .slotTooLow, .slotTooHigh: .addressSlotRange
        case .domain: .addressDomain
        case .noSlot, .noBuses, .cannotGrow, .noAutoAssign: nil
        }
    }
}
