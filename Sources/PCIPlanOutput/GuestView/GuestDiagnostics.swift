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
        afterPlan(plan, view: GuestView(plan))
    }

    /// `afterPlan` with the guest's view of `plan` already built.
    static func afterPlan(_ plan: PlannedDomain, view: GuestView) -> [Diagnostic] {
        return view.overflows.map { o in
            let behind = o.buses.dropFirst().map { b in
                plan.normalized.pciController(index: b).map { ABIComparison.label(plan, $0) } ?? "bus \(b)"
            }
            return .guestBusOverflow(ABIComparison.label(plan, o.expander), busNr: o.busNr,
                                     libvirtDefault: plan.filledDefaults[o.expander]?.busNr != nil, needed: o.needed,
                                     behind: Array(behind), at: range(plan, o.expander))
        }
    }

    /// The start tag of device `i`, else of `<devices>`.
    static func range(_ plan: PlannedDomain, _ i: Int) -> SourceRange? {
        let file = plan.normalized.definition.file.name
        guard let el = plan.devices[i].element ?? plan.normalized.definition.devicesElement else { return nil }
        return SourceRange(file: file, startTagOf: el)
    }
}
