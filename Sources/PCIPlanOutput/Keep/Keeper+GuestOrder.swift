import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `plan --keep` beyond libvirt: new bridges and ports go where the firmware enumerates them after
/// every kept bus, so no kept device's guest address (and so no `enp…` name or by-path link)
/// changes.
///
/// libvirt's first fit puts a new controller into the first free slot, which the firmware may
/// reach before kept bridges (a free root slot before a bridge at a higher slot, a root port
/// before the dmi-to-pci-bridge at 00:1e or a switch at 00:10); every bus after it in the
/// depth-first walk gets the next number. Only the new controllers' places differ from
/// libvirt's: the kept ones and every endpoint stay libvirt's. The new places are written as
/// explicit addresses, which libvirt keeps.
extension Keeper {
    /// A kept device whose guest address the plan changes.
    struct GuestRename {
        var new: Int
        var old: Int
        var was: GuestPCIAddress
        var now: GuestPCIAddress?
    }

    /// Re-plans until no kept device is renamed in the guest, moving new bridges and ports behind
    /// every kept bus; nil with a `plan.cannotKeep` error when there is no such place.
    package mutating func keepGuestOrder(_ first: PlannedDomain, options: PlanOptions) -> (PlannedDomain?, [Diagnostic]) {
        let oldView = GuestView(old)
        var planned = first
        for _ in 0..<4 {
            let view = GuestView(planned)
            let renamed = guestRenames(planned, view, oldView)
            guard let r = renamed.first else { return (planned, []) }
            guard let moves = newControllerPlaces(planned, view, oldView), !moves.isEmpty else {
                return (nil, [cannotKeepGuestAddress(r, planned, view, count: renamed.count)])
            }
            pin(moves, planned)
            let (again, diags) = Planner.plan(new, options: options)
            guard var again, !diags.hasErrors else {
                return (nil, diags + [cannotKeepGuestAddress(r, planned, view, count: renamed.count)])
            }
            restoreControllerOptions(&again)
            let v = verify(again)
            if v.hasErrors { return (nil, v) }
            planned = again
        }
        let view = GuestView(planned)
        let renamed = guestRenames(planned, view, oldView)
        guard let r = renamed.first else { return (planned, []) }
        return (nil, [cannotKeepGuestAddress(r, planned, view, count: renamed.count)])
    }

    /// The old device a device of the plan keeps, when its libvirt address is OLD's.
    func keptOld(_ p: PlannedDomain, _ j: Int) -> Int? {
        let i = kept[j] ?? (j < new.devices.count ? pairing.newToOld[j] : nil)
        guard let i, let op = old.placements[i], let np = p.placements[j], op.address == np.address else { return nil }
        return i
    }

    /// The kept devices the plan renames in the guest: interfaces and disks first (their names
    /// change), then in guest address order.
    func guestRenames(_ p: PlannedDomain, _ view: GuestView, _ oldView: GuestView) -> [GuestRename] {
        let named = { (j: Int) in [.interface, .disk].contains(p.devices[j].kind) ? 0 : 1 }
        return p.placements.keys.compactMap { j -> GuestRename? in
            guard let i = keptOld(p, j), let was = oldView.address(of: i) else { return nil }
            let now = view.address(of: j)
            return now == was ? nil : GuestRename(new: j, old: i, was: was, now: now)
        }.sorted { (named($0.new), $0.was, $0.new) < (named($1.new), $1.was, $1.new) }
    }

    /// New bridges and ports whose place libvirt chose (not kept, not written in NEW).
    func movable(_ p: PlannedDomain) -> Set<Int> {
        Set(p.normalized.controllerOrder.filter { j in
            guard let m = p.devices[j].controller?.pciModel, GuestNumbering.role(m) == .bridge,
                  let pl = p.placements[j], keptOld(p, j) == nil, kept[j] == nil else { return false }
            if j < new.devices.count, pairing.newToOld[j] != nil { return false }
            switch pl.provenance {
            case .planned, .addedController: return true
            case .explicit, .chipset, .kept, .grouped: return false
            }
        })
    }

    /// Where the new controllers go: the top controller of every new subtree at a new address,
    /// and the root ports pciplan adds to carry a subtree that plugs into a port when no free port
    /// comes after every kept bus (a pcie-to-pci-bridge libvirt put into an early spare port).
    struct Places {
        /// Device index (in the plan) → its new address.
        var moves: [Int: PCIAddress] = [:]
        /// New root ports: their index and address.
        var carriers: [(index: Int, at: PCIAddress)] = []
        var isEmpty: Bool { moves.isEmpty }
    }

    /// A place for every new subtree of movable controllers, each after every kept bus in the
    /// firmware's walk; nil when one has none.
    func newControllerPlaces(_ p: PlannedDomain, _ view: GuestView, _ oldView: GuestView) -> Places? {
        let moving = movable(p)
        guard !moving.isEmpty else { return nil }
        let busOf = { (j: Int) in p.devices[j].controller?.index ?? -1 }
        let movingBuses = Set(moving.map(busOf))
        // Subtrees: a movable controller whose bus is not provided by another movable one.
        let roots = moving.filter { j in !movingBuses.contains(p.placements[j]?.address.bus ?? 0) }.sorted { busOf($0) < busOf($1) }
        var inSubtree: [Int: Int] = [:]   // bus index → its subtree's root bus
        for r in roots {
            var todo = [busOf(r)]
            while let b = todo.popLast() {
                inSubtree[b] = busOf(r)
                todo += moving.filter { p.placements[$0]?.address.bus == b }.map(busOf)
            }
        }
        var nodes = GuestView.nodes(p)
        var places = Places()
        var occupied: [PCIAddress: Int] = [:]
        for (k, pl) in p.placements where !roots.contains(k) { occupied[pl.address] = k }
        for a in reserved where occupied[a] == nil { occupied[a] = -1 }
        var nextIndex = (p.normalized.controllerOrder.compactMap { p.devices[$0].isPCIController ? p.devices[$0].controller?.index : nil }.max() ?? 0) + 1
        func move(_ bus: Int, to a: PCIAddress, in n: inout [GuestNumbering.Node]) {
            guard let k = n.firstIndex(where: { $0.index == bus }) else { return }
            n[k].parent = a.bus
            n[k].slot = a.slot
            n[k].function = a.function
        }
        for r in roots {
            let pending = Set(roots.filter { $0 != r && places.moves[$0] == nil }.map(busOf))
            let base = nodes.filter { n in !pending.contains(inSubtree[n.index] ?? -1) }
            let first = { (flags: ConnectFlags, trial: (PCIAddress) -> [GuestNumbering.Node]) -> PCIAddress? in
                self.candidates(p, view, flags: flags, excluding: Set(inSubtree.keys), occupied: occupied).first { a in
                    self.keepsGuestNumbers(GuestNumbering(trial(a)), p, oldView)
                }
            }
            if let a = first(p.devices[r].flags, { a in var t = base; move(busOf(r), to: a, in: &t); return t }) {
                places.moves[r] = a
                occupied[a] = r
                move(busOf(r), to: a, in: &nodes)
                continue
            }
            // A subtree that plugs into a port (a pcie-to-pci-bridge, a switch) gets a root port
            // of its own at the end of the walk.
            let carrier = ControllerModel.pcieRootPort
            guard p.family.descriptor.pciExpress, !p.devices[r].flags.intersection(carrier.busFlags(hotplug: true)).intersection(.typesMask).isEmpty,
                  nextIndex <= 255 else { return nil }
            let c = nextIndex
            let inside = PCIAddress(bus: c, slot: 0)
            let withCarrier = { (a: PCIAddress) -> [GuestNumbering.Node] in
                var t = base + [GuestNumbering.Node(index: c, model: carrier, parent: a.bus, slot: a.slot, function: a.function, busNr: nil)]
                move(busOf(r), to: inside, in: &t)
                return t
            }
            guard let a = first(carrier.connectFlags, withCarrier) else { return nil }
            nextIndex += 1
            places.carriers.append((c, a))
            places.moves[r] = inside
            occupied[a] = -1
            nodes = withCarrier(a) + nodes.filter { n in pending.contains(inSubtree[n.index] ?? -1) }
        }
        return places
    }

    /// Whether every kept device keeps its guest bus number under `numbering`.
    func keepsGuestNumbers(_ numbering: GuestNumbering, _ p: PlannedDomain, _ oldView: GuestView) -> Bool {
        if numbering.overflows.count > oldView.overflows.count { return false }
        let over = Set(numbering.overflows.flatMap(\.buses))
        for j in p.placements.keys {
            guard let i = keptOld(p, j), let was = oldView.address(of: i), let a = p.placements[j]?.address else { continue }
            if over.contains(a.bus) || numbering.numbers[a.bus] != was.bus { return false }
        }
        return true
    }

    /// The free places a controller with `flags` may take, in the order they are tried: the buses in guest
    /// number order (the root bus first), each slot and function in order. Never the chipset's
    /// slot of bus 0; a root port may join a slot whose function 0 already has
    /// `multifunction='on'` (so no kept device's bit changes), anything else needs an empty slot.
    func candidates(_ p: PlannedDomain, _ view: GuestView, flags: ConnectFlags, excluding: Set<Int>, occupied: [PCIAddress: Int]) -> [PCIAddress] {
        let aggregate = flags.contains(.aggregateSlot)
        var usedSlots: [SlotKey: [Int: Int]] = [:]   // slot → function → device
        for (a, k) in occupied { usedSlots[a.slotKey, default: [:]][a.function] = k }
        let buses = p.normalized.controllerOrder.compactMap { i -> (Int, ControllerModel)? in
            guard let c = p.devices[i].controller, c.type == "pci", let idx = c.index, let m = c.pciModel,
                  !excluding.contains(idx), p.placements[i] != nil || m.isRoot else { return nil }
            return (idx, m)
        }.sorted { (view.busNumber($0.0) ?? 1000, $0.0) < (view.busNumber($1.0) ?? 1000, $1.0) }
        var out: [PCIAddress] = []
        for (b, m) in buses where !flags.intersection(m.busFlags(hotplug: true)).intersection(.typesMask).isEmpty {
            for s in m.minSlot...m.maxSlot where !(b == 0 && s == p.family.descriptor.chipsetSlot) {
                let used = usedSlots[PCIAddress(bus: b, slot: s).slotKey] ?? [:]
                if used.isEmpty {
                    out.append(PCIAddress(bus: b, slot: s))
                    continue
                }
                guard aggregate, let z = used[0], z >= 0, p.placements[z]?.multifunction == .on,
                      used.values.allSatisfy({ $0 >= 0 && p.devices[$0].flags.contains(.aggregateSlot) }) else { continue }
                for f in 1...7 where used[f] == nil { out.append(PCIAddress(bus: b, slot: s, function: f)) }
            }
        }
        return out
    }

    /// Writes the chosen places into NEW: each subtree's top controller at its new address, the
    /// controllers behind it where they are; controllers only libvirt's dry run added become
    /// added devices of NEW.
    mutating func pin(_ places: Places, _ p: PlannedDomain) {
        let moves = places.moves
        for (c, a) in places.carriers {
            var d = Device.pciController(index: c, model: .pcieRootPort,
                                         origin: .added("plan --keep adds it to carry a new controller after every kept bus"))
            d.address = .pci(a, multifunction: .absent)
            d.keptReason = "plan --keep puts it at \(a), where the firmware enumerates it after every kept bus, so no kept device's guest address changes"
            new.devices.append(d)
            new.controllerOrder.append(new.devices.count - 1)
        }
        let moving = movable(p)
        for j in p.normalized.controllerOrder where moving.contains(j) {
            guard let pl = p.placements[j], let c = p.devices[j].controller, let idx = c.index, let m = c.pciModel else { continue }
            let a = moves[j] ?? pl.address
            let reason = moves[j].map { "'\(newName)' needs it, and plan --keep puts it at \($0), where the firmware enumerates it after every kept bus, so no kept device's guest address changes (libvirt's first fit would give it \(pl.address))" }
                ?? "'\(newName)' needs it behind a controller plan --keep placed after every kept bus"
            let mf: Tristate = a == pl.address ? pl.multifunction : .absent
            if j < new.devices.count {
                new.devices[j].address = .pci(a, multifunction: mf)
                new.devices[j].keptReason = reason
            } else {
                let why: String
                if case .added(let w) = p.devices[j].origin { why = w } else { why = "libvirt's dry run adds it" }
                var d = Device.pciController(index: idx, model: m, origin: .added(why))
                d.controller?.hotplug = c.hotplug
                d.address = .pci(a, multifunction: mf)
                d.keptReason = reason
                new.devices.append(d)
                new.controllerOrder.append(new.devices.count - 1)
            }
        }
    }

    /// NEW's `<devices>` start tag, where notes about controllers only libvirt adds point.
    var devicesRange: SourceRange? {
        new.definition.devicesElement.map { SourceRange(file: newName, startTagOf: $0) }
    }

    /// `plan.cannotKeep` for a kept device the guest would rename.
    func cannotKeepGuestAddress(_ r: GuestRename, _ p: PlannedDomain, _ view: GuestView, count: Int) -> Diagnostic {
        var cause: (label: String, address: PCIAddress, written: Bool, model: String?, why: String, at: SourceRange?)?
        if let bus = p.placements[r.new]?.address.bus, let b = ABIComparison.predecessors(view, bus).first(where: { b in
            p.normalized.pciController(index: b).map { keptOld(p, $0) == nil && kept[$0] == nil } ?? false
        }), let c = p.normalized.pciController(index: b), let pl = p.placements[c] {
            cause = (ABIComparison.label(p, c), pl.address, !movable(p).contains(c), p.devices[c].controller?.model,
                     pl.provenance.detail, c < new.devices.count ? newRange(c) : devicesRange)
        }
        let (o, n) = (GuestView(old).nicNames(r.old), view.nicNames(r.new))
        return .keepGuestAddress(ABIComparison.label(p, r.new), was: r.was, now: r.now, names: o.map { ($0.path, n?.path) },
                                 more: count - 1, cause: cause, old: old.normalized.definition.file.name, new: newName,
                                 at: r.new < new.devices.count ? newRange(r.new) : nil, oldAt: oldRange(r.old))
    }
}
