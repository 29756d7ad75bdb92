import PCIPlanModel
import PCIPlanSource

/// The messages of the checker (`Checker`, `AddressWalk`): call sites pass names, addresses
/// and source ranges; the words are here. Severities and summaries are in the catalogue
/// (`DiagnosticID`); libvirt's and QEMU's own words are quoted with `Note.libvirtRejects`,
/// `.qemuRefuses` and `.qemuSays`.
extension Diagnostic {
    // MARK: controllers

    static func controllerBadIndex(type: String, value: String, negative: Bool, at range: SourceRange, decimal: Int?) -> Diagnostic {
        let why = negative
            ? "controller \(type) has index='\(value)', but a controller index cannot be negative"
            : "controller \(type) has index='\(value)', but libvirt reads a controller index as a plain decimal integer"
        return Diagnostic(.controllerBadIndex, why, at: range,
            notes: [.libvirtRejects("Invalid value for attribute 'index' in element 'controller': '\(value)'. Expected \(negative ? "non-negative" : "integer") value")],
            fixIts: decimal.map { [FixIt("write the index in decimal: index='\($0)'", range: range, replacement: String($0))] } ?? [])
    }

    /// The PCI controller with index 0 has no model; `insertion` is where a fix-it adds one.
    static func controllerRootWithoutModel(root: String, machine: MachineDescriptor, at range: SourceRange?, insertion: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerWrongRoot,
            "the PCI controller with index 0 must be model='\(root)' on \(machine.aDisplayName) machine, but it has no model",
            at: range,
            notes: [.libvirtRejects("The PCI controller with index='0' must be model='\(root)' for this machine type, but model='(null)' was found instead")],
            fixIts: insertion.map { [FixIt("add model='\(root)'", range: $0, replacement: " model='\(root)'")] } ?? [])
    }

    static func controllerWrongRoot(root: String, machine: MachineDescriptor, model: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerWrongRoot,
            "the PCI controller with index 0 must be model='\(root)' on \(machine.aDisplayName) machine, but it is model='\(model)'",
            at: range,
            notes: [.libvirtRejects("The PCI controller with index='0' must be model='\(root)' for this machine type, but model='\(model)' was found instead")])
    }

    /// A PCI controller model libvirt does not know (`model`), or none on an index other than 0.
    static func controllerBadModel(_ model: String?, index: Int, root: String, known: String, at range: SourceRange?) -> Diagnostic {
        let msg = model.map { "unknown PCI controller model '\($0)'; libvirt knows \(root), \(known)" }
            ?? "controller pci index \(index) has no model; libvirt needs one of \(known)"
        return Diagnostic(.controllerBadModel, msg, at: range)
    }

    /// `indexValue` is the index attribute's value, for a fix-it when index 0 is free.
    static func controllerRootIndex(model: String, index: Int, at range: SourceRange?, indexValue: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerRootIndex,
            "the \(model) controller has index \(index), but the root bus is always index 0",
            at: range, notes: [.libvirtRejects("pci-root and pcie-root controllers should have index 0")],
            fixIts: indexValue.map { [FixIt("give the root controller index='0'", range: $0, replacement: "0")] } ?? [])
    }

    static func controllerRootAddress(model: String, at range: SourceRange, address: SourceRange) -> Diagnostic {
        Diagnostic(.controllerRootAddress,
            "the \(model) controller is the root bus itself and cannot have an <address>",
            at: range, notes: [.libvirtRejects("pci-root and pcie-root controllers should not have an address")],
            fixIts: [.removeAddress(address)])
    }

    static func controllerIndexTooHigh(_ index: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerIndexTooHigh,
            "PCI controller index \(index) is above 255, the highest bus a PCI domain has",
            at: range, notes: [.libvirtRejects(LibvirtText.indexTooHigh(index))])
    }

    /// A pci-expander-bus on a machine without one (q35, the virt boards).
    static func pciExpanderBusUnsupported(machine m: MachineDescriptor, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerMachine,
            "pci-expander-bus controllers exist only on pc (i440fx) machines"
                + (m.supportsPCIeExpanderBus ? "; \(m.aDisplayName) machine uses pcie-expander-bus" : ""),
            at: range, notes: [.libvirtRejects("pci-expander-bus controllers are only supported on 440fx-based machinetypes")])
    }

    /// A pcie-expander-bus on a machine without one (pc, riscv64 virt).
    static func pcieExpanderBusUnsupported(machine m: MachineDescriptor, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerMachine,
            m.supportsPCIExpanderBus
                ? "pcie-expander-bus controllers need a q35 machine; \(m.aDisplayName) machine uses pci-expander-bus"
                : "pcie-expander-bus controllers are not supported on \(m.aDisplayName) machine (its QEMU has no pxb-pcie)",
            at: range, notes: [.libvirtRejects("pcie-expander-bus controllers are not supported with this machine type")])
    }

    /// An IDE controller other than the chipset's: on pc (`builtIn`) only index 0 exists, the
    /// PIIX3's; q35 and the virt boards have none (`qemuValidateDomainDeviceDefControllerIDE`).
    static func ideControllerUnsupported(_ name: String, machine: String, builtIn: Bool, at range: SourceRange?) -> Diagnostic {
        let why = builtIn ? "the \(machine) machine has exactly one IDE controller, the PIIX3's (index 0)"
            : "the \(machine) machine has no IDE controller"
        return Diagnostic(.controllerMachine, "\(name): \(why)", at: range,
            notes: [.libvirtRejects(builtIn ? "Only a single IDE controller is supported for this machine type" : LibvirtText.noIDE)],
            fixIts: [FixIt(builtIn ? "remove the controller; every IDE disk uses controller 0" : "use a SATA controller and bus='sata' disks")])
    }

    /// An IDE disk that needs IDE controller `needs` on pc, or any IDE disk (`needs` nil) on a
    /// machine without IDE.
    static func ideDiskUnsupported(_ name: String, machine: String, needs: Int?, at range: SourceRange?) -> Diagnostic {
        let why = needs.map { "it would need IDE controller \($0), but the pc machine has only the PIIX3's (hda–hdd)" }
            ?? "the \(machine) machine has no IDE bus"
        return Diagnostic(.controllerMachine, "\(name) is an IDE disk: \(why)", at: range,
            notes: [.libvirtRejects(needs == nil ? LibvirtText.noIDE : "Only 1 IDE controller is supported")],
            fixIts: [FixIt(needs == nil ? "use bus='sata' (the machine's AHCI) or bus='virtio'" : "use a target from hda to hdd, or bus='sata' / bus='virtio'")])
    }

    /// An expander bus on NUMA node `node` of a domain with `cells` NUMA cells.
    static func expanderNUMANode(_ model: String, index: Int, node: Int, cells: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerOption,
            "\(model) index \(index) is placed on NUMA node \(node), but the domain has \(cells == 0 ? "no NUMA cells" : "NUMA cells 0–\(cells - 1) only")",
            at: range,
            notes: [.libvirtRejects("\(model) with index \(index) is configured for a NUMA node (\(node)) not present in the domain's <cpu><numa> array (\(cells))")],
            fixIts: [FixIt(cells == 0 ? "remove <node>, or define NUMA cells in <cpu><numa>" : "use a node from 0 to \(cells - 1)")])
    }

    /// A `<zpci>` address extension (`element`) on a machine that is not s390x.
    static func zpciOnX86(_ name: String, at range: SourceRange?, element: SourceRange?) -> Diagnostic {
        Diagnostic(.deviceAddressType, "\(name) has a <zpci> address extension, which only s390x guests have",
                   at: range, notes: [.libvirtRejects("This QEMU binary doesn't support zPCI")],
                   fixIts: [FixIt("remove the <zpci> element", range: element, replacement: "")])
    }

    /// A PCI Express controller on a conventional PCI machine (pc): libvirt finds no bus for it
    /// when it assigns addresses.
    static func pcieControllerOnConventionalMachine(_ model: String, machine m: MachineDescriptor, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerMachine,
            "\(model) controllers need a PCI Express machine (q35), but this is a \(m.displayName) machine",
            at: range,
            notes: [.init("no bus of a \(m.displayName) machine accepts a \(model), so libvirt 9.0 rejects the definition when it assigns addresses")])
    }

    static func controllerDuplicateIndex(type: String, index: Int, at range: SourceRange?, first: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerDuplicateIndex,
            "a second \(type) controller has index \(index); each controller of a type needs its own index",
            at: range,
            notes: [.init("the first \(type) controller with index \(index) is declared here", at: first),
                    .libvirtRejects("Multiple '\(type)' controllers with index '\(index)'")])
    }

    /// `<target attribute=…>` on a model that lacks it; `allowed` lists the models that have it.
    static func controllerOptionNotValid(
        attribute: String, option: String, value: String, model: String, modelName: String, index: Int,
        allowed: String, at range: SourceRange
    ) -> Diagnostic {
        Diagnostic(.controllerOption,
            "<target \(attribute)=…> is not an option of a \(model) controller\(allowed.isEmpty ? " on this machine" : "; it belongs to \(allowed)")",
            at: range,
            notes: [.libvirtRejects("Option '\(option)' is not valid for PCI controller with index '\(index)', model '\(model)' and modelName '\(modelName)'")],
            fixIts: [FixIt("remove \(attribute)='\(value)'")])
    }

    static func controllerOptionOutOfRange(attribute: String, value: String, number: Int, range allowed: ClosedRange<Int>, at range: SourceRange) -> Diagnostic {
        Diagnostic(.controllerOption,
            "\(attribute)='\(value)' is out of range: libvirt accepts \(allowed.lowerBound)–\(allowed.upperBound)",
            at: range,
            notes: [.libvirtRejects("PCI controller \(attribute) '\(number)' out of range - must be \(allowed.lowerBound)-\(allowed.upperBound)")])
    }

    // MARK: USB controllers

    /// Another USB controller beside the one with `model='none'` (`off`).
    static func usbControllerWhileDisabled(_ name: String, off: String, at range: SourceRange?, offAt: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerUSBDisabled,
            "\(name) cannot be added: \(off) has model='none', which disables USB for this domain",
            at: range, notes: [.init("USB is disabled here", at: offAt),
                               .libvirtRejects("Can't add another USB controller: USB is disabled for this domain")])
    }

    /// A device that needs a USB port on a machine where libvirt adds no USB controller (the virt
    /// boards), and none is written.
    static func usbDeviceWithoutController(_ name: String, machine: MachineDescriptor, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerUSBDeviceDisabled,
            "\(name) is a USB device, but the domain has no USB controller: libvirt adds none by default on \(machine.aDisplayName) machine",
            at: range, notes: [.libvirtRejects("USB is disabled for this domain, but USB devices are present in the domain XML")],
            fixIts: [FixIt("add <controller type='usb' model='qemu-xhci'/>")])
    }

    /// A USB input device or disk while `model='none'` disables USB. libvirt 9.0 words the two
    /// refusals differently (recorded in the goldens `fuzz-usb-input-usb-disabled` and
    /// `pc-err-usb-disk-usb-disabled`).
    static func usbDeviceWhileDisabled(_ name: String, isInput: Bool, at range: SourceRange?, offAt: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerUSBDeviceDisabled,
            "\(name) is a USB \(isInput ? "input device" : "disk"), but USB is disabled for this domain (model='none')",
            at: range, notes: [.init("USB is disabled here", at: offAt),
                               .libvirtRejects(isInput ? "Can't add USB input device. USB bus is disabled"
                                                       : "USB is disabled for this domain, but USB devices are present in the domain XML")])
    }

    static func usbCompanionNoMaster(_ name: String, index: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerUSBCompanionNoMaster,
            "USB companion \(name) has no master: the domain declares no USB controller that companions can attach to (an ich9-ehci1 or another USB controller)",
            at: range, notes: [.libvirtRejects("No master USB controller specified")],
            fixIts: [FixIt("add <controller type='usb' index='\(index)' model='ich9-ehci1'/>")])
    }

    static func usbCompanionWithoutOwnMaster(_ name: String, index: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerUSBCompanionIndex,
            "USB companion \(name) has no master with index \(index): libvirt 9.0 accepts the definition, but cannot start the guest (masterbus not found)",
            at: range, fixIts: [FixIt("add <controller type='usb' index='\(index)' model='ich9-ehci1'/>")])
    }

    static func usbDuplicateIndex(_ name: String, index: Int, first: String, at range: SourceRange?, firstAt: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerUSBDuplicateIndex,
            "\(name) has index \(index), which \(first) already has; only USB companions (ich9-uhci1/2/3) share an index",
            at: range, notes: [.init("\(first) is declared here", at: firstAt),
                               .libvirtRejects("Duplicate USB controllers with index \(index)")])
    }

    // MARK: devices

    static func legacyIvshmem(_ name: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.deviceUnsupported,
            "\(name) is the legacy 'ivshmem' device, which QEMU 7.2 no longer provides",
            at: range, notes: [.libvirtRejects("ivshmem device is not supported with this QEMU binary")],
            fixIts: [FixIt("use <model type='ivshmem-plain'/> (or 'ivshmem-doorbell' with a server)")])
    }

    /// A disk on an ide/fdc/scsi/sata bus with an address that is not type='drive'.
    static func driveDiskAddressType(_ name: String, bus: String, type: String, target: String, at range: SourceRange?, address: SourceRange) -> Diagnostic {
        Diagnostic(.deviceAddressType,
            "\(name) is on bus '\(bus)', so its address must be type='drive', not type='\(type)'",
            at: range, notes: [.libvirtRejects("Invalid address type '\(type)' for the disk '\(target)' with the bus type '\(bus)'")],
            fixIts: [.removeAddress(address)])
    }

    static func usbDiskAddressType(_ name: String, type: String, at range: SourceRange?, address: SourceRange) -> Diagnostic {
        Diagnostic(.deviceAddressType,
            "\(name) is a USB disk, so its address must be type='usb', not type='\(type)'",
            at: range, notes: [.libvirtRejects("unexpected address type for usb disk")], fixIts: [.removeAddress(address)])
    }

    static func ramfbAddress(at range: SourceRange, address: SourceRange) -> Diagnostic {
        Diagnostic(.deviceAddressType,
            "a ramfb video is not a PCI device and cannot have an <address>",
            at: range, notes: [.libvirtRejects("address not supported for video type ramfb")], fixIts: [.removeAddress(address)])
    }

    static func iommuAddressType(_ type: String, at range: SourceRange?, address: SourceRange) -> Diagnostic {
        Diagnostic(.deviceAddressType,
            "the virtio IOMMU is a PCI device, so its address must be type='pci', not type='\(type)'",
            at: range, notes: [.libvirtRejects("IOMMU device: 'virtio' needs a PCI address")], fixIts: [.removeAddress(address)])
    }

    static func mdevAddressType(_ type: String, at range: SourceRange?, address: SourceRange) -> Diagnostic {
        Diagnostic(.deviceAddressType,
            "a vfio-pci mediated device appears in the guest as a PCI device, so its address must be type='pci', not type='\(type)'",
            at: range, notes: [.libvirtRejects("Unsupported address type '\(type)' with mediated device model 'vfio-pci'")],
            fixIts: [.removeAddress(address)])
    }

    /// A virtio disk whose address is neither PCI, CCW nor virtio-mmio (`check` offers to remove
    /// the `<address>`; `plan` stops at it).
    static func virtioDiskAddressType(_ name: String, type: String, at range: SourceRange?, address: SourceRange? = nil) -> Diagnostic {
        Diagnostic(.addressWrongType,
            "\(name) uses bus 'virtio' but has an address of type '\(type)'; a virtio disk needs a PCI address",
            at: range, notes: [.libvirtRejects("virtio disk cannot have an address of type '\(type)'")],
            fixIts: address.map { [.removeAddress($0)] } ?? [])
    }

    /// `display` names the host device (`host PCI device 0000:03:00.0`); `first` passes it first.
    static func hostdevDuplicate(_ display: String, at range: SourceRange?, first: String, firstAt: SourceRange?) -> Diagnostic {
        Diagnostic(.hostdevDuplicate,
            "\(display) is passed through twice; a host device can be given to a guest only once",
            at: range,
            notes: [.init("\(first) passes the same host device through here", at: firstAt),
                    .libvirtRejects("Hostdev already exists in the domain configuration")])
    }

    // MARK: the chipset

    static func piix3FunctionOffPCIBus(_ name: String, at a: PCIAddress, machine: MachineDescriptor, range: SourceRange?) -> Diagnostic {
        Diagnostic(.addressIncompatible,
            "\(name) is a function of the PIIX3 chipset at \(a), but bus 0x00 of \(machine.aDisplayName) machine is not conventional PCI",
            at: range, notes: [.libvirtRejects(LibvirtText.piix3OffPCIBus)])
    }

    /// A controller built into the `chip` (PIIX3, ICH9) at `fixed`, placed at `placed`;
    /// `libvirt` is libvirt's message for it.
    static func chipsetFixed(_ name: String, chip: String, fixed: PCIAddress, placed: PCIAddress, libvirt: String,
                             at range: SourceRange?, fixIts: [FixIt]) -> Diagnostic {
        Diagnostic(.chipsetFixed,
            "\(name) is built into the \(chip) chipset at \(fixed), but the input places it at \(placed)",
            at: range, notes: [.libvirtRejects(libvirt)], fixIts: fixIts)
    }

    // MARK: explicit addresses

    /// A bus no controller provides inside the range of controller indexes: libvirt fills the
    /// gap with a `model` controller.
    static func busGapFilled(bus: Int, model: String, device: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.addressBusAdded,
            "bus 0x\(hex(bus, 2)) has no PCI controller: libvirt fills the index gap with a \(model) index \(bus), and \(device) sits on it",
            at: range, fixIts: [FixIt("declare it: <controller type='pci' index='\(bus)' model='\(model)'/>")])
    }

    /// Buses libvirt adds for an explicit address (`added` describes them, `declare` is the XML
    /// that declares them, `count` how many).
    static func busAdded(bus: Int, added: String, declare: String, count: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.addressBusAdded,
            "bus 0x\(hex(bus, 2)) has no PCI controller: libvirt adds \(added) to provide it",
            at: range, fixIts: [FixIt("declare \(count == 1 ? "it" : "them"): \(declare)")])
    }

    /// A conventional PCI device on a PCI Express guest whose bus libvirt adds and renumbers:
    /// `busValue` is the bus attribute's value, for a fix-it.
    static func busBumped(bus: Int, added: String, to got: PCIAddress, at range: SourceRange?, busValue: SourceRange?) -> Diagnostic {
        Diagnostic(.addressBusAdded,
            "bus 0x\(hex(bus, 2)) has no PCI controller, and a conventional PCI device on a PCI Express machine needs a bridge: libvirt adds \(added) and rewrites this address to \(got)",
            at: range,
            fixIts: busValue.map { [FixIt("write bus='0x\(hex(got.bus, 2))', where libvirt moves it", range: $0, replacement: "0x\(hex(got.bus, 2))")] } ?? [])
    }

    static func bridgeIndexNotAboveBus(index: Int, bus: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerIndexNotAboveBus,
            "pci-bridge index \(index) sits on bus 0x\(hex(bus, 2)), but a pci-bridge's index must be larger than the bus it plugs into",
            at: range, notes: [.libvirtRejects(LibvirtText.indexNotAboveBus(index, bus: bus))],
            fixIts: [FixIt("plug it into a bus below index \(index) that takes a pci-bridge, or give the bridge an index above \(bus) (and move the devices on bus 0x\(hex(index, 2)) with it)")])
    }

    /// `domainValue` is the domain attribute's value, for a fix-it.
    static func addressDomain(_ name: String, domain: UInt32, at range: SourceRange?, libvirt: Note, domainValue: SourceRange?) -> Diagnostic {
        Diagnostic(.addressDomain,
            "\(name) asks for PCI domain 0x\(hex(Int(domain), 4)), but a QEMU guest has only domain 0",
            at: range, notes: [libvirt],
            fixIts: domainValue.map { [FixIt("use domain='0x0000'", range: $0, replacement: "0x0000")] } ?? [])
    }

    static func addressIntegrated(_ name: String, bus: Int, at range: SourceRange?, libvirt: Note, busValue: SourceRange?) -> Diagnostic {
        Diagnostic(.addressIntegrated,
            "\(name) is integrated into the chipset and must sit on bus 0x00, not bus 0x\(hex(bus, 2))",
            at: range, notes: [libvirt],
            fixIts: busValue.map { [FixIt("put it on bus='0x00'", range: $0, replacement: "0x00")] } ?? [])
    }

    /// `need` is what the device needs (`PCI Express device`), `bus` describes the bus and
    /// `accepts` what it takes; without a bus, libvirt's message is the message.
    static func addressIncompatible(_ name: String, need: String, bus: (description: String, accepts: String)?,
                                    libvirtMessage: String, at range: SourceRange?, notes: [Note]) -> Diagnostic {
        let msg = bus.map { "\(name) needs a slot that accepts a \(need), but \($0.description) accepts only \($0.accepts)" }
            ?? libvirtMessage
        return Diagnostic(.addressIncompatible, msg, at: range, notes: notes)
    }

    static func addressNoBus(_ name: String, bus: Int, at range: SourceRange?, libvirt: Note) -> Diagnostic {
        Diagnostic(.addressNoBus,
            "\(name) names bus 0x\(hex(bus, 2)), which no PCI controller provides, and libvirt cannot add a bus for it",
            at: range, notes: [libvirt])
    }

    /// The checker's address walk never searches for a free slot; if it did, that is a bug (so
    /// libvirt's message is not quoted as a refusal of the definition).
    static func slotSearchWhileChecking(_ name: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.internalError,
            "pciplan bug: a search for a free slot ran while checking the explicit address of \(name)", at: range)
    }

    /// A slot outside the bus's range `slots`: below it (`holder` holds slot 0: the host bridge
    /// or a bridge's SHPC), or above it. `free` is the first free slot and the slot attribute's
    /// value, for a fix-it.
    static func addressSlotRange(_ name: String, asked slot: Int, bus: String, slots: ClosedRange<Int>, holder: String?,
                                 at range: SourceRange?, notes: [Note], free: (slot: Int, value: SourceRange)?) -> Diagnostic {
        let msg: String
        if let holder {
            msg = "slot 0x00 of \(bus) holds \(holder); \(name) needs a slot from 0x\(hex(slots.lowerBound, 2)) to 0x\(hex(slots.upperBound, 2))"
        } else if slots.count == 1 {
            msg = "\(bus) has a single slot, 0x\(hex(slots.upperBound, 2)); \(name) asks for slot 0x\(hex(slot, 2))"
        } else {
            msg = "\(bus) has slots 0x\(hex(slots.lowerBound, 2))–0x\(hex(slots.upperBound, 2)); \(name) asks for slot 0x\(hex(slot, 2))"
        }
        let fix = free.map {
            [FixIt("use slot='0x\(hex($0.slot, 2))', the first free slot of this bus", range: $0.value, replacement: "0x\(hex($0.slot, 2))")]
        } ?? []
        return Diagnostic(.addressSlotRange, msg, at: range, notes: notes, fixIts: fix)
    }

    /// Where the first of two devices on one function is.
    enum FirstUser {
        /// Written in the input, at this address element.
        case declared(SourceRange?)
        /// Added by libvirt: built into the machine (`pc (i440fx)`, `q35`).
        case builtIn(machine: String)
    }

    /// Two devices on one function, reported at the later one (`second`). `chipset` when the
    /// earlier one is a controller built into the chipset (`address.chipsetReserved`).
    static func addressInUse(_ second: String, _ first: String, at a: PCIAddress, chipset: Bool, range: SourceRange?,
                             firstUser: FirstUser, libvirt: Note, fixIts: [FixIt]) -> Diagnostic {
        let firstNote: Note
        switch firstUser {
        case .declared(let r): firstNote = .init("\(first) uses \(a) here", at: r)
        case .builtIn(let machine): firstNote = .init("\(first) is built into the \(machine) machine at \(a)")
        }
        return Diagnostic(chipset ? .addressReserved : .addressInUse,
            "\(second) and \(first) both use PCI address \(a)",
            at: range, notes: [firstNote, libvirt], fixIts: fixIts)
    }

    /// A device on a chipset function that is not in the XML (`what`: the PIIX3 ISA bridge, …).
    /// `ideWithoutController` for pc's 00:01.1 without an IDE controller: QEMU refuses it,
    /// not libvirt.
    static func addressOnChipsetFunction(_ name: String, at a: PCIAddress, what: String, range: SourceRange?,
                                         ideWithoutController: Bool, libvirt: Note, fixIts: [FixIt]) -> Diagnostic {
        let notes: [Note] = ideWithoutController
            ? [.qemuRefuses("QEMU's pc machine always has its PIIX3 IDE function at 00:01.1 ('PCI: slot 1 function 1 not available for …, in use by piix3-ide')")]
            : [libvirt]
        return Diagnostic(.addressReserved, "\(name) is placed at \(a), which \(what) occupies", at: range, notes: notes, fixIts: fixIts)
    }

    /// A function in use by something the walk does not know.
    static func addressAlreadyInUse(_ name: String, at a: PCIAddress, range: SourceRange?, libvirt: Note, fixIts: [FixIt]) -> Diagnostic {
        Diagnostic(.addressInUse, "\(name) uses PCI address \(a), which is already in use", at: range, notes: [libvirt], fixIts: fixIts)
    }

    /// A USB2 companion without an address, whose fixed function in its set's slot is taken.
    /// `holder` names the device there (with the range of its address), `partner` the member
    /// that decides the slot (nil when it is the holder).
    static func usb2CompanionFunctionInUse(_ name: String, at a: PCIAddress, range: SourceRange?, user: String,
                                           holder: (name: String, at: SourceRange?)?, partner: (name: String, at: SourceRange?)?) -> Diagnostic {
        var notes: [Note] = []
        if let holder { notes.append(.init("\(holder.name) uses \(a) here", at: holder.at)) }
        if let partner { notes.append(.init("\(partner.name) decides the slot of the set here", at: partner.at)) }
        return Diagnostic(.addressInUse,
            "\(name) has no address, so libvirt puts it beside its USB2 companion at \(a), but \(user) already uses that function",
            at: range, notes: notes + [.libvirtRejects("Attempted double use of PCI Address \(a)")])
    }

    // MARK: multifunction

    /// Function 0 says `multifunction='off'` while `others` are used (`check`: an error, QEMU
    /// refuses). `value` is the multifunction attribute's value, for a fix-it.
    static func multifunctionOff(slot key: SlotKey, zero: String, others: [Int], firstUser: String, firstUserAt: SourceRange?,
                                 at range: SourceRange?, value: SourceRange?) -> Diagnostic {
        let first = others.first ?? 1
        return Diagnostic(.multifunctionOff,
            "function 0 of slot \(key.description) (\(zero)) says multifunction='off', but \(functionList(others)) \(others.count == 1 ? "is" : "are") in use",
            at: range,
            notes: [.init("\(firstUser) uses function \(first) here", at: firstUserAt),
                    .qemuRefuses(QEMUText.singleFunction(slot: key.slot, populated: first))],
            fixIts: value.map { [FixIt("write multifunction='on'", range: $0, replacement: "on")] } ?? [])
    }

    /// The same for `plan`, which writes what libvirt stores: a warning.
    static func multifunctionOffStored(slot key: SlotKey, zero: String, other fn: Int, user: String, userAt: SourceRange?,
                                       at range: SourceRange?) -> Diagnostic {
        Diagnostic(.multifunctionOff,
            "function 0 of slot \(key.description) (\(zero)) says multifunction='off', but function \(fn) is in use: libvirt stores this, and QEMU refuses to start it",
            at: range,
            notes: [.init("\(user) uses function \(fn)", at: userAt), .qemuSays(QEMUText.singleFunction(slot: key.slot, populated: fn))],
            severity: .warning)
    }

    static func multifunctionDerived(slot key: SlotKey, zero: String, others: [Int], firstUser: String, firstUserAt: SourceRange?,
                                     at range: SourceRange?) -> Diagnostic {
        Diagnostic(.multifunctionDerived,
            "libvirt sets multifunction='on' on function 0 of slot \(key.description) (\(zero)) because \(functionList(others)) \(others.count == 1 ? "is" : "are") in use, and stores it in the definition",
            at: range, notes: [.init("\(firstUser) uses function \(others.first ?? 1) here", at: firstUserAt)])
    }

    /// `functionValue` is the function attribute's value of the only user, for a fix-it.
    static func multifunctionNoFunctionZero(slot key: SlotKey, others: [Int], user: String, at range: SourceRange?,
                                            functionValue: SourceRange?) -> Diagnostic {
        Diagnostic(.multifunctionNoFunctionZero,
            "slot \(key.description) uses \(functionList(others)) but has no function 0; most guests never scan a slot whose function 0 is empty, so they will not see \(user)",
            at: range, fixIts: functionValue.map { [FixIt("make it function='0x0'", range: $0, replacement: "0x0")] } ?? [])
    }

    /// `--multifunction explicit` on an explicit slot: function `fn` is used, function 0
    /// (`zero`, declared at `zeroAt`) lacks the bit. `insertion` is where a fix-it adds it.
    static func multifunctionNotExplicit(slot key: SlotKey, function fn: Int, zero: String, zeroAt: SourceRange?,
                                         at range: SourceRange?, insertion: SourceRange?) -> Diagnostic {
        Diagnostic(.multifunctionNotExplicit,
            "PCI address \(PCIAddress(bus: key.bus, slot: key.slot, function: fn)) is used but function 0 of slot \(key.description) does not set multifunction='on'",
            at: range,
            notes: [.init("function 0 (\(zero)) is declared here", at: zeroAt), .explicitDerivesNothing(slot: key.slot, function: fn)],
            fixIts: insertion.map { [.addMultifunction($0)] } ?? [])
    }

    /// Who function 0 of a planned slot is, for `--multifunction explicit` after planning.
    enum FunctionZero {
        /// Its address is written in the input.
        case explicit
        /// A controller libvirt adds, packed into the slot by the planner.
        case added
        /// A device of the input without an address.
        case planned(String)
    }

    /// `--multifunction explicit` on the planned result.
    static func multifunctionNotExplicitPlanned(slot key: SlotKey, function fn: Int, zeroName: String, zero: FunctionZero,
                                                at range: SourceRange?, insertion: SourceRange?) -> Diagnostic {
        let how: String
        switch zero {
        case .explicit:
            how = ""
        case .added:
            how = "; the planner packs the controllers libvirt adds into this slot: declare them with explicit addresses and multifunction='on', or use --multifunction libvirt"
        case .planned(let name):
            how = "; give \(name) an explicit address with multifunction='on', or use --multifunction libvirt"
        }
        return Diagnostic(.multifunctionNotExplicit,
            "PCI address \(PCIAddress(bus: key.bus, slot: key.slot, function: fn)) is used but function 0 of slot \(key.description) (\(zeroName)) does not set multifunction='on'\(how)",
            at: range, notes: [.explicitDerivesNothing(slot: key.slot, function: fn)],
            fixIts: insertion.map { [.addMultifunction($0)] } ?? [])
    }

    /// `function 1`, `functions 1 and 3`, `functions 1, 2 and 7`.
    static func functionList(_ fns: [Int]) -> String {
        let s = fns.map(String.init)
        guard s.count > 1 else { return "function \(s.first ?? "?")" }
        return "functions " + s.dropLast().joined(separator: ", ") + " and " + (s.last ?? "")
    }
}

extension Diagnostic.Note {
    /// Why `--multifunction explicit` reports a slot: QEMU's refusal.
    static func explicitDerivesNothing(slot: Int, function fn: Int) -> Diagnostic.Note {
        .init("--multifunction explicit derives nothing; without multifunction='on' QEMU refuses to start: \(QEMUText.singleFunctionDevice(slot: slot, function: fn))")
    }
}

extension FixIt {
    /// Removes the `<address>` element at `range`.
    static func removeAddress(_ range: SourceRange) -> FixIt {
        FixIt("remove the <address> element", range: range, replacement: "")
    }

    /// Removes the `<address>` element at `range`, so libvirt assigns one.
    static func removeAddressForFreeSlot(_ range: SourceRange) -> FixIt {
        FixIt("remove the <address> element so libvirt picks a free slot", range: range, replacement: "")
    }

    /// Adds `multifunction='on'` at `insertion` (the end of function 0's `<address>` start tag).
    static func addMultifunction(_ insertion: SourceRange) -> FixIt {
        FixIt("add multifunction='on' to function 0", range: insertion, replacement: " multifunction='on'")
    }
}

/// libvirt 9.0's messages that both the checker and the planner quote.
enum LibvirtText {
    static func indexTooHigh(_ index: Int) -> String { "PCI controller index \(index) too high, maximum is 255" }

    static func indexNotAboveBus(_ index: Int, bus: Int) -> String {
        "PCI controller at index \(index) (0x\(hex(index, 2))) has bus='0x\(hex(bus, 2))', but index must be larger than bus"
    }

    static let piix3OffPCIBus = "Bus 0 must be PCI for integrated PIIX3 USB or IDE controllers"

    /// A machine without IDE (q35, the virt boards): an IDE controller or disk.
    static let noIDE = "IDE controllers are unsupported for this QEMU binary or machine type"
}
