import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Findings about what the guest will see, for `plan` and `check`.
public enum GuestDiagnostics {
    /// `guest.busOverflow`: every expander whose range of bus numbers needs numbers past 255.
    ///
    /// libvirt accepts such a definition and QEMU starts it, but the firmware cannot number the
    /// range: SeaBIOS hangs before the kernel starts, OVMF boots without (most of) the expander's
    /// devices (recorded: `pc-expander-overflow`, `q35-expander-overflow`). libvirt's default
    /// busNr, 254, leaves room for the expander's own bus and one more.
    public static func afterPlan(_ plan: PlannedDomain) -> [Diagnostic] {
        let view = GuestView(plan)
        return view.overflows.map { o in
            let label = ABIComparison.label(plan, o.expander)
            let length = o.needed - o.busNr
            let filled = plan.filledDefaults[o.expander]?.busNr != nil ? " (libvirt's default)" : ""
            let behind = o.buses.dropFirst().map { b in
                plan.normalized.pciController(index: b).map { ABIComparison.label(plan, $0) } ?? "bus \(b)"
            }
            let what = behind.isEmpty ? "" : " for \(behind.joined(separator: ", "))"
            return Diagnostic(.guestBusOverflow, .warning,
                "\(label) starts its buses at busNr \(o.busNr)\(filled), but needs bus numbers up to \(o.needed)\(what): the guest firmware cannot number them, so SeaBIOS hangs at boot and OVMF boots without the devices there",
                at: range(plan, o.expander),
                fixIts: [FixIt("give it <target busNr='\(max(1, 255 - length))'/> or lower, so that its \(length + 1) bus numbers end at 255")])
        }
    }

    /// The start tag of device `i`, else of `<devices>`.
    static func range(_ plan: PlannedDomain, _ i: Int) -> SourceRange? {
        let file = plan.normalized.definition.file.name
        guard let el = plan.devices[i].element ?? plan.normalized.definition.devicesElement else { return nil }
        return SourceRange(file: file, start: el.startTag.lowerBound, end: el.startTag.upperBound)
    }
}
