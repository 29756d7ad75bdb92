import PCIPlanModel
import PCIPlanSource

/// Chipset functions (spec §4): the PIIX3 of a pc machine at 00:01.x and the ICH9 parts of a
/// q35 machine at 00:1f.x, which libvirt reserves and QEMU builds in, and the controllers that
/// must sit there.
extension AddressWalk {
    static let piix3ISA = PCIAddress(bus: 0, slot: 1, function: 0)
    static let piix3IDE = PCIAddress(bus: 0, slot: 1, function: 1)
    static let piix3USB = PCIAddress(bus: 0, slot: 1, function: 2)
    static let piix4PM = PCIAddress(bus: 0, slot: 1, function: 3)
    static let ich9LPC = PCIAddress(bus: 0, slot: 0x1f, function: 0)
    static let ich9SATA = PCIAddress(bus: 0, slot: 0x1f, function: 2)
    static let ich9SMBus = PCIAddress(bus: 0, slot: 0x1f, function: 3)

    /// The chipset's ISA bridge, function 0 of the slot the chipset owns (the virt boards'
    /// gpex has none).
    static func isaBridge(of chipset: MachineDescriptor.Chipset) -> PCIAddress? {
        switch chipset {
        case .piix3: piix3ISA
        case .ich9: ich9LPC
        case .gpex: nil
        }
    }

    /// The controller of `type` with index 0.
    func controllerZero(_ type: String) -> Int? {
        c.n.controllerOrder.first { c.devices[$0].controller?.type == type && c.devices[$0].controller?.index == 0 }
    }

    /// USB controller 0 when it is the PIIX3's own UHCI function.
    var piix3USBController: Int? {
        c.n.controllerOrder.first {
            guard let u = c.devices[$0].controller, u.type == "usb", u.index == 0 else { return false }
            return u.model == "piix3-uhci" || u.model == nil
        }
    }

    /// Whether device `j` is a controller built into the chipset (IDE 0 and PIIX3 USB 0 on pc,
    /// SATA 0 on q35).
    func isFixedChipsetController(_ j: Int) -> Bool {
        switch c.machine.chipset {
        case .piix3: j == controllerZero("ide") || j == piix3USBController
        case .ich9: j == controllerZero("sata")
        case .gpex: false
        }
    }

    /// Marks the chipset's functions as used before the explicit addresses are collected, so a
    /// device placed on one of them is reported against the chipset part it collides with.
    mutating func reserveChipset() {
        guard set.count > 0 else { return }
        func hold(_ a: PCIAddress, _ o: Owner) {
            set.buses[0].functions[a.slot] |= UInt8(1 << a.function)
            owners[a] = o
        }
        func atFixed(_ j: Int?, _ fixed: PCIAddress) -> Int? {
            guard let j else { return nil }
            switch c.devices[j].address {
            case .pci(let a, _): return a == fixed ? j : nil
            default: return j
            }
        }
        switch c.machine.chipset {
        case .piix3:
            hold(Self.piix3ISA, .chipset("the PIIX3 ISA bridge built into the pc machine"))
            hold(Self.piix3IDE, atFixed(controllerZero("ide"), Self.piix3IDE).map { .device($0) }
                 ?? .chipset("the PIIX3 IDE function built into the pc machine"))
            if let u = atFixed(piix3USBController, Self.piix3USB) { hold(Self.piix3USB, .device(u)) }
            hold(Self.piix4PM, .chipset("the PIIX4 ACPI power-management function built into the pc machine"))
            chipsetSlots.insert(Self.piix3ISA.slotKey)
        case .ich9:
            hold(Self.ich9LPC, .chipset("the ICH9 LPC/ISA bridge built into the q35 machine"))
            hold(Self.ich9SATA, atFixed(controllerZero("sata"), Self.ich9SATA).map { .device($0) }
                 ?? .chipset("the ICH9 AHCI (SATA) controller built into the q35 machine"))
            hold(Self.ich9SMBus, .chipset("the ICH9 SMBus controller built into the q35 machine"))
            chipsetSlots.insert(Self.ich9LPC.slotKey)
        case .gpex:
            break  // the host bridge at 00:00.0 is outside every slot range already
        }
    }

    /// Whether device `i` at `a` is a chipset controller at its own fixed address (reserved by
    /// `reserveChipset`, as libvirt's chipset step reserves it instead of the collection).
    mutating func isChipsetHeld(_ i: Int, _ a: PCIAddress) -> Bool {
        guard let ctl = c.devices[i].controller else { return false }
        let piix = (ctl.type == "ide" && ctl.index == 0 && a == Self.piix3IDE)
            || (ctl.type == "usb" && ctl.index == 0 && (ctl.model == "piix3-uhci" || ctl.model == nil) && a == Self.piix3USB)
        if piix {
            // qemuDomainCollectPCIAddress: on any machine, bus 0 must be conventional PCI.
            if set.count > 0 && !set.buses[0].flags.contains(.pciDevice) {
                diagnostics.append(.piix3FunctionOffPCIBus(c.name(i), at: a, machine: c.machine, range: c.addressTag(i)))
            }
            return true
        }
        return c.machine.chipset == .ich9 && ctl.type == "sata" && ctl.index == 0 && a == Self.ich9SATA
    }

    /// IDE 0 and PIIX3 USB 0 (pc) and SATA 0 (q35) must sit at their chipset address.
    mutating func checkFixedControllers() {
        var fixed: [(Int?, PCIAddress, String, String)] = []
        switch c.machine.chipset {
        case .piix3:
            fixed = [(controllerZero("ide"), Self.piix3IDE, "PIIX3", "Primary IDE controller must have PCI address 0:0:1.1"),
                     (piix3USBController, Self.piix3USB, "PIIX3", "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2")]
        case .ich9:
            fixed = [(controllerZero("sata"), Self.ich9SATA, "ICH9", "Primary SATA controller must have PCI address 0:0:1f.2")]
        case .gpex:
            fixed = []
        }
        for case let (j?, want, chip, libvirt) in fixed where !skip.contains(j) {
            guard case .pci(let a, _) = c.devices[j].address, a != want else { continue }
            let fix = c.devices[j].addressElement.map {
                [FixIt("write its chipset address", range: c.range($0.range), replacement: want.xml(multifunction: .absent))]
            } ?? []
            diagnostics.append(.chipsetFixed(c.name(j), chip: chip, fixed: want, placed: a, libvirt: libvirt,
                                             at: c.addressTag(j), fixIts: fix))
        }
    }
}
