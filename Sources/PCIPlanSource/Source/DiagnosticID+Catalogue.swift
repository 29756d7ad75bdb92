/// How much a change between two definitions matters to a guest installed on the old one
/// (`diff`; `ABIChange.Severity`).
public enum ChangeSeverity: String, Sendable, Hashable, CaseIterable, Comparable {
    /// An edit that leaves every existing device alone (a device added or removed).
    case info
    /// Guest-visible, accepted by libvirt, usually survived by guests (renamed slots, a new
    /// device on an address another one had).
    case warning
    /// The guest sees different hardware where it had a device: drivers rebind, NICs and disks
    /// are renamed, a saved or migrated guest breaks.
    case breaking

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    /// Orders by how much a change matters: `info` < `warning` < `breaking`.
    public static func < (a: ChangeSeverity, b: ChangeSeverity) -> Bool { a.rank < b.rank }
}

/// The catalogue: one entry per rule. Messages are built by each stage's catalogue file
/// (`Diagnostics+Reader.swift`, `Diagnostics+Check.swift`, `Diagnostics+Plan.swift`,
/// `Diagnostics+Keep.swift`, …); this says what each rule is, how serious, and what libvirt or
/// QEMU say for it. Docs/diagnostics.md's table is rendered from it (a test compares them).
extension DiagnosticID {
    /// How serious a rule's findings are.
    public enum Level: Sendable, Hashable, CustomStringConvertible {
        /// A diagnostic of `check`, `plan` or reading.
        case finding(Severity)
        /// A guest-visible change found by `diff`.
        case change(ChangeSeverity)

        /// The severity's name, as Docs/diagnostics.md prints it (`error`, `breaking`).
        public var description: String {
            switch self {
            case .finding(let s): s.rawValue
            case .change(let s): s.rawValue
            }
        }
    }

    /// The libvirt 9.0 or QEMU 7.2 text a rule mirrors, as their sources write it (`%s` where
    /// they insert a value). Notes quoting it are built with `Diagnostic.Note.libvirtRejects`,
    /// `.qemuRefuses` or `.qemuSays`.
    public enum Mirror: Sendable, Hashable {
        /// A message of libvirt 9.0.
        case libvirt(String)
        /// A message of QEMU 7.2.
        case qemu(String)

        /// The message, whoever says it.
        public var text: String {
            switch self {
            case .libvirt(let t), .qemu(let t): t
            }
        }
    }

    /// One rule of the catalogue.
    public struct Entry: Sendable {
        /// The severity the rule reports at.
        public var level: Level
        /// When the rule also reports at another severity, which and when (`plan` reports a
        /// slot QEMU refuses as a warning, because libvirt stores it).
        public var otherwise: (severity: Severity, when: String)?
        /// The commands or stages that report it.
        public var stages: String
        /// What the rule says, in one line.
        public var summary: String
        /// The libvirt or QEMU messages it mirrors.
        public var mirrors: [Mirror]

        init(_ level: Level, _ stages: String, _ summary: String, mirrors: [Mirror] = [],
             otherwise: (severity: Severity, when: String)? = nil) {
            self.level = level
            self.stages = stages
            self.summary = summary
            self.mirrors = mirrors
            self.otherwise = otherwise
        }
    }

    /// The severity a finding of this rule has unless its message template says otherwise. A
    /// diff change kind maps breaking → error, warning → warning, info → note.
    public var severity: Severity {
        switch entry.level {
        case .finding(let s): s
        case .change(.breaking): .error
        case .change(.warning): .warning
        case .change(.info): .note
        }
    }

    /// The severity a change of this kind has in `diff`; a finding maps the other way.
    public var changeSeverity: ChangeSeverity {
        switch entry.level {
        case .change(let s): s
        case .finding(.error): .breaking
        case .finding(.warning): .warning
        case .finding(.note): .info
        }
    }

    /// What the rule says, in one line (the catalogue's summary).
    public var summary: String { entry.summary }
    /// The libvirt or QEMU messages the rule quotes.
    public var mirrors: [Mirror] { entry.mirrors }

    /// The catalogue entry of this rule.
    public var entry: Entry {
        switch self {
        // input
        case .inputUnreadable:
            Entry(.finding(.error), "check",
                  "the file cannot be read: missing, a dangling symbolic link, not a regular file inside a folder, an I/O error (in `check`'s JSON, SARIF and report; text prints `pciplan: error:`); `check` exits 2")
        case .inputXML:
            Entry(.finding(.error), "read",
                  "not well-formed XML, not UTF-8, a DTD (XXE / entity expansion refused), empty, larger than 32 MiB, or an element with more than 1024 attributes; the message is libxml2's or names the limit")
        case .inputNotDomain:
            Entry(.finding(.error), "read", "the root element is not `<domain>`")
        case .inputMachine:
            Entry(.finding(.error), "read",
                  "a machine type other than pc (i440fx) or q35 on x86, or `virt` on aarch64, armv7l and riscv64 (also when `machine=` is missing there: libvirt's default is not `virt`)")
        case .inputArch:
            Entry(.finding(.error), "read", "an architecture other than x86_64, i686, aarch64, armv7l or riscv64")
        case .deviceDropped:
            Entry(.finding(.warning), "define", "libvirt 9.0 drops the element at define (`<crypto>`), address and all")
        case .diskDriveIndex:
            Entry(.finding(.error), "define",
                  "a disk target name whose drive index libvirt's 32-bit arithmetic makes negative (`sdamultifunata`), or a drive controller index above 1023, for which libvirt would add every controller below it",
                  mirrors: [.libvirt("Unknown disk name '%s' and no address specified")])
        case .interfaceModelName:
            Entry(.finding(.error), "read",
                  "an interface `<model type>` that is not one of libvirt's NIC models and has a character other than a letter, a digit, `_` or `-`",
                  mirrors: [.libvirt("Model name contains invalid characters")])

        // address syntax
        case .addressMissingType:
            Entry(.finding(.error), "read", "`<address>` without `type` (libvirt rejects)")
        case .addressBadNumber:
            Entry(.finding(.error), "read",
                  "domain/bus/slot/function is not a non-negative integer in libvirt's forms (decimal, `0x` hex, `0` octal; no sign); fix-it adds a missing `0x` (libvirt rejects)",
                  mirrors: [.libvirt("Invalid value for attribute '%s' in element 'address': '%s'. Expected non-negative integer value")])
        case .addressBadMultifunction:
            Entry(.finding(.error), "read", "`multifunction` other than `on` / `off` (libvirt rejects)")
        case .addressRange:
            Entry(.finding(.error), "read", "bus > 0xFF, slot > 0x1F or function > 7 (libvirt rejects)",
                  mirrors: [.libvirt("Invalid PCI address bus='0x%x', must be <= 0xFF"),
                            .libvirt("Invalid PCI address slot='0x%x', must be <= 0x1F"),
                            .libvirt("Invalid PCI address function=0x%x, must be <= 7")])
        case .addressAmbiguousNumber:
            Entry(.finding(.warning), "read", "a number with a leading zero, which libvirt reads as octal")
        case .addressIgnored:
            Entry(.finding(.warning), "read", "domain, bus and slot 0 mean \"assign one\": function / multifunction are dropped")

        // address set
        case .addressDomain:
            Entry(.finding(.error), "check, plan", "a PCI domain other than 0 (libvirt rejects)",
                  mirrors: [.libvirt("Invalid PCI address %s. Only PCI domain 0 is available")])
        case .addressInUse:
            Entry(.finding(.error), "check, plan",
                  "two devices on one function; names both, the error at the later one (libvirt rejects)",
                  mirrors: [.libvirt("Attempted double use of PCI Address %s")])
        case .addressNoBus:
            Entry(.finding(.error), "check, plan",
                  "a bus no controller provides and libvirt cannot add one for this device (e.g. a pci-bridge)",
                  mirrors: [.libvirt("Invalid PCI address %s. Only PCI buses up to %zu are available"),
                            .libvirt("No PCI buses available"),
                            .libvirt("Cannot automatically add a new PCI bus for a device with connect flags %.2x"),
                            .libvirt("a PCI slot is needed to connect a PCI controller model='%s', but none is available, and it cannot be automatically added")])
        case .addressBusAdded:
            Entry(.finding(.warning), "check, plan",
                  "a bus no controller provides: names the controllers libvirt adds, and the bus-number bump of a conventional PCI device on a PCIe-only guest")
        case .addressSlotRange:
            Entry(.finding(.error), "check, plan",
                  "slot 0 on pci-root / pcie-root / pci-bridge / pcie-to-pci-bridge, or a slot other than 0 behind a root or downstream port (libvirt rejects)",
                  mirrors: [.libvirt("Invalid PCI address %s. slot must be >= %zu"),
                            .libvirt("Invalid PCI address %s. slot must be <= %zu")])
        case .addressIncompatible:
            Entry(.finding(.error), "check, plan",
                  "the bus cannot take this kind of device (libvirt's connection rules with its relaxations for explicit addresses), or the PIIX3 IDE/USB controller on a non-PCI bus 0",
                  mirrors: [.libvirt("The device at PCI address %s cannot be plugged into the PCI controller with index='%d'. It requires a controller that accepts a %s."),
                            .libvirt("The device at PCI address %s requires hotplug capability, but the PCI controller with index='%d' doesn't support hotplug"),
                            .libvirt("The device at PCI address %s has unrecognized connection type flags 0x%.2x"),
                            .libvirt("Bus 0 must be PCI for integrated PIIX3 USB or IDE controllers")])
        case .addressIntegrated:
            Entry(.finding(.error), "check, plan", "an integrated device (virtio IOMMU) not on bus 0 (libvirt rejects)",
                  mirrors: [.libvirt("The device at PCI address %s needs to be an integrated device (bus=0)")])
        case .addressReserved:
            Entry(.finding(.error), "check, plan",
                  "a device on a chipset function: pc 00:01.0 (PIIX3), 00:01.1 (IDE: libvirt refuses with an IDE controller, QEMU without), 00:01.2 (when USB 0 is the PIIX3 UHCI), 00:01.3 (ACPI); q35 00:1f.0 (LPC), 00:1f.2 (SATA), 00:1f.3 (SMBus)",
                  mirrors: [.libvirt("Attempted double use of PCI Address %s"),
                            .qemu("PCI: slot %d function %d not available for %s, in use by %s")])
        case .addressWrongType:
            Entry(.finding(.error), "check, plan",
                  "a virtio disk with an address type other than pci, ccw or virtio-mmio (libvirt rejects)",
                  mirrors: [.libvirt("virtio disk cannot have an address of type '%s'")])

        // multifunction
        case .multifunctionOff:
            Entry(.finding(.error), "check, plan",
                  "function 0 says `multifunction='off'` while other functions of its slot are used (QEMU refuses)",
                  mirrors: [.qemu("PCI: %x.0 indicates single function, but %x.%x is already populated.")],
                  otherwise: (.warning, "plan, which writes what libvirt stores"))
        case .multifunctionNoFunctionZero:
            Entry(.finding(.warning), "check",
                  "functions ≥ 1 of a slot are used but function 0 is empty: most guests never scan that slot")
        case .multifunctionDerived:
            Entry(.finding(.note), "check",
                  "function 0 has no `multifunction`, other functions are used: libvirt sets `multifunction='on'` and stores it")
        case .multifunctionNotExplicit:
            Entry(.finding(.error), "check, plan",
                  "with `--multifunction explicit`: functions ≥ 1 used and function 0 lacks `multifunction='on'`; fix-it adds it",
                  mirrors: [.qemu("PCI: single function device can't be populated in function %x.%x")])

        // controllers
        case .controllerDuplicateIndex:
            Entry(.finding(.error), "check, plan", "two controllers of one type (not USB) with one index (libvirt rejects)",
                  mirrors: [.libvirt("Multiple '%s' controllers with index '%d'")])
        case .controllerRootIndex:
            Entry(.finding(.error), "check, plan", "pci-root / pcie-root with an index other than 0 (libvirt rejects)",
                  mirrors: [.libvirt("pci-root and pcie-root controllers should have index 0")])
        case .controllerWrongRoot:
            Entry(.finding(.error), "check, plan", "the PCI controller with index 0 is not the machine's root model (libvirt rejects)",
                  mirrors: [.libvirt("The PCI controller with index='0' must be model='%s' for this machine type, but model='%s' was found instead")])
        case .controllerRootAddress:
            Entry(.finding(.error), "check, plan", "pci-root / pcie-root with an `<address>` (libvirt rejects)",
                  mirrors: [.libvirt("pci-root and pcie-root controllers should not have an address")])
        case .controllerBadIndex:
            Entry(.finding(.error), "check, plan", "a controller index that is negative or not decimal (libvirt rejects)",
                  mirrors: [.libvirt("Invalid value for attribute '%s' in element '%s': '%s'. Expected non-negative value"),
                            .libvirt("Invalid value for attribute '%s' in element '%s': '%s'. Expected integer value")])
        case .controllerIndexTooHigh:
            Entry(.finding(.error), "check, plan", "a PCI controller index above 255 (libvirt rejects)",
                  mirrors: [.libvirt("PCI controller index %d too high, maximum is %d")])
        case .controllerBadModel:
            Entry(.finding(.error), "check, plan", "a PCI controller without a model (index ≠ 0) or with an unknown one")
        case .controllerIndexNotAboveBus:
            Entry(.finding(.error), "check, plan", "a pci-bridge whose index is not larger than the bus it sits on (libvirt rejects)",
                  mirrors: [.libvirt("PCI controller at index %d (0x%02x) has bus='0x%02x', but index must be larger than bus")])
        case .controllerOption:
            Entry(.finding(.error), "check, plan",
                  "a `<target>` option the controller model does not have (chassisNr: pci-bridge; chassis/port: root and downstream ports; busNr: expander buses; hotplug: pci-root, root and downstream ports), a value out of range (busNr 1–254, chassisNr 1–255, chassis/port 0–255), or an expander bus on a NUMA node the domain does not have (libvirt rejects)",
                  mirrors: [.libvirt("Option '%s' is not valid for PCI controller with index '%d', model '%s' and modelName '%s'"),
                            .libvirt("PCI controller %s '%d' out of range - must be %d-%d"),
                            .libvirt("%s with index %d is configured for a NUMA node (%d) not present in the domain's <cpu><numa> array (%zu)")])
        case .controllerMachine:
            Entry(.finding(.error), "check, plan",
                  "PCI Express controllers on pc, pci-expander-bus on q35 and virt, pcie-expander-bus on pc and riscv64 virt; IDE other than pc's PIIX3 controller (an IDE controller other than index 0, an IDE disk beyond hdd, any IDE on q35 and virt) (libvirt rejects)",
                  mirrors: [.libvirt("pci-expander-bus controllers are only supported on 440fx-based machinetypes"),
                            .libvirt("pcie-expander-bus controllers are not supported with this machine type"),
                            .libvirt("Only a single IDE controller is supported for this machine type"),
                            .libvirt("Only 1 IDE controller is supported"),
                            .libvirt("IDE controllers are unsupported for this QEMU binary or machine type")])
        case .controllerUSBDisabled:
            Entry(.finding(.error), "check, plan",
                  "another USB controller beside a USB controller with `model='none'`, which disables USB (libvirt rejects)",
                  mirrors: [.libvirt("Can't add another USB controller: USB is disabled for this domain")])
        case .controllerUSBDeviceDisabled:
            Entry(.finding(.error), "check, plan",
                  "a USB input device or disk while `model='none'` disables USB, or a device that needs a USB port on a virt machine without a USB controller (libvirt adds none there; libvirt rejects)",
                  mirrors: [.libvirt("USB is disabled for this domain, but USB devices are present in the domain XML"),
                            .libvirt("Can't add USB input device. USB bus is disabled")])
        case .controllerUSBCompanionNoMaster:
            Entry(.finding(.error), "check, plan",
                  "USB companions (ich9-uhci1/2/3 or `<master>`) but no USB controller they can attach to anywhere in the XML (libvirt rejects)",
                  mirrors: [.libvirt("No master USB controller specified")])
        case .controllerUSBCompanionIndex:
            Entry(.finding(.warning), "check",
                  "USB companions without a master of their own index: libvirt accepts the definition but cannot start the guest",
                  mirrors: [.qemu("masterbus not found")])
        case .controllerUSBDuplicateIndex:
            Entry(.finding(.error), "check, plan", "two USB controllers that are not companions with one index (libvirt rejects)",
                  mirrors: [.libvirt("Duplicate USB controllers with index %u")])
        case .controllerBusOrder:
            Entry(.finding(.error), "check, plan",
                  "a PCI controller on the bus of a controller with a higher index, e.g. a switch upstream port in a later root port: QEMU creates PCI controllers in index order (QEMU refuses)",
                  mirrors: [.qemu("Bus '%s' not found")],
                  otherwise: (.warning, "plan, which writes what libvirt stores"))
        case .controllerBusNr:
            Entry(.finding(.error), "check, plan",
                  "two expander buses (pci-expander-bus, pcie-expander-bus) with one `busNr`, written or filled in: libvirt accepts them, QEMU refuses the second (QEMU refuses)",
                  mirrors: [.qemu("Bus %d is already in use")],
                  otherwise: (.warning, "plan, which writes what libvirt stores"))
        case .chipsetFixed:
            Entry(.finding(.error), "check, plan",
                  "IDE 0 / PIIX3 USB 0 (pc) or SATA 0 (q35) placed away from its chipset address (libvirt rejects)",
                  mirrors: [.libvirt("Primary IDE controller must have PCI address 0:0:1.1"),
                            .libvirt("PIIX3 USB controller at index 0 must have PCI address 0:0:1.2"),
                            .libvirt("Primary SATA controller must have PCI address 0:0:1f.2")])

        // devices
        case .deviceUnsupported:
            Entry(.finding(.error), "check, plan",
                  "a device QEMU 7.2 no longer provides, such as a `<shmem>` without a model (legacy ivshmem; libvirt rejects)",
                  mirrors: [.libvirt("ivshmem device is not supported with this QEMU binary")])
        case .deviceAddressType:
            Entry(.finding(.error), "check, plan",
                  "an address type the device cannot have: PCI on an ide/fdc/scsi/sata or usb disk, any address on a ramfb video, non-PCI on a virtio IOMMU or a vfio-pci mdev, virtio-mmio on a vhost-scsi host device, a `<zpci>` extension on x86 (libvirt rejects)",
                  mirrors: [.libvirt("Invalid address type '%s' for the disk '%s' with the bus type '%s'"),
                            .libvirt("unexpected address type for usb disk"),
                            .libvirt("address not supported for video type %s"),
                            .libvirt("IOMMU device: '%s' needs a PCI address"),
                            .libvirt("Unsupported address type '%s' with mediated device model '%s'"),
                            .libvirt("SCSI_host host device must use 'pci' or 'ccw' address type"),
                            .libvirt("This QEMU binary doesn't support zPCI")])
        case .hostdevDuplicate:
            Entry(.finding(.error), "check, plan",
                  "the same host device (PCI address, mdev UUID, vhost-scsi WWPN, USB device) passed through twice (libvirt rejects)",
                  mirrors: [.libvirt("Hostdev already exists in the domain configuration")])
        case .deviceMachine:
            Entry(.finding(.error), "check, plan", "a device the machine's QEMU refuses: ramfb on riscv64 virt (QEMU refuses)",
                  mirrors: [.qemu("ramfb device requires fw_cfg with DMA")],
                  otherwise: (.warning, "plan, which writes what libvirt stores"))

        // virtio-mmio on the virt boards
        case .virtioMMIOTransitional:
            Entry(.finding(.error), "check, plan",
                  "a `virtio-transitional` / `virtio-non-transitional` device on virtio-mmio (written, or moved there by libvirt because another device uses virtio-mmio): QEMU has only the plain `-device` variant (QEMU refuses)",
                  mirrors: [.qemu("'%s' is not a valid device model name")],
                  otherwise: (.warning, "plan, which writes what libvirt stores"))
        case .virtioMMIONotVirtio:
            Entry(.finding(.error), "check, plan",
                  "a SCSI controller that is not virtio-scsi (lsilogic) on virtio-mmio: libvirt starts it without bus or address; QEMU refuses with a pcie-expander-bus or when a later device is planned into the slot QEMU gives it",
                  mirrors: [.qemu("PCI: Only PCI/PCIe bridges can be plugged into pxb-pcie"),
                            .qemu("PCI: slot %d function 0 not available for %s, in use by %s")],
                  otherwise: (.warning, "plan, and where QEMU gives it a slot nothing else is planned for (it runs, at an address libvirt does not store)"))
        case .virtioMMIOTooMany:
            Entry(.finding(.error), "check, plan",
                  "more virtio devices on virtio-mmio than the board has transports (32 on ARM virt, 8 on riscv64 virt) (QEMU refuses)",
                  mirrors: [.qemu("No 'virtio-bus' bus found for device '%s'")],
                  otherwise: (.warning, "plan, which writes what libvirt stores"))

        // planning
        case .planCannotAddController:
            Entry(.finding(.error), "check, plan", "libvirt would need a new controller it cannot add automatically",
                  mirrors: [.libvirt("Cannot automatically add a new PCI bus for a device with connect flags %.2x"),
                            .libvirt("a PCI slot is needed to connect a PCI controller model='%s', but none is available, and it cannot be automatically added")])
        case .planBusNr:
            Entry(.finding(.error), "check, plan", "no free busNr is left for an expander bus",
                  mirrors: [.libvirt("No free busNr lower than current lowest busNr is available to auto-assign to bus %d. Must be manually assigned")])
        case .planKeep:
            Entry(.finding(.error), "plan --keep", "the old layout cannot be kept: an address, a multifunction bit, or a kept device's guest address (no place after every kept bus takes a new bridge or port)",
                  otherwise: (.warning, "NEW moves a kept device explicitly, changes its connect kind or replaces a controller model"))
        case .planLock:
            Entry(.finding(.error), "plan --keep LOCK",
                  "the ABI lock file given to --keep cannot be read: it is not JSON, not a pciplan lock, has a field of the wrong type, or was written with a newer lock schema than this pciplan reads")
        case .planSpares:
            Entry(.finding(.error), "plan --hotplug-ports, --hotplug-slots",
                  "the spare ports or slots asked for cannot be had: ports on a conventional PCI machine, slots on a PCI Express one, no `<devices>`, or the controllers for them cannot be planned",
                  otherwise: (.note, "naming the controllers added for them"))
        case .planHostGroup:
            Entry(.finding(.warning), "plan --group-host-functions",
                  "functions of one host slot are not put in one guest slot: its function 0 is not passed through, or has a written guest address that is not their group's slot; they get libvirt's own slots")
        case .internalError:
            Entry(.finding(.error), "any", "a broken internal invariant of pciplan: please report it")

        // hot-plug
        case .guestBusOverflow:
            Entry(.finding(.warning), "check, plan",
                  "an expander bus whose range of guest bus numbers (from its busNr) goes past 255: the firmware cannot number it, SeaBIOS hangs at boot and OVMF boots without the devices there")
        case .guestNextControllerRenumbers:
            Entry(.finding(.warning), "check",
                  "the next pci-bridge (pc) or pcie-root-port (q35, virt) libvirt adds would be enumerated before existing bridges, so the guest would renumber their buses and rename the devices there (`enp…`, by-path); `plan --keep` avoids it")
        case .hotplugNoFreePort:
            Entry(.finding(.warning), "check",
                  "a PCI Express guest has no free hot-pluggable port: the next hot-plug fails, because a running guest gets no new controller",
                  mirrors: [.libvirt("No more available PCI slots")])
        case .attachUnsupported:
            Entry(.finding(.error), "attach",
                  "libvirt cannot hot-plug this kind of device (`--live`), or refuses the device itself before it plugs anything: a PCI controller without every option written, virtiofs without shared memory, a kind without persistent attach (`--config`)",
                  mirrors: [.libvirt("live attach of device '%s' is not supported"),
                            .libvirt("'%s' controller cannot be hot plugged."),
                            .libvirt("only virtiofs filesystems can be hotplugged"),
                            .libvirt("floppy device hotplug isn't supported"),
                            .libvirt("disk bus '%s' cannot be hotplugged."),
                            .libvirt("Required option '%s' is not set for PCI controller with index '%d', model '%s' and modelName '%s'"),
                            .libvirt("'virtiofs' requires shared memory"),
                            .libvirt("persistent attach of device '%s' is not supported")])
        case .attachFunction:
            Entry(.finding(.error), "attach --live", "a hot-plugged device's address must be function 0",
                  mirrors: [.libvirt("Only PCI device addresses with function=0 are supported")])
        case .attachNotHotpluggable:
            Entry(.finding(.error), "attach --live", "the given bus does not take hot-plugged devices",
                  mirrors: [.libvirt("The device at PCI address %s requires hotplug capability, but the PCI controller with index='%d' doesn't support hotplug")])
        case .attachNoSlot:
            Entry(.finding(.error), "attach --live", "no hot-pluggable slot is free, and a running guest gets no new controller",
                  mirrors: [.libvirt("No more available PCI slots"), .libvirt("No PCI buses available")])
        case .attachQEMURefuses:
            Entry(.finding(.error), "attach --live",
                  "libvirt goes on but QEMU refuses the hot-plug: a pc root bus without ACPI, an IDE or SATA disk",
                  mirrors: [.libvirt("disk bus '%s' cannot be hotplugged."),
                            .qemu("unable to execute QEMU command 'device_add': Bus '%s' does not support hotplugging")])
        case .attachInput:
            Entry(.finding(.error), "attach",
                  "the device or domain file is not one device element and a domain with `<devices>` (several elements inside `<devices>` only with `--live --qmp`; or not XML: the reader's message)")
        case .attachSlot:
            Entry(.finding(.error), "attach --live --qmp",
                  "the devices cannot be the functions of one slot: more than 8, one takes no PCI slot, different slots or one function asked for twice, no function 0, function 0 with `multifunction='off'`")
        case .attachQMPBackend:
            Entry(.finding(.error), "attach --live --qmp",
                  "pciplan cannot render the device's QEMU backend as QMP commands (only `<interface type='user'>`, PCI `<hostdev>`, `<rng>` random/builtin, virtio `<input>`, virtio disks with a local file or block device, SCSI controllers, the i6300esb watchdog)")
        case .detachNoDevice:
            Entry(.finding(.error), "detach", "no device has the given alias, disk target, MAC or address")
        case .detachRefused:
            Entry(.finding(.error), "detach --live",
                  "libvirt refuses to hot-unplug the device (a shared slot, `hotplug='off'`, a kind it cannot unplug), or QEMU refuses the `device_del` on a bus without hot-plug",
                  mirrors: [.libvirt("cannot hot unplug %s device with multifunction PCI guest address: %s"),
                            .libvirt("cannot hot unplug %s device with PCI guest address: %s - not allowed by controller"),
                            .libvirt("disk device type '%s' cannot be detached"),
                            .libvirt("This type of disk cannot be hot unplugged"),
                            .libvirt("'%s' controller cannot be hot unplugged."),
                            .libvirt("only virtiofs filesystems can be hotplugged"),
                            .libvirt("live detach of device '%s' is not supported"),
                            .qemu("unable to execute QEMU command 'device_del': Bus '%s' does not support hotplugging")])
        case .detachMultifunction:
            Entry(.finding(.warning), "detach",
                  "function 0 of a slot leaves while other functions stay: a guest does not look for functions of a slot whose function 0 is empty",
                  otherwise: (.note, "when a function ≥ 1 leaves and function 0 keeps `multifunction='on'`"))

        // diff (Docs/abi.md explains each severity)
        case .diffMoved:
            Entry(.change(.breaking), "diff",
                  "the device's PCI address changed, or it gained or lost a PCI address of the same kind")
        case .diffUpstream:
            Entry(.change(.breaking), "diff",
                  "same address, but the bus it names hangs off another controller chain: the guest's device path changed")
        case .diffMultifunction:
            Entry(.change(.breaking), "diff", "function 0 of a slot gains or loses `multifunction='on'`")
        case .diffConnectKind:
            Entry(.change(.breaking), "diff", "the device changes between conventional PCI and PCI Express")
        case .diffDeviceChanged:
            Entry(.change(.breaking), "diff",
                  "same place, but the guest sees another device there: its QEMU device, vendor/device or subsystem ids or class code change (a NIC model, the primary video's VGA variant)")
        case .diffController:
            Entry(.change(.breaking), "diff", "a controller's model, or a PCI controller's QEMU device (`<model name>`), changed",
                  mirrors: [.libvirt("Target controller model does not match source")])
        case .diffControllerTarget:
            Entry(.change(.warning), "diff", "a PCI controller's chassisNr, chassis, port or busNr changed")
        case .diffDisplaced:
            Entry(.change(.warning), "diff", "a device new in NEW takes an address a removed or moved device had")
        case .diffGuestRenamed:
            Entry(.change(.breaking), "diff",
                  "same libvirt address, but the guest sees the device at another address: a bridge or port added, moved or removed before its bus in the firmware's enumeration renumbers it, so `enp…` names and by-path links change (a SCSI, SATA or IDE disk with its controller)")
        case .diffAdded:
            Entry(.change(.info), "diff", "a device is added, or becomes a PCI device")
        case .diffRemoved:
            Entry(.change(.info), "diff", "a device is removed, or stops being a PCI device")
        }
    }
}
