import PCIPlanModel
import PCIPlanSource

/// Multifunction slots (spec §7, §6.7): libvirt checks none of this; QEMU refuses a slot whose
/// function 0 says it is single-function while other functions are populated, and guests never
/// scan the other functions of a slot without function 0.
extension Checker {
    /// The functions in use in one slot: each function's first device (the lowest index),
    /// functions ascending.
    struct SlotFunctions {
        var entries: [(function: Int, device: Int)]
        /// The device at `function`, if any.
        subscript(function: Int) -> Int? { entries.first { $0.function == function }?.device }
        /// The functions in use, ascending.
        var keys: [Int] { entries.map(\.function) }
        /// Their devices, in function order.
        var values: [Int] { entries.map(\.device) }
    }

    /// The slots of `placed` (device, address) in slot order, each with its functions' first
    /// devices: one sort, where a dictionary of dictionaries hashed every address twice and was
    /// a tenth of checking a stored q35 domain (whose root ports share multifunction slots).
    static func slotTable(_ placed: [(device: Int, address: PCIAddress)]) -> [(SlotKey, SlotFunctions)] {
        let sorted = placed.sorted {
            ($0.address.slotKey, $0.address.function, $0.device) < ($1.address.slotKey, $1.address.function, $1.device)
        }
        var table: [(SlotKey, SlotFunctions)] = []
        for (device, address) in sorted {
            let key = address.slotKey
            if let last = table.last, last.0 == key {
                if last.1.entries.last?.function != address.function {
                    table[table.count - 1].1.entries.append((address.function, device))
                }
            } else {
                table.append((key, SlotFunctions(entries: [(address.function, device)])))
            }
        }
        return table
    }

    /// The slots of explicit addresses, function → device, in slot order (chipset slots left out).
    private static func explicitSlots(_ walk: AddressWalk) -> [(SlotKey, SlotFunctions)] {
        var all: [(device: Int, address: PCIAddress)] = []
        all.reserveCapacity(walk.placed.count + walk.predicted.count)
        for (i, a) in walk.placed where !walk.chipsetSlots.contains(a.slotKey) { all.append((i, a)) }
        // (an explicit address wins over a predicted one for the same device)
        for (i, a) in walk.predicted where walk.placed[i] == nil && !walk.chipsetSlots.contains(a.slotKey) { all.append((i, a)) }
        return slotTable(all)
    }

    /// The multifunction switch written on a device's `<address>`.
    static func multifunction(_ d: Device) -> Tristate {
        if case .pci(_, let m) = d.address { return m }
        return .absent
    }

    static func multifunctionChecks(_ c: CheckContext, walk: AddressWalk, options: PlanOptions) -> [Diagnostic] {
        var diags: [Diagnostic] = []
        for (key, fns) in explicitSlots(walk) {
            let others = fns.keys.filter { $0 != 0 }
            guard let firstFn = others.first, let other = fns[firstFn] else { continue }
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
                let value = c.devices[zero].addressElement?.attributeNode("multifunction").map { c.range($0.valueRange) }
                diags.append(.multifunctionOff(slot: key, zero: c.name(zero), others: others, firstUser: c.name(other),
                                               firstUserAt: c.addressTag(other), at: value ?? c.addressTag(zero), value: value))
            case .absent:
                if options.multifunction == .explicit {
                    diags.append(.multifunctionNotExplicit(slot: key, function: firstFn, zero: c.name(zero), zeroAt: c.addressTag(zero),
                        at: c.addressTag(other), insertion: c.devices[zero].addressElement.map { c.insertionPoint(in: $0) }))
                } else {
                    diags.append(.multifunctionDerived(slot: key, zero: c.name(zero), others: others, firstUser: c.name(other),
                                                       firstUserAt: c.addressTag(other), at: c.addressTag(zero)))
                }
            }
        }
        return diags
    }

    static func noFunctionZero(_ c: CheckContext, _ key: SlotKey, others: [Int], device other: Int) -> Diagnostic {
        let value = others.count == 1 ? c.devices[other].addressElement?.attributeNode("function").map { c.range($0.valueRange) } : nil
        return .multifunctionNoFunctionZero(slot: key, others: others, user: c.name(other), at: c.addressTag(other), functionValue: value)
    }

    /// For `check` after planning: explicit root ports at functions ≥ 1 of a slot whose
    /// function 0 the planner left empty (deferred by `multifunctionChecks`).
    static func aggregateFunctionZero(_ p: PlannedDomain) -> [Diagnostic] {
        // Only an explicit address at a function ≥ 1 can be reported: most domains have none.
        guard p.placements.values.contains(where: { $0.address.function != 0 && $0.provenance == .explicit }) else { return [] }
        let c = CheckContext(p.normalized)
        var diags: [Diagnostic] = []
        for (key, fns) in slotTable(p.placements.map { ($0.key, $0.value.address) }) where fns[0] == nil {
            guard fns.values.allSatisfy({ p.devices[$0].controller?.pciModel == .pcieRootPort }) else { continue }
            let others = fns.keys
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
        let slots = slotTable(p.placements.compactMap { chipset.contains($0.value.address.slotKey) ? nil : ($0.key, $0.value.address) })
        let fallback = c.n.definition.devicesElement.map { c.range($0.startTag) }
        var diags: [Diagnostic] = []
        for (key, fns) in slots {
            let others = fns.keys.filter { $0 != 0 }
            guard let firstFn = others.first, let other = fns[firstFn], let zero = fns[0],
                  p.placements[zero]?.multifunction != .on else { continue }
            let explicitZero = p.placements[zero]?.provenance == .explicit
            let zeroIs: Diagnostic.FunctionZero = explicitZero ? .explicit : c.devices[zero].element == nil ? .added : .planned(c.name(zero))
            diags.append(.multifunctionNotExplicitPlanned(slot: key, function: firstFn, zeroName: c.name(zero), zero: zeroIs,
                at: c.addressTag(other) ?? c.addressTag(zero) ?? fallback,
                insertion: explicitZero ? c.devices[zero].addressElement.map { c.insertionPoint(in: $0) } : nil))
        }
        return diags
    }
}
