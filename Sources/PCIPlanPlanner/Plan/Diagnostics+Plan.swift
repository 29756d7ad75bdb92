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

    /// A pci-bridge planned onto a bus whose number is not below its index.
    static func plannedBridgeIndexNotAboveBus(index: Int, bus: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerIndexNotAboveBus,
            "pci-bridge index \(index) sits on bus \(bus); a bridge's index must be larger than the bus it plugs into",
            at: range, notes: [.libvirtRejects(LibvirtText.indexNotAboveBus(index, bus: bus))])
    }
}
