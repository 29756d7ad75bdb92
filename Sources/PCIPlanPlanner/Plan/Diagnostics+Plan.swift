import PCIPlanModel
import PCIPlanSource

/// The messages of the planner (`Planner`): where libvirt's address assignment fails, the
/// message is libvirt's own. Severities and summaries are in the catalogue (`DiagnosticID`);
/// the templates the checker shares (a virtio disk's address type) are in Diagnostics+Check.swift.
extension Diagnostic {
    /// libvirt's address set refused an address (rule `id`). `device` names the device the
    /// planner was placing (nil for an explicit address, whose element the range points at);
    /// `declared` is the device already there.
    static func planFailure(_ id: DiagnosticID, device: String?, libvirtMessage: String, at range: SourceRange?,
                            declared: (name: String, at: SourceRange?)?) -> Diagnostic {
        let prefix = device.map { "cannot place \($0): " } ?? ""
        let notes: [Note] = declared.map { [.init("\($0.name) is declared here", at: $0.at)] } ?? []
        return Diagnostic(id, "\(prefix)\(libvirtMessage)", at: range, notes: notes + [.libvirtRejects(libvirtMessage)])
    }

    /// A failure libvirt's algorithm rules out: the dry run grows the topology until every
    /// device has a slot, and first fit picks only addresses the bus accepts. Reaching it means
    /// the planner and the address set disagree, which is a bug.
    static func plannerBug(device: String, libvirtMessage: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.internalError,
            "pciplan bug: placing \(device) failed where libvirt's dry run guarantees a place: \(libvirtMessage)", at: range)
    }

    /// A PCI controller model the address set cannot build a bus for (the checker's preflight
    /// reports unknown models first).
    static func unknownBusModel(index: Int, model: String?, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerBadModel, "PCI controller index \(index) has no model libvirt knows (model='\(model ?? "")')", at: range)
    }

    static func piix3OffPCIBus(at range: SourceRange?) -> Diagnostic {
        Diagnostic(.addressIncompatible, "bus 0 must be conventional PCI for the integrated PIIX3 USB or IDE controller",
                   at: range, notes: [.libvirtRejects(LibvirtText.piix3OffPCIBus)])
    }

    /// libvirt's dry run moved an explicit conventional PCI address on a PCI Express guest.
    static func busBumpedByDryRun(_ name: String, asked a: PCIAddress, got: PCIAddress, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.addressBusAdded,
            "\(name) asks for \(a), but bus \(a.bus) does not exist: libvirt adds a pcie-root-port and a pcie-to-pci-bridge and rewrites the address to \(got)",
            at: range)
    }

    /// A chipset controller (`name`, built into `chip`) whose written address is not `fixed`.
    static func chipsetFixedPlanned(_ name: String, chip: String, fixed: PCIAddress, placed: PCIAddress, libvirt: String,
                                    at range: SourceRange?) -> Diagnostic {
        chipsetFixed(name, chip: chip, fixed: fixed, placed: placed, libvirt: libvirt, at: range,
                     fixIts: [FixIt("remove the <address> element or write \(fixed.xml(multifunction: .absent))")])
    }

    /// The topology needs a PCI controller index above 255 (libvirt checks after assignment).
    static func plannedIndexTooHigh(_ index: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerIndexTooHigh,
            "planning needs PCI controller index \(index), but 255 is the highest; the devices do not fit on this topology",
            at: range, notes: [.libvirtRejects(LibvirtText.indexTooHigh(index))])
    }

    /// No busNr below `lowest` is free for expander bus `name` (on bus `bus`).
    static func noFreeBusNr(_ name: String, below lowest: Int, bus: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.planBusNr,
            "no free busNr below \(lowest) is left for \(name); set <target busNr=…/> by hand",
            at: range,
            notes: [.libvirtRejects("No free busNr lower than current lowest busNr is available to auto-assign to bus \(bus). Must be manually assigned")])
    }

    // MARK: plan --group-host-functions

    /// Host functions `functions` of `hostSlot` without their function 0: not grouped.
    static func hostGroupWithoutFunctionZero(_ functions: [String], hostSlot: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.planHostGroup,
            "host functions \(functions.joined(separator: ", ")) are not grouped: function 0 of host slot \(hostSlot) is not passed through, and a guest does not scan a slot without function 0; each gets its own slot, as libvirt gives it",
            at: range, fixIts: [FixIt("pass \(hostSlot).0 through as well, or write the guest addresses of these functions")])
    }

    /// Host function `function` cannot join its function 0 (`zero`, labelled `zeroLabel`), whose
    /// written guest address `written` is not a group's slot (`why`).
    static func hostGroupNotJoined(_ function: String, zero: String, zeroLabel: String, zeroAt: SourceRange?, written: PCIAddress,
                                   why: String, lacksMultifunction: Bool, hostSlot: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.planHostGroup,
            "host function \(function) is not grouped with its host function 0: \(zeroLabel) has the written guest address \(written), \(why), and written addresses are left alone; it gets its own slot, as libvirt gives it",
            at: range, notes: [.init("\(zero) is declared here", at: zeroAt)],
            fixIts: [FixIt(lacksMultifunction
                ? "write multifunction='on' on the address of \(zero) so its host functions join its slot"
                : "remove the guest addresses of the functions of host slot \(hostSlot) so they are planned as one group")])
    }

    /// Host function `function` cannot join its group's slot at `target`: `other` uses it.
    static func hostGroupSlotTaken(_ function: String, zeroLabel: String, target: PCIAddress, other: String, otherAt: SourceRange?,
                                   at range: SourceRange?) -> Diagnostic {
        Diagnostic(.planHostGroup,
            "host function \(function) cannot join the guest slot of \(zeroLabel) at \(target): \(other) uses it; it gets its own slot, as libvirt gives it",
            at: range, notes: [.init("\(other) is declared here", at: otherAt)])
    }

    /// A pci-bridge that ends up on a bus whose number is not below its index: libvirt's first fit
    /// takes the first free slot that accepts a pci-bridge, and when no bus below the bridge's
    /// index has one, that slot is on the bridge's own bus (or one after it). `explicit`: the
    /// bridge's address is written; `addedBecause`: libvirt added the bridge, and why; `range` is
    /// the element at fault (for an added bridge, the device it was added for), `controllerAt`
    /// the bridge's element when it has one.
    static func plannedBridgeIndexNotAboveBus(index: Int, bus: Int, explicit: Bool, addedBecause: String?, pcie: Bool,
                                              at range: SourceRange?, controllerAt: SourceRange?) -> Diagnostic {
        let busHex = "0x\(hex(bus, 2))"
        let which = bus == index ? "its own bus \(busHex)" : "bus \(busHex), which comes after it"
        let what: String
        if explicit {
            what = "pci-bridge index \(index) is placed on bus \(busHex)"
        } else if let why = addedBecause {
            what = "libvirt adds pci-bridge index \(index) (\(why)), and the first free slot that takes it is on \(which)"
        } else {
            what = "pci-bridge index \(index) has no address, and the first free slot that takes it is on \(which)"
        }
        // On a PCI Express machine only a pcie-to-pci-bridge or dmi-to-pci-bridge gives a bus a
        // pci-bridge can plug into; on pc, pci-root does.
        let host = pcie ? "a pcie-to-pci-bridge" : "pci-root (bus 0x00)"
        let fix = pcie
            ? "declare a pcie-to-pci-bridge with an index below \(index) for the pci-bridge to plug into, or use a pcie-to-pci-bridge instead of the pci-bridge"
            : "free a slot on pci-root (bus 0x00) or on a bridge with an index below \(index), and give the pci-bridge an <address> there"
        let declared: [Note] = controllerAt.map { $0 == range ? [] : [.init("pci-bridge index \(index) is declared here", at: $0)] } ?? []
        return Diagnostic(.controllerIndexNotAboveBus,
            "\(what), but a pci-bridge must plug into a bus with a lower index than its own, and no bus below index \(index) (such as \(host)) has a free slot for it",
            at: range, notes: declared + [.libvirtRejects(LibvirtText.indexNotAboveBus(index, bus: bus))],
            fixIts: [FixIt(fix)])
    }

    /// A PCI controller (`model`, index `index`) with no address that libvirt cannot place:
    /// no bus has a free slot that takes it, and libvirt's dry run adds buses only for endpoint
    /// devices (it adds a root port or bridge for a PCIe or PCI device, never a bus for another
    /// controller). `addedBecause`: libvirt added the controller, and why; `range` is the element
    /// at fault (for an added controller, the device it was added for).
    static func cannotPlaceController(_ model: ControllerModel, index: Int, flags: ConnectFlags, addedBecause: String?, pcie: Bool,
                                      libvirtMessage: String, at range: SourceRange?, controllerAt: SourceRange?) -> Diagnostic {
        let label = "\(model.rawValue) index \(index)"
        // The models whose bus takes this controller, among those of this machine family.
        let pcieOnly: Set<ControllerModel> = [.pcieRoot, .pcieExpanderBus, .dmiToPCIBridge, .pcieToPCIBridge, .pcieRootPort,
                                              .pcieSwitchUpstreamPort, .pcieSwitchDownstreamPort]
        let takes = ControllerModel.allCases.filter {
            !$0.busFlags(hotplug: true).intersection(flags).intersection(.typesMask).isEmpty
                && (pcie ? ![.pciRoot, .pciExpanderBus].contains($0) : !pcieOnly.contains($0))
        }.map(\.rawValue)
        func list(_ word: String) -> String {
            takes.count > 1 ? takes.dropLast().joined(separator: ", ") + " \(word) " + takes[takes.count - 1] : takes.joined()
        }
        let what = addedBecause.map { "libvirt adds \(label) (\($0)), but no bus has a free slot for it" }
            ?? "\(label) has no address, and no bus has a free slot for it"
        let fix: String
        switch model {
        case .pcieRootPort:
            fix = "free a slot on pcie-root (bus 0x00) or a pcie-expander-bus: move a device written on bus 0x00 behind a pcie-root-port, or write root ports as functions 1–7 of one slot (multifunction='on' on function 0)"
        case .pcieToPCIBridge:
            fix = "declare one more pcie-root-port with an index below \(index) for it (QEMU creates controllers in index order), or give it an <address> on a free \(list("or"))"
        case .pciBridge where pcie:
            fix = "declare a pcie-to-pci-bridge with an index below \(index) for it, or free a slot on a \(list("or"))"
        case .pciBridge where addedBecause != nil:
            // libvirt's dry run adds the bridges after the devices it reserved slots for; declared
            // bridges are placed first. One more than libvirt adds is often, not always, enough.
            fix = "declare the pci-bridges yourself, one more than libvirt adds (<controller type='pci' index='\(index)' model='pci-bridge'/> and index \(index + 1)), or free a slot on pci-root (bus 0x00); then check again"
        default:
            fix = "free a slot on a \(list("or")) and give \(label) an <address> there"
        }
        let notes: [Note] = controllerAt.map { $0 == range ? [] : [.init("\(label) is declared here", at: $0)] } ?? []
        return Diagnostic(.planCannotAddController,
            "\(what): only \(list("and")) take\(takes.count == 1 ? "s" : "") a \(model.rawValue), and libvirt adds new buses only for devices, not for a controller",
            at: range, notes: notes + [.libvirtRejects(libvirtMessage)], fixIts: [FixIt(fix)])
    }
}
