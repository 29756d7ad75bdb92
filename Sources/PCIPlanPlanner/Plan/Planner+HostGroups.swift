import PCIPlanModel
import PCIPlanSource

/// Which host devices `plan --group-host-functions` puts together, decided once before the
/// passes (the dry run and the real pass place them the same way).
struct HostGrouping {
    /// One function of a group, other than function 0.
    struct Member {
        var device: Int
        var function: Int
    }
    /// Function 0's device → the other functions of its host slot, placed with it.
    var groups: [Int: [Member]] = [:]
    /// Devices placed together with their function 0 (skipped at their own turn).
    var members: Set<Int> = []
    /// Devices that join the written (or kept) guest slot of their host function 0.
    var joins: [Int: PCIAddress] = [:]
}

/// `plan --group-host-functions`: the functions of one host slot share one guest slot.
///
/// libvirt gives every host device a slot of its own at function 0, so a GPU and its HDMI
/// audio function become two single-function devices in the guest; drivers that expect them as
/// functions of one device (and guests that should see the card as it is) want the host's
/// layout. With the option, PCI host devices without a guest address group by host slot
/// (domain:bus:slot): at the turn of the one that is function 0 of its host slot, it takes the
/// slot libvirt's first fit gives it (behind a root port on q35, as libvirt would place it
/// alone), with `multifunction='on'`, and its siblings take the same guest slot at their host
/// function numbers. The result has explicit addresses, which libvirt stores unchanged.
///
/// Rules, and why:
/// - Devices with a written guest address are left alone: the user placed them.
/// - A host slot whose function 0 is not passed through is not grouped (a `plan.hostGroup`
///   warning): keeping the host's numbers would leave the guest slot without function 0, and a
///   guest does not scan such a slot, so the devices would vanish; renumbering them would
///   break the promise of host function numbers. Each gets its own slot, as libvirt gives it.
/// - When function 0 has a written (or `--keep`-kept) address at function 0 of a
///   multifunction slot whose other written functions are its host siblings at their host
///   numbers, the siblings without an address join that slot: a function added later, or the
///   rest of a group `--keep` carries over, stays with its group.
extension Planner {
    /// PCI host devices in libvirt's order: `<interface type='hostdev'>` first, then `<hostdev>`.
    func hostDeviceOrder(_ classes: DeviceClasses) -> [Int] {
        classes[.interface].filter { devices[$0].subtype == "hostdev" } + classes[.hostdev]
    }

    mutating func formHostGroups() {
        var bySlot: [SlotKey: [Int]] = [:]
        var slotOrder: [SlotKey] = []
        for i in hostDeviceOrder(DeviceClasses(devices)) where !devices[i].flags.isEmpty {
            if case .other = devices[i].address { continue }
            guard let host = devices[i].hostPCIFunction else { continue }
            if bySlot[host.slotKey] == nil { slotOrder.append(host.slotKey) }
            bySlot[host.slotKey, default: []].append(i)
        }
        for key in slotOrder {
            guard let all = bySlot[key], all.count >= 2 else { continue }
            let open = all.filter { wants($0) }
            let written = all.filter { stored[$0] != nil }
            guard !open.isEmpty else { continue }
            if let zero = open.first(where: { hostFunction($0) == 0 }) {
                guard open.count >= 2 else { continue }
                let others = open.filter { $0 != zero }.map { HostGrouping.Member(device: $0, function: hostFunction($0)) }
                hostGrouping.groups[zero] = others.sorted { $0.function < $1.function }
                hostGrouping.members.formUnion(others.map(\.device))
            } else if let zero = written.first(where: { hostFunction($0) == 0 }) {
                join(open, writtenZero: zero, written: written, slot: key)
            } else if open.count >= 2 {
                let list = open.map { devices[$0].hostPCIFunction?.description ?? "?" }
                diags.append(.hostGroupWithoutFunctionZero(list, hostSlot: key.description, at: elementRange(of: open[0])))
            }
        }
    }

    func hostFunction(_ i: Int) -> Int { devices[i].hostPCIFunction?.function ?? 0 }

    /// The siblings without an address of a function 0 that has a written guest address join
    /// its slot when that slot is their group's.
    private mutating func join(_ open: [Int], writtenZero zero: Int, written: [Int], slot key: SlotKey) {
        guard let zp = stored[zero] else { return }
        let slot = zp.address.slotKey
        let siblingsInPlace = written.allSatisfy { stored[$0]?.address.slotKey == slot && stored[$0]?.address.function == hostFunction($0) }
        let multifunction = zp.multifunction == .on || (zp.multifunction == .absent && written.count >= 2)
        let zeroName = "\(devices[zero].name) (function 0 of host slot \(key.description))"
        guard zp.address.function == 0, siblingsInPlace, multifunction else {
            let why = zp.address.function != 0 || !siblingsInPlace
                ? "which is not function 0 of a slot holding its host functions at their host numbers"
                : "without multifunction='on'"
            for i in open {
                diags.append(.hostGroupNotJoined(devices[i].hostPCIFunction?.description ?? "?", zero: devices[zero].name, zeroLabel: zeroName,
                                                 zeroAt: elementRange(of: zero), written: zp.address, why: why,
                                                 lacksMultifunction: why.hasPrefix("without"), hostSlot: key.description,
                                                 at: elementRange(of: i)))
            }
            return
        }
        for i in open {
            let target = PCIAddress(domain: zp.address.domain, bus: zp.address.bus, slot: zp.address.slot, function: hostFunction(i))
            // The smallest matching index: `stored` is a dictionary, whose order varies by run.
            if let other = stored.filter({ $0.value.address == target }).keys.min() {
                diags.append(.hostGroupSlotTaken(devices[i].hostPCIFunction?.description ?? "?", zeroLabel: zeroName, target: target,
                                                 other: devices[other].name, otherAt: elementRange(of: other), at: elementRange(of: i)))
                continue
            }
            hostGrouping.joins[i] = target
        }
    }

    /// Function 0 takes libvirt's first fit for it; the other functions the same slot.
    mutating func placeHostGroup(_ set: inout PCIAddressSet, lead: Int, others: [HostGrouping.Member], store doStore: Bool) throws(Failure) {
        let before = set.count
        let a: PCIAddress
        do { a = try set.reserveNext(flags: devices[lead].flags) } catch { throw fail(lead, error, explicit: false) }
        for m in others {
            let f = PCIAddress(domain: a.domain, bus: a.bus, slot: a.slot, function: m.function)
            do { try set.reserve(f, flags: devices[m.device].flags, fromConfig: false) } catch { throw fail(m.device, error, explicit: false) }
        }
        noteGrowth(before..<set.count, cause: lead) { p in
            "\(p.devices[lead].name)\(p.devices[lead].alias.map { " (\($0))" } ?? "") and its host functions need a \(p.devices[lead].flags.kindDescription) slot and none was free"
        }
        guard doStore else { return }
        let hostSlot = devices[lead].hostPCIFunction?.slotDescription ?? "?"
        let functions = others.map { String($0.function) }.joined(separator: ", ")
        store(lead, a, multi: .on, .grouped(
            "function 0 of host slot \(hostSlot) takes libvirt's first free slot for a host device (host devices come after virtio disks), with multifunction='on' because its host function\(others.count == 1 ? "" : "s") \(functions) share\(others.count == 1 ? "s" : "") the slot"))
        for m in others {
            store(m.device, PCIAddress(domain: a.domain, bus: a.bus, slot: a.slot, function: m.function), .grouped(
                "function \(m.function) of host slot \(hostSlot) sits at function \(m.function) of the guest slot of \(devices[lead].name), its host function 0, as on the host"))
        }
    }

    mutating func joinHostGroup(_ set: inout PCIAddressSet, _ i: Int, at target: PCIAddress, store doStore: Bool) throws(Failure) {
        // The slot was chosen by a written address, and the output writes this one too: libvirt
        // validates both as addresses from the configuration (pcie-root takes them, say).
        do { try set.reserve(target, flags: devices[i].flags, fromConfig: true) } catch { throw fail(i, error, explicit: false) }
        guard doStore else { return }
        let hostSlot = devices[i].hostPCIFunction?.slotDescription ?? "?"
        store(i, target, .grouped(
            "function \(target.function) of host slot \(hostSlot) joins the guest slot \(target.slotDescription) of its host function 0, whose address is written, at function \(target.function), as on the host"))
    }
}
