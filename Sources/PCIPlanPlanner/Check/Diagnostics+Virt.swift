import PCIPlanModel
import PCIPlanSource

/// The messages of the checks that matter on the `virt` boards (`Checker+VirtioMMIO.swift`):
/// what libvirt 9.0 refuses about virtio-mmio devices, and what it accepts but QEMU 7.2 refuses
/// to start. `severity` is the catalogue's (error) for `check` and its `otherwise` (warning) for
/// `plan`, which still writes what libvirt stores. Summaries are in the catalogue (`DiagnosticID`).
extension Diagnostic {
    /// A vhost-scsi host device on virtio-mmio (`where`: how it got there).
    static func vhostSCSIOnVirtioMMIO(_ name: String, where how: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.deviceAddressType,
            "\(name) \(how), but a vhost-scsi host device needs a PCI address",
            at: range, notes: [.libvirtRejects("SCSI_host host device must use 'pci' or 'ccw' address type")],
            fixIts: [FixIt("give it a PCI address: <address type='pci'/>")])
    }

    /// Gives a device on virtio-mmio a PCI address instead.
    static let keepOnPCI = FixIt("give it a PCI address (<address type='pci'/>) so it stays a PCI device")

    /// `keepOnPCI` for a SCSI controller libvirt adds itself (it has no element to edit):
    /// declare it, with a PCI address.
    static func keepOnPCI(addedSCSI index: Int?, model: String?) -> FixIt {
        FixIt("declare the controller libvirt adds, with a PCI address, so it stays a PCI device: <controller type='scsi' index='\(index ?? 0)' model='\(model ?? "lsilogic")'><address type='pci'/></controller>")
    }

    /// A transitional virtio model on virtio-mmio: libvirt asks QEMU for `qemu`, which does not exist.
    static func virtioMMIOTransitional(_ name: String, where how: String, qemu: String, severity: Severity,
                                       at range: SourceRange?) -> Diagnostic {
        Diagnostic(.virtioMMIOTransitional,
            "\(name) \(how), but only its PCI device has a transitional variant: libvirt asks QEMU for '\(qemu)'",
            at: range, notes: [.qemuRefuses(QEMUText.notADeviceModel(qemu))],
            fixIts: [keepOnPCI, FixIt("or use model='virtio'")], severity: severity)
    }

    /// `count` virtio devices on virtio-mmio, `transports` transports on the `board`: `first` is
    /// the first without one (QEMU type `qemu`), `last` the one that takes the last transport.
    static func virtioMMIOTooMany(count: Int, transports: Int, board: String, first: String, qemu: String,
                                  last: String, lastAt: SourceRange?, severity: Severity, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.virtioMMIOTooMany,
            "\(count) virtio devices are on virtio-mmio, but the \(board) board has \(transports) transports: \(first)\(count - transports > 1 ? " and the \(count - transports - 1) after it" : "") find none",
            at: range,
            notes: [.init("\(last) takes the last transport (QEMU creates them in command-line order)", at: lastAt),
                    .qemuRefuses("No 'virtio-bus' bus found for device '\(qemu)'")],
            fixIts: [FixIt("give \(count - transports) of them PCI addresses (<address type='pci'/>)")], severity: severity)
    }

    /// A ramfb video on a machine whose QEMU refuses it (`refusal`: QEMU's message).
    static func ramfbRefused(machine: String, refusal: String, severity: Severity, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.deviceMachine, "a ramfb video does not work on the \(machine) machine",
                   at: range, notes: [.qemuRefuses(refusal)], fixIts: [FixIt("use <model type='virtio'/>")], severity: severity)
    }

    /// A non-virtio SCSI controller on virtio-mmio, which QEMU tries to plug into the
    /// pcie-expander-bus `expander` first, and refuses.
    static func notVirtioBesideExpander(_ name: String, where how: String, expander: String, expanderAt: SourceRange?,
                                        fix: FixIt = keepOnPCI, severity: Severity, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.virtioMMIONotVirtio,
            "\(name) \(how), but it is not a virtio device: libvirt starts it without a bus or address, and QEMU tries the bus of \(expander) first",
            at: range,
            notes: [.init("\(expander) is declared here", at: expanderAt),
                    .qemuRefuses("PCI: Only PCI/PCIe bridges can be plugged into pxb-pcie")],
            fixIts: [fix], severity: severity)
    }

    /// A non-virtio SCSI controller on virtio-mmio that QEMU places at `placed` itself, where
    /// nothing else is planned: it runs, at an address libvirt does not store (a warning).
    static func notVirtioPlacedByQEMU(_ name: String, where how: String, placed: PCIAddress, fix: FixIt = keepOnPCI,
                                      at range: SourceRange?) -> Diagnostic {
        Diagnostic(.virtioMMIONotVirtio,
            "\(name) \(how), but it is not a virtio device: QEMU plugs it into \(placed) itself, an address libvirt does not store",
            at: range, fixIts: [fix], severity: .warning)
    }

    /// A non-virtio SCSI controller on virtio-mmio that QEMU places at `placed` (slot `slot` of
    /// bus 0, as QEMU type `qemuType` with id `alias`), where `planned` is planned.
    static func notVirtioInPlannedSlot(_ name: String, where how: String, placed: PCIAddress, slot: Int, qemuType: String,
                                       alias: String, planned: String, plannedAt: SourceRange?, fix: FixIt = keepOnPCI,
                                       severity: Severity, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.virtioMMIONotVirtio,
            "\(name) \(how), but it is not a virtio device: libvirt starts it without a bus or address, so QEMU plugs it into \(placed), the slot \(planned) is planned for",
            at: range,
            notes: [.init("\(planned) is planned for \(placed)", at: plannedAt),
                    .qemuRefuses("PCI: slot \(slot) function 0 not available for …, in use by \(qemuType),id=\(alias)")],
            fixIts: [fix], severity: severity)
    }

    /// PCI controller `name` on bus `bus` (QEMU's `busName`), which `parent`, a controller with
    /// a higher index, provides: QEMU creates them in index order and does not find the bus.
    static func controllerBusOrder(_ name: String, explicit: Bool, bus: Int, busName: String, parent: String,
                                   parentAt: SourceRange?, severity: Severity, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerBusOrder,
            "\(name) \(explicit ? "sits" : "is placed") on bus 0x\(hex(bus, 2)), which \(parent) provides, but QEMU creates PCI controllers in index order, so that bus does not exist yet",
            at: range,
            notes: [.init("\(parent) is declared here", at: parentAt), .qemuRefuses("Bus '\(busName)' not found")],
            fixIts: [FixIt("give \(name) an index above \(bus), or plug it into a controller with a lower index")], severity: severity)
    }
}

extension Diagnostic {
    /// Expander bus `name` starts at bus number `busNr`, which `other` (at `otherAt`) already
    /// starts at: QEMU refuses the second.
    static func duplicateBusNr(_ name: String, other: String, otherAt: SourceRange?, busNr: Int, severity: Severity,
                               at range: SourceRange?) -> Diagnostic {
        Diagnostic(.controllerBusNr,
            "\(name) and \(other) both start at bus number \(busNr); QEMU gives every expander bus a range of its own",
            at: range,
            notes: [.init("\(other) takes bus number \(busNr) here", at: otherAt), .qemuRefuses("Bus \(busNr) is already in use")],
            fixIts: [FixIt("give each expander bus its own busNr, far enough apart for the buses behind it")], severity: severity)
    }
}

extension QEMUText {
    /// QEMU's refusal of a `-device` type it does not have.
    static func notADeviceModel(_ type: String) -> String { "'\(type)' is not a valid device model name" }
}
