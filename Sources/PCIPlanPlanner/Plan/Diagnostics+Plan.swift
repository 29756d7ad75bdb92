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

    /// A pci-bridge planned onto a bus whose number is not below its index.
    static func plannedBridgeIndexNotAboveBus(index: Int, bus: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerIndexNotAboveBus,
            "pci-bridge index \(index) sits on bus \(bus); a bridge's index must be larger than the bus it plugs into",
            at: range, notes: [.libvirtRejects(LibvirtText.indexNotAboveBus(index, bus: bus))])
    }
}
