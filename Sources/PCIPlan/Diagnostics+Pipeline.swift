import PCIPlanModel
import PCIPlanOutput
import PCIPlanPlanner
import PCIPlanSource

/// The messages of the commands the umbrella composes from the stages: `attach` (the files
/// and what libvirt refuses about the device before it plugs anything), `detach` and
/// `plan --hotplug-ports/--hotplug-slots`. libvirt's words are the notes (`Note.libvirtRefusesAttach`,
/// `.libvirtRefusesDetach`), QEMU's when it refuses the `device_del` (`Note.qemuRefusesHotplug`).
/// Severities and summaries are in the catalogue (`DiagnosticID`).
extension Diagnostic {
    // MARK: attach

    /// The device or domain file is not what `attach` takes (`reason`).
    static func attachBadInput(_ reason: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.attachInput, reason, at: range)
    }

    /// The device file holds `count` elements inside `<devices>`; `qmpHint` when not asked for
    /// `--live --qmp`, which takes several.
    static func attachNotOneDevice(count: Int, qmpHint: Bool, at range: SourceRange) -> Diagnostic {
        attachBadInput("the device file holds \(count) device elements inside <devices>; libvirt attaches one device at a time"
                       + (qmpHint ? " (attach --live --qmp hot-adds several as the functions of one slot)" : ""), at: range)
    }

    /// The domain has no `<devices>…</devices>` to attach into.
    static func attachNoDevicesElement(at range: SourceRange) -> Diagnostic {
        attachBadInput("the domain has no <devices>…</devices> element to attach the device to", at: range)
    }

    /// libvirt refuses the device itself before it plugs anything (`why`: its message).
    static func attachRefusedBeforePlugging(_ name: String, why: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.attachUnsupported, "libvirt refuses \(name) before it plugs anything: \(why)",
                   at: range, notes: [.libvirtRefusesAttach(why)])
    }

    // MARK: detach

    /// No device of the domain `file` is named `id`; `aliases` are the names it has.
    static func detachNoSuchDevice(_ id: String, file: String, aliases: String) -> Diagnostic {
        Diagnostic(.detachNoDevice, "no device of '\(file)' is named '\(id)'; aliases: \(aliases)", at: nil)
    }

    /// libvirt refuses to hot-unplug (`libvirt`: its message).
    static func detachRefused(_ message: String, libvirt: String, fix: String?, at range: SourceRange) -> Diagnostic {
        Diagnostic(.detachRefused, message, at: range, notes: [.libvirtRefusesDetach(libvirt)],
                   fixIts: fix.map { [FixIt($0)] } ?? [])
    }

    /// libvirt sends `device_del` for `name` at `address`, and QEMU refuses it: bus `bus` (QEMU's
    /// name) takes no hot-plug (`why`).
    static func detachQEMURefuses(_ name: String, at address: PCIAddress, bus: String, why: String, range: SourceRange) -> Diagnostic {
        Diagnostic(.detachRefused, "\(name) at \(address) cannot be hot-unplugged: \(why)", at: range,
                   notes: [.qemuRefusesHotplug("device_del", QEMUText.busNotHotpluggable(bus), after: "libvirt 9.0 asks QEMU")],
                   fixIts: [FixIt("detach with --config and restart the guest")])
    }

    /// A function ≥ 1 leaves; function 0 (`zero`, at `zeroAt`) keeps `multifunction='on'`.
    static func detachKeepsMultifunction(zero: String, zeroAt: PCIAddress, slot: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.detachMultifunction,
            "\(zero) keeps multifunction='on' at \(zeroAt): libvirt leaves the bit in the stored XML, so the guest still sees a multifunction device in slot \(slot)",
            at: range, severity: .note)
    }

    /// Function 0 (`name`) of `slot` leaves while `others` functions stay.
    static func detachFunctionZero(_ name: String, slot: String, others: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.detachMultifunction,
            "\(name) is function 0 of slot \(slot), and \(others) other function(s) stay: a guest does not look for functions of a slot whose function 0 is empty",
            at: range)
    }

    // MARK: plan --hotplug-ports / --hotplug-slots

    /// `--hotplug-ports` on a machine without PCI Express (`machine`), for file `file`.
    static func sparePortsNeedPCIe(file: String, machine: String) -> Diagnostic {
        Diagnostic(.planSpares,
            "--hotplug-ports needs a PCI Express machine, but '\(file)' is a \(machine) machine; use --hotplug-slots", at: nil)
    }

    /// `--hotplug-slots` on a PCI Express machine (`machine`).
    static func spareSlotsNeedConventional(machine: String) -> Diagnostic {
        Diagnostic(.planSpares,
            "--hotplug-slots keeps conventional PCI slots on a pc machine; on a \(machine) machine use --hotplug-ports", at: nil)
    }

    /// The file has no `<devices>…</devices>` to append controllers to.
    static func sparesNoDevicesElement(file: String) -> Diagnostic {
        Diagnostic(.planSpares, "'\(file)' has no <devices>…</devices> element to add controllers to", at: nil)
    }

    /// `added` more controllers for `want` `what` cannot be planned; `most` is what fits.
    static func sparesDoNotPlan(added: Int, want: Int, what: String, most: Int) -> Diagnostic {
        Diagnostic(.planSpares,
            "\(added) more controller(s) for \(want) \(what) cannot be planned (see above); \(most) is the most this topology takes", at: nil)
    }

    /// The controllers added (`count` of `element`, indexes `indexes`) so `want` `what` stay free.
    static func sparesAdded(count: Int, element: String, indexes: [Int], want: Int, what: String) -> Diagnostic {
        Diagnostic(.planSpares,
            "added \(count) \(element) controller(s) before </devices> (index \(indexes.map(String.init).joined(separator: ", "))), so \(want) \(what) stay free",
            at: nil, severity: .note)
    }

    /// Even 256 more controllers leave fewer than `want` `what`.
    static func sparesDoNotFit(want: Int, what: String) -> Diagnostic {
        Diagnostic(.planSpares, "\(want) \(what) do not fit: 256 more controllers were not enough", at: nil)
    }
}
