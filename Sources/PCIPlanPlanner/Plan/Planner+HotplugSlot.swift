import PCIPlanModel
import PCIPlanSource

/// Hot-adding several devices as the functions of one slot (`attach --live --qmp`), which
/// libvirt 9.0 does not do: it hot-plugs function 0 only ("Only PCI device addresses with
/// function=0 are supported").
///
/// QEMU can: a device added to a function ≥ 1 of an empty slot waits, unseen, until function 0
/// arrives with `multifunction=on`; then QEMU announces the slot (PCI Express: the slot's
/// presence-detect event; ACPI and SHPC: the slot's hot-plug event) and the guest scans every
/// function. QEMU 7.2 refuses the other order for any hot-plugged device: "PCI: slot 0
/// function 0 already occupied by virtio-net-pci, new func virtio-rng-pci cannot be exposed to
/// guest." So the slot must be wholly empty, and function 0 comes last (`QMPRenderer`).
extension Planner {
    /// Places `attached` (at least two devices) into the running guest `n` as the functions of
    /// one empty slot.
    ///
    /// - Slot: when a device has an address, that slot (every device with an address must
    ///   name the same one); otherwise libvirt's live first fit asked for all the devices at
    ///   once: the first wholly empty slot of the lowest-numbered hot-pluggable bus that takes
    ///   every one of them. No controller is ever added (the guest is running).
    /// - Functions: the ones the devices' addresses give; the others get the lowest free
    ///   functions in the order of the device file. Function 0 must be among them.
    /// - `multifunction='on'` on function 0; `multifunction='off'` written on it is refused.
    public static func attachLiveSlot(_ n: NormalizedDomain, attached: [Int], options: PlanOptions = PlanOptions())
        -> (PlannedDomain?, [Diagnostic])
    {
        var p = livePlanner(n, attached: attached, options: options)
        let functions = p.slotFunctions(attached)
        if p.diags.hasErrors { return (nil, p.diags) }
        do {
            var set = try p.addressSet(dryRun: false)
            try p.hotplugSlot(attached, functions: functions, into: &set, acpi: n.definition.hasACPI)
        } catch {
            return (nil, p.diags)
        }
        return (p.planned(n), p.diags)
    }

    /// Each device's function (device index → function), or errors in `diags`.
    mutating func slotFunctions(_ attached: [Int]) -> [Int: Int] {
        func slotError(_ i: Int, _ message: String, fix: String? = nil) {
            diags.append(.attachSlotRefused(message, fix: fix, at: range(of: i)))
        }
        if attached.count > 8 {
            slotError(attached[8], "\(attached.count) devices cannot share one slot: a PCI slot has 8 functions",
                      fix: "hot-add at most 8 devices at a time")
        }
        for i in attached where devices[i].flags.isEmpty {
            slotError(i, "\(devices[i].name) takes no PCI slot in this configuration, so it cannot be a function of the new slot",
                      fix: "hot-add it on its own")
        }
        var functions: [Int: Int] = [:]
        var taken: [Int: Int] = [:]
        var slot: (SlotKey, Int)? = nil
        for i in attached {
            guard case .pci(let a, let m) = devices[i].address else { continue }
            if let (key, first) = slot, key != a.slotKey {
                slotError(i, "\(devices[i].name) asks for slot \(a.slotDescription), but \(devices[first].name) asks for slot \(key.description); the devices of one hot-add share one slot",
                          fix: "give every device the same slot, or remove the addresses")
            } else if slot == nil {
                slot = (a.slotKey, i)
            }
            if let other = taken[a.function] {
                slotError(i, "\(devices[i].name) and \(devices[other].name) both ask for function \(a.function)")
            }
            if a.function == 0 && m == .off {
                slotError(i, "\(devices[i].name) is function 0 with multifunction='off', but the other devices need it 'on'",
                          fix: "remove multifunction='off'")
            }
            taken[a.function] = i
            functions[i] = a.function
        }
        var free = (0..<8).filter { taken[$0] == nil }.makeIterator()
        for i in attached where functions[i] == nil {
            guard let f = free.next() else { break }
            functions[i] = f
        }
        if !functions.values.contains(0), let first = attached.first {
            slotError(first, "no device is function 0 of the new slot: QEMU announces a slot to the guest when function 0 is added, and a guest does not scan a slot without it",
                      fix: "give one device function 0, or remove the addresses")
        }
        return functions
    }

    /// Chooses the slot and reserves every function; function 0 gets `multifunction='on'`.
    mutating func hotplugSlot(_ attached: [Int], functions: [Int: Int], into set: inout PCIAddressSet, acpi: Bool) throws(Failure) {
        let written = attached.first { devices[$0].address.pciAddress != nil }
        let base: PCIAddress
        if let w = written, let a = devices[w].address.pciAddress {
            base = PCIAddress(domain: a.domain, bus: a.bus, slot: a.slot)
            for i in attached {
                let f = PCIAddress(domain: a.domain, bus: a.bus, slot: a.slot, function: functions[i] ?? 0)
                if let e = set.validate(f, flags: devices[i].flags.union(.hotpluggable), fromConfig: true) { throw hotplugFailure(i, e) }
            }
            if set.slotInUse(base) {
                let users = stored.filter { $0.value.address.slotKey == base.slotKey }.sorted { $0.value.address < $1.value.address }
                    .map { "\(devices[$0.key].name) at \($0.value.address)" }
                diags.append(.attachSlotInUse(base.slotDescription, users: users, at: range(of: w)))
                throw Failure()
            }
        } else {
            guard let found = emptyHotpluggableSlot(for: attached, in: set) else {
                let names = attached.map { "\(devices[$0].name) (\(devices[$0].flags.kindDescription))" }
                diags.append(.attachNoEmptySlot(for: names, at: attached.first.flatMap { range(of: $0) }))
                throw Failure()
            }
            base = found
        }
        let zero = attached.first { functions[$0] == 0 }
        let other = attached.first { functions[$0] != 0 }
        for i in attached {
            let a = PCIAddress(domain: base.domain, bus: base.bus, slot: base.slot, function: functions[i] ?? 0)
            do { try set.reserve(a, flags: devices[i].flags.union(.hotpluggable), fromConfig: true) } catch { throw hotplugFailure(i, error) }
            let multi: Tristate = i == zero ? .on : .absent
            if devices[i].address.pciAddress != nil {
                var p = Placement(address: a, multifunction: multi, provenance: .explicit)
                if multi == .on, let o = other { p.multifunctionDerivedFrom = PCIAddress(domain: a.domain, bus: a.bus, slot: a.slot, function: functions[o] ?? 1) }
                stored[i] = p
            } else {
                let slot = written == nil
                    ? "the first wholly empty slot of the lowest-numbered hot-pluggable bus that takes every device of the hot-add"
                    : "the slot the other devices' addresses name"
                store(i, a, multi: multi, .planned(step: "multifunction hot-add: \(slot), the lowest free function in the order of the device file"))
            }
        }
        if let z = zero { try refuseRootBusWithoutACPI(z, base, set: set, acpi: acpi) }
    }

    /// libvirt's live first fit, asked for all `devices` at once: the first slot with no
    /// function in use on the lowest-numbered bus that takes every one of them hot-plugged.
    func emptyHotpluggableSlot(for devices: [Int], in set: PCIAddressSet) -> PCIAddress? {
        for (b, bus) in set.buses.enumerated() {
            let first = PCIAddress(bus: b, slot: bus.minSlot)
            let takesAll = devices.allSatisfy {
                PCIAddressSet.compatible(first, busFlags: bus.flags, device: self.devices[$0].flags.union(.hotpluggable), fromConfig: false, describe: false) == nil
            }
            guard takesAll, bus.minSlot <= bus.maxSlot else { continue }
            if let slot = (bus.minSlot...bus.maxSlot).first(where: { bus.functions[$0] == 0 }) {
                return PCIAddress(bus: b, slot: slot)
            }
        }
        return nil
    }
}
