/// What every stage's message templates share: the severity comes from the catalogue, and
/// libvirt's and QEMU's own words are quoted the same way everywhere.
extension Diagnostic {
    /// A finding of rule `id` at the catalogue's severity for it, or at `severity` for the few
    /// templates the catalogue lists under `otherwise`.
    package init(_ id: DiagnosticID, _ message: String, at range: SourceRange?, notes: [Note] = [],
                 fixIts: [FixIt] = [], severity: Severity? = nil) {
        self.init(id, severity ?? id.severity, message, at: range, notes: notes, fixIts: fixIts)
    }

    // MARK: input (the reader's own templates are in PCIPlanModel)

    /// `input.xml`: the reader's reason (libxml2's message, or the limit it enforces).
    package static func inputXML(_ reason: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.inputXML, reason, at: range)
    }

    /// `input.xml` for an input the command line refuses to read in full.
    package static func inputTooLarge(file: String, limitMiB: Int) -> Diagnostic {
        Diagnostic(.inputXML,
            "the input is larger than the \(limitMiB) MiB limit; domain XML is far smaller, so this is not a domain definition",
            at: SourceRange(file: file, start: 0, end: 0))
    }
}

extension Diagnostic.Note {
    /// libvirt's own message for a definition it refuses (one of the rule's `mirrors`).
    package static func libvirtRejects(_ message: String) -> Diagnostic.Note {
        .init("libvirt 9.0 rejects this definition: \(message)")
    }

    /// For what libvirt accepts but QEMU refuses to start.
    package static func qemuRefuses(_ message: String) -> Diagnostic.Note {
        .init("libvirt 9.0 accepts this definition, but QEMU 7.2 refuses to start it: \(message)")
    }

    /// QEMU's own message, where the diagnostic already says that QEMU refuses to start.
    package static func qemuSays(_ message: String) -> Diagnostic.Note {
        .init("QEMU 7.2: \(message)")
    }

    // MARK: hot-plug (`virsh attach-device`, `detach-device`)

    /// libvirt's own message for an attach it refuses (one of the rule's `mirrors`).
    package static func libvirtRefusesAttach(_ message: String) -> Diagnostic.Note {
        .init("libvirt 9.0 refuses the attach: \(message)")
    }

    /// libvirt's message for an attach it would refuse, when no attach is asked for yet
    /// (`hotplug.noFreePort`).
    package static func libvirtWouldRefuseAttach(_ message: String) -> Diagnostic.Note {
        .init("libvirt 9.0 refuses such an attach: \(message)")
    }

    /// libvirt's own message for a detach it refuses.
    package static func libvirtRefusesDetach(_ message: String) -> Diagnostic.Note {
        .init("libvirt 9.0 refuses the detach: \(message)")
    }

    /// QEMU's refusal of the monitor command libvirt sent for a hot-plug (`device_add`) or an
    /// unplug (`device_del`), as libvirt reports it. `libvirt` says what libvirt did first
    /// (`libvirt 9.0 picks 0000:00:05.0`); `refuses` is what QEMU refuses (`refuses the hot-plug`).
    package static func qemuRefusesHotplug(_ command: String, _ message: String, after libvirt: String,
                                           refuses: String = "refuses") -> Diagnostic.Note {
        .init("\(libvirt), and QEMU 7.2 \(refuses): unable to execute QEMU command '\(command)': \(message)")
    }
}

/// QEMU 7.2's messages that more than one rule quotes.
package enum QEMUText {
    /// QEMU's slot.function form (`4.1`, `1a.0`).
    package static func function(_ slot: Int, _ fn: Int) -> String { "\(String(slot, radix: 16)).\(fn)" }

    /// `multifunction.offWithFunctions`: function 0 says single-function, another is used.
    package static func singleFunction(slot: Int, populated fn: Int) -> String {
        "PCI: \(function(slot, 0)) indicates single function, but \(function(slot, fn)) is already populated."
    }

    /// `multifunction.notExplicit`: a function ≥ 1 without the bit on function 0.
    package static func singleFunctionDevice(slot: Int, function fn: Int) -> String {
        "PCI: single function device can't be populated in function \(function(slot, fn))"
    }

    /// A hot-plug or unplug on a bus without hot-plug (`attach.qemuRefuses`, `detach.refused`).
    package static func busNotHotpluggable(_ bus: String) -> String {
        "Bus '\(bus)' does not support hotplugging"
    }
}
