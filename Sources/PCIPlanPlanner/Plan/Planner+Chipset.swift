import PCIPlanModel
import PCIPlanSource

/// Chipset-fixed addresses (libvirt qemuDomainValidateDevicePCISlotsPIIX3 / …Q35).
extension Planner {
    mutating func store(_ i: Int, _ a: PCIAddress, multi: Tristate = .absent, _ p: Provenance) {
        var pl = Placement(address: a, multifunction: multi, provenance: p)
        if case .explicit = p {} else {
            sequence += 1
            pl.sequence = sequence
        }
        stored[i] = pl
    }

    mutating func chipset(_ set: inout PCIAddressSet) throws(Failure) {
        switch family.descriptor.chipset {
        case .piix3: try chipsetPIIX3(&set)
        case .ich9: try chipsetQ35(&set)
        // The virt boards' gpex has nothing libvirt reserves (qemuDomainValidateDevicePCISlotsChipsets
        // handles i440fx and q35 only): the primary video is placed in class order like any video.
        case .gpex: break
        }
    }

    var primaryVideo: Int? {
        guard let v = videoOrder.first, !devices[v].flags.isEmpty else { return nil }
        return v
    }

    mutating func reserveFixed(_ set: inout PCIAddressSet, _ a: PCIAddress, flags: ConnectFlags, device: Int?) throws(Failure) {
        guard set.count > 0 else { return }
        do { try set.reserve(a, flags: flags, fromConfig: true) } catch {
            var e = error
            if e.kind == .inUse, device == nil {
                e.libvirtMessage += " (reserved by the chipset)"
            }
            // Report against the device that holds the chipset's address.
            // The smallest matching index: `stored` is a dictionary, whose order varies by run.
            let holder = stored.filter { $0.value.address == a && $0.key != device }.keys.min()
            throw fail(holder ?? device, e, id: holder != nil ? .addressReserved : nil, explicit: true)
        }
    }

    mutating func chipsetPIIX3(_ set: inout PCIAddressSet) throws(Failure) {
        let flags: ConnectFlags = [.autoAssign, .pciDevice]
        for i in controllerOrder {
            guard let c = devices[i].controller else { continue }
            let fixed: PCIAddress
            let what: String
            if c.type == "ide" && c.index == 0 {
                fixed = PCIAddress(bus: 0, slot: 1, function: 1); what = "Primary IDE controller must have PCI address 0:0:1.1"
            } else if c.type == "usb" && c.index == 0 && (c.model == "piix3-uhci" || c.model == nil) {
                fixed = PCIAddress(bus: 0, slot: 1, function: 2); what = "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2"
            } else { continue }
            if let s = stored[i] {
                if s.address != fixed {
                    diags.append(.chipsetFixedPlanned(devices[i].name, chip: "PIIX3", fixed: fixed, placed: s.address, libvirt: what, at: range(of: i)))
                    throw Failure()
                }
            } else {
                store(i, fixed, .chipset("built into the PIIX3 chipset at \(fixed)"))
            }
            try reserveFixed(&set, fixed, flags: flags, device: i)
        }
        if set.count > 0 {
            try reserveFixed(&set, PCIAddress(bus: 0, slot: 1, function: 0), flags: flags, device: nil)
            try reserveFixed(&set, PCIAddress(bus: 0, slot: 1, function: 3), flags: flags, device: nil)
        }
        try primaryVideo(&set, slot: family.descriptor.primaryVideoSlot, flags: flags)
    }

    mutating func primaryVideo(_ set: inout PCIAddressSet, slot: Int?, flags: ConnectFlags) throws(Failure) {
        guard let slot, let v = primaryVideo, wants(v) else { return }
        let a = PCIAddress(bus: 0, slot: slot)
        if let e = set.validate(a, flags: flags, fromConfig: true) { throw fail(v, e, explicit: false) }
        if set.slotInUse(a) {
            do {
                let got = try set.reserveNext(flags: devices[v].flags)
                if !set.dryRun { store(v, got, .planned(step: "primary video: slot \(hex(slot, 2)) is taken, so first free slot")) }
            } catch { throw fail(v, error, explicit: false) }
        } else {
            try reserveFixed(&set, a, flags: flags, device: v)
            store(v, a, .chipset("the primary video takes slot \(hex(slot, 2)) of bus 0 (\(family.descriptor.primaryVideoReason))"))
        }
    }

    mutating func chipsetQ35(_ set: inout PCIAddressSet) throws(Failure) {
        let flags: ConnectFlags = [.pcieDevice]
        for i in controllerOrder {
            guard let c = devices[i].controller else { continue }
            if c.type == "sata" && c.index == 0 {
                let fixed = PCIAddress(bus: 0, slot: 0x1f, function: 2)
                if let s = stored[i] {
                    if s.address != fixed {
                        diags.append(.chipsetFixedPlanned("the primary SATA controller", chip: "ICH9", fixed: fixed, placed: s.address,
                                                          libvirt: "Primary SATA controller must have PCI address 0:0:1f.2", at: range(of: i)))
                        throw Failure()
                    }
                } else {
                    store(i, fixed, .chipset("built into the ICH9 chipset (AHCI) at \(fixed)"))
                }
            } else if c.type == "usb" && c.model == "ich9-uhci1" && devices[i].address == .none && !stored.contains(i) {
                for slot in [0x1d, 0x1a] {
                    let a = PCIAddress(bus: 0, slot: slot)
                    if !set.slotInUse(a) {
                        try reserveFixed(&set, a, flags: flags, device: i)
                        store(i, a, multi: .on, .chipset("ICH9 USB2 UHCI1 goes to slot \(hex(slot, 2)) as on real q35 hardware"))
                        break
                    }
                }
            } else if c.type == "pci" && c.pciModel == .dmiToPCIBridge && devices[i].address == .none && !stored.contains(i) {
                let a = PCIAddress(bus: 0, slot: 0x1e)
                if !set.slotInUse(a) {
                    try reserveFixed(&set, a, flags: flags, device: i)
                    store(i, a, .chipset("a dmi-to-pci-bridge goes to slot 1e as on real q35 hardware"))
                }
            }
        }
        if set.count > 0 {
            try reserveFixed(&set, PCIAddress(bus: 0, slot: 0x1f, function: 0), flags: flags, device: nil)
            try reserveFixed(&set, PCIAddress(bus: 0, slot: 0x1f, function: 3), flags: flags, device: nil)
        }
        try primaryVideo(&set, slot: family.descriptor.primaryVideoSlot, flags: flags)
        let hda = PCIAddress(bus: 0, slot: 0x1b)
        if !set.slotInUse(hda) {
            if let s = devices.indices.first(where: { devices[$0].kind == .sound && devices[$0].model == "ich9" && wants($0) }) {
                try reserveFixed(&set, hda, flags: flags, device: s)
                store(s, hda, .chipset("ICH9 HD audio sits at slot 1b as on real q35 hardware"))
            }
        }
    }
}
