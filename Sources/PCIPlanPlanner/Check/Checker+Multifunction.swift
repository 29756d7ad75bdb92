import PCIPlanModel
import PCIPlanSource

/// Multifunction slots (spec §7, §6.7): libvirt checks none of this; QEMU refuses a slot whose
/// function 0 says it is single-function while other functions are populated, and guests never
/// scan the other functions of a slot without function 0.
extension Checker {
    /// The slots of explicit addresses, function → device, in slot order (chipset slots left out).
    private static func explicitSlots(_ walk: AddressWalk) -> [(SlotKey, [Int: Int])] {
        var slots: [SlotKey: [Int: Int]] = [:]
        let all = walk.placed.merging(walk.predicted) { explicit, _ in explicit }
        for (i, a) in all.sorted(by: { $0.key < $1.key }) where !walk.chipsetSlots.contains(a.slotKey) {
            if slots[a.slotKey]?[a.function] == nil { slots[a.slotKey, default: [:]][a.function] = i }
        }
        return slots.sorted { $0.key < $1.key }
    }

    /// The multifunction switch written on a device's `<address>`.
    static func multifunction(_ d: Device) -> Tristate {
        if case .pci(_, let m) = d.address { return m }
        return .absent
    }

    /// `function 1`, `functions 1 and 3`, `functions 1, 2 and 7`.
    static func functionList(_ fns: [Int]) -> String {
        let s = fns.map(String.init)
        guard s.count > 1 else { return "function \(s.first ?? "?")" }
        return "functions " + s.dropLast().joined(separator: ", ") + " and " + (s.last ?? "")
    }

    /// QEMU's slot.function form in its messages (`4.1`, `1a.0`).
    static func qemuFn(_ slot: Int, _ fn: Int) -> String { "\(String(slot, radix: 16)).\(fn)" }

    static func multifunctionChecks(_ c: CheckContext, walk: AddressWalk, options: PlanOptions) -> [Diagnostic] {
        var diags: [Diagnostic] = []
        for (key, fns) in explicitSlots(walk) {
            let others = fns.keys.filter { $0 != 0 }.sorted()
            guard let firstFn = others.first, let other = fns[firstFn] else { continue }
            let otherNote = Diagnostic.Note("\(c.name(other)) uses function \(firstFn) here", at: c.addressTag(other))
            guard let zero = fns[0] else {
                // A slot a root port opened is aggregate: the planner may still put a root
                // port at its function 0, so that case is judged after planning.
                if key.bus < walk.set.count, walk.set.buses[key.bus].aggregate[key.slot] { continue }
                diags.append(noFunctionZero(c, key, others: others, device: other))
                continue
            }
            // libvirt stores multifunction='on' on the ich9-uhci1 it places at function 0.
            switch walk.predicted[zero] != nil ? .on : multifunction(c.devices[zero]) {
            case .on:
                break
            case .off:
                let attr = c.devices[zero].addressElement?.attributeNode("multifunction")
                diags.append(Diagnostic(.multifunctionOff, .error,
                    "function 0 of slot \(key.description) (\(c.name(zero))) says multifunction='off', but \(functionList(others)) \(others.count == 1 ? "is" : "are") in use",
                    at: attr.map { c.range($0.valueRange) } ?? c.addressTag(zero),
                    notes: [otherNote, .qemuRefuses("PCI: \(qemuFn(key.slot, 0)) indicates single function, but \(qemuFn(key.slot, firstFn)) is already populated.")],
                    fixIts: attr.map { [FixIt("write multifunction='on'", range: c.range($0.valueRange), replacement: "on")] } ?? []))
            case .absent:
                let zeroNote = Diagnostic.Note("function 0 (\(c.name(zero))) is declared here", at: c.addressTag(zero))
                if options.multifunction == .explicit {
                    let fix = c.devices[zero].addressElement.map {
                        [FixIt("add multifunction='on' to function 0", range: c.insertionPoint(in: $0), replacement: " multifunction='on'")]
                    } ?? []
                    diags.append(Diagnostic(.multifunctionNotExplicit, .error,
                        "PCI address \(PCIAddress(bus: key.bus, slot: key.slot, function: firstFn)) is used but function 0 of slot \(key.description) does not set multifunction='on'",
                        at: c.addressTag(other),
                        notes: [zeroNote, .init("--multifunction explicit derives nothing; without multifunction='on' QEMU refuses to start: PCI: single function device can't be populated in function \(qemuFn(key.slot, firstFn))")],
                        fixIts: fix))
                } else {
                    diags.append(Diagnostic(.multifunctionDerived, .note,
                        "libvirt sets multifunction='on' on function 0 of slot \(key.description) (\(c.name(zero))) because \(functionList(others)) \(others.count == 1 ? "is" : "are") in use, and stores it in the definition",
                        at: c.addressTag(zero), notes: [otherNote]))
                }
            }
        }
        return diags
    }

    static func noFunctionZero(_ c: CheckContext, _ key: SlotKey, others: [Int], device other: Int) -> Diagnostic {
        var fixes: [FixIt] = []
        if others.count == 1, let fn = c.devices[other].addressElement?.attributeNode("function") {
            fixes.append(FixIt("make it function='0x0'", range: c.range(fn.valueRange), replacement: "0x0"))
        }
        return Diagnostic(.multifunctionNoFunctionZero, .warning,
            "slot \(key.description) uses \(functionList(others)) but has no function 0; most guests never scan a slot whose function 0 is empty, so they will not see \(c.name(other))",
            at: c.addressTag(other), fixIts: fixes)
    }

    /// For `check` after planning: explicit root ports at functions ≥ 1 of a slot whose
    /// function 0 the planner left empty (deferred by `multifunctionChecks`).
    static func aggregateFunctionZero(_ p: PlannedDomain) -> [Diagnostic] {
        let c = CheckContext(p.normalized)
        var slots: [SlotKey: [Int: Int]] = [:]
        for (i, pl) in p.placements.sorted(by: { $0.key < $1.key }) {
            if slots[pl.address.slotKey]?[pl.address.function] == nil { slots[pl.address.slotKey, default: [:]][pl.address.function] = i }
        }
        var diags: [Diagnostic] = []
        for (key, fns) in slots.sorted(by: { $0.key < $1.key }) where fns[0] == nil {
            guard fns.values.allSatisfy({ p.devices[$0].controller?.pciModel == .pcieRootPort }) else { continue }
            let others = fns.keys.sorted()
            guard let first = others.first, let other = fns[first], p.placements[other]?.provenance == .explicit else { continue }
            diags.append(noFunctionZero(c, key, others: others, device: other))
        }
        return diags
    }

    /// `--multifunction explicit` on the planned result: slots where functions ≥ 1 are in use
    /// and function 0 lacks `multifunction='on'` (explicit ones too, for `plan`).
    static func explicitMultifunctionAfterPlan(_ p: PlannedDomain) -> [Diagnostic] {
        let c = CheckContext(p.normalized)
        let chipset = Set([AddressWalk.isaBridge(of: p.family.descriptor.chipset)].compactMap { $0?.slotKey })
        var slots: [SlotKey: [Int: Int]] = [:]
        for (i, pl) in p.placements.sorted(by: { $0.key < $1.key }) where !chipset.contains(pl.address.slotKey) {
            if slots[pl.address.slotKey]?[pl.address.function] == nil { slots[pl.address.slotKey, default: [:]][pl.address.function] = i }
        }
        let fallback = c.n.definition.devicesElement.map { c.range($0.startTag) }
        var diags: [Diagnostic] = []
        for (key, fns) in slots.sorted(by: { $0.key < $1.key }) {
            let others = fns.keys.filter { $0 != 0 }.sorted()
            guard let firstFn = others.first, let other = fns[firstFn], let zero = fns[0],
                  p.placements[zero]?.multifunction != .on else { continue }
            let explicitZero = p.placements[zero]?.provenance == .explicit
            let fix = explicitZero ? c.devices[zero].addressElement.map {
                [FixIt("add multifunction='on' to function 0", range: c.insertionPoint(in: $0), replacement: " multifunction='on'")]
            } ?? [] : []
            let how: String
            if explicitZero {
                how = ""
            } else if c.devices[zero].element == nil {
                how = "; the planner packs the controllers libvirt adds into this slot: declare them with explicit addresses and multifunction='on', or use --multifunction libvirt"
            } else {
                how = "; give \(c.name(zero)) an explicit address with multifunction='on', or use --multifunction libvirt"
            }
            diags.append(Diagnostic(.multifunctionNotExplicit, .error,
                "PCI address \(PCIAddress(bus: key.bus, slot: key.slot, function: firstFn)) is used but function 0 of slot \(key.description) (\(c.name(zero))) does not set multifunction='on'\(how)",
                at: c.addressTag(other) ?? c.addressTag(zero) ?? fallback,
                notes: [.init("--multifunction explicit derives nothing; without multifunction='on' QEMU refuses to start: PCI: single function device can't be populated in function \(qemuFn(key.slot, firstFn))")],
                fixIts: fix))
        }
        return diags
    }
}
