import PCIPlanModel
import PCIPlanSource

/// The messages of `plan NEW --keep OLD` (`Keeper`, `Pipeline.plan(_:keeping:)`), all
/// `plan.cannotKeep`: errors where a place cannot be kept, warnings where NEW itself gives a
/// device up (the catalogue lists both). `old` and `new` are the two file names.
extension Diagnostic {
    package static func keepOldUnplannable(old: String) -> Diagnostic {
        Diagnostic(.planKeep, "'\(old)' cannot be planned, so there is no layout to keep", at: nil)
    }

    package static func keepRejectedByLibvirt(old: String, new: String) -> Diagnostic {
        Diagnostic(.planKeep,
            "the layout of '\(old)' cannot be kept: libvirt rejects '\(new)' with the kept addresses (see the errors above)", at: nil)
    }

    static func keepMachineChanged(old: String, new: String, from: String, to: String, root: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "'\(new)' changes the machine from \(from) to \(to): its root bus is a \(root), so no address of '\(old)' can be kept",
            at: range)
    }

    /// NEW gives bus `bus`'s controller index to another model (`model`); `lost` are OLD's
    /// devices that sat on it.
    static func keepBusGone(_ bus: Int, old: String, new: String, controller: String, model: String?, at range: SourceRange?,
                            lost: [(label: String, address: String, at: SourceRange?)]) -> Diagnostic {
        Diagnostic(.planKeep,
            "bus \(bus) is gone: '\(old)' has \(controller) there, but '\(new)' makes index \(bus) a \(model ?? "different controller"), so \(lost.map(\.label).joined(separator: ", ")) cannot keep \(lost.count == 1 ? "its place" : "their places")",
            at: range, notes: lost.map { .init("\($0.label) is at \($0.address) in \(old)", at: $0.at) })
    }

    static func keepMovedByNew(_ label: String, from: PCIAddress, to: PCIAddress, old: String, new: String,
                               at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "\(label) moves from \(from) to \(to) because '\(new)' writes that address; --keep keeps only what '\(new)' leaves open",
            at: range, notes: [.init("\(old) has it at \(from)", at: oldAt)], severity: .warning)
    }

    static func keepReplacedController(_ label: String, by model: String?, address: PCIAddress, old: String, new: String,
                                       at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "\(label) is replaced by a \(model ?? "default") controller in '\(new)', so it does not keep \(address)",
            at: range, notes: [.oldHasIt(old, at: oldAt)], severity: .warning)
    }

    /// The device keeps its address but NEW changes its connect kind (`was`, `now`).
    static func keepConnectKindChanged(_ label: String, address: PCIAddress, was: String, now: String, old: String, new: String,
                                       at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "\(label) keeps \(address), but '\(new)' makes it a \(now) device instead of a \(was) one, so the guest still sees different hardware",
            at: range, notes: [.oldHasIt(old, at: oldAt)], severity: .warning)
    }

    /// NEW puts `other` explicitly where OLD had `label`.
    static func keepAddressTaken(_ label: String, address: PCIAddress, by other: String, old: String, new: String,
                                 at range: SourceRange?, otherAt: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "\(label) cannot keep \(address) from '\(old)': '\(new)' puts \(other) there explicitly",
            at: range, notes: [.init("\(other) is declared here", at: otherAt), .init("\(old) has \(label) there", at: oldAt)])
    }

    static func keepMovedByLibvirt(_ label: String, from: PCIAddress, to: PCIAddress, old: String,
                                   at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "\(label) cannot keep \(from) from '\(old)': libvirt moves it to \(to)",
            at: range, notes: [.oldHasIt(old, at: oldAt)])
    }

    /// `users` (`disk 'vdb' at 0000:00:04.1`) make libvirt derive the bit OLD did not have.
    static func keepMultifunctionDerived(_ label: String, address: PCIAddress, users: [String], old: String, new: String,
                                         at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        Diagnostic(.planKeep,
            "\(label) cannot keep its multifunction bit at \(address): '\(new)' puts \(users.joined(separator: ", ")) in its slot, so libvirt derives multifunction='on'",
            at: range, notes: [.init("\(old) has it without multifunction='on'", at: oldAt)])
    }

    /// A kept PCI controller's guest-visible `property` changes from `was` to `now`: a warning
    /// when NEW writes the new value (`explicit`), else an error.
    static func keepControllerProperty(_ label: String, property: String, was: String, now: String, explicit: Bool,
                                       old: String, new: String, at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        let why = explicit ? "'\(new)' writes \(property) \(now)" : "the plan of '\(new)' gives it \(property) \(now)"
        return Diagnostic(.planKeep,
            "\(label) cannot keep its \(property) \(was) from '\(old)': \(why), which the guest sees",
            at: range, notes: [.init("\(old) has it with \(property) \(was)", at: oldAt)], severity: explicit ? .warning : .error)
    }

    /// A kept device the guest would rename (`Keeper+GuestOrder`): it keeps its libvirt address,
    /// but `cause` — a new bridge or port libvirt places (or NEW writes, `written`) before its bus
    /// — renumbers that bus, and no place after every kept bus takes it.
    static func keepGuestAddress(_ label: String, was: GuestPCIAddress, now: GuestPCIAddress?, names: (was: String, now: String?)?,
                                 more: Int, cause: (label: String, address: PCIAddress, written: Bool, model: String?, why: String, at: SourceRange?)?,
                                 old: String, new: String, at range: SourceRange?, oldAt: SourceRange?) -> Diagnostic {
        var why = "no free slot the firmware enumerates after every kept bus takes the new bridges and ports"
        var notes: [Note] = [.init("\(old) has it here, where the guest sees it at \(was)", at: oldAt)]
        if let c = cause {
            why = c.written
                ? "'\(new)' puts \(c.label) at \(c.address) explicitly, and the firmware enumerates it before this device's bus"
                : "\(c.label), which '\(new)' needs, goes to \(c.address) and the firmware enumerates it before this device's bus; no free slot after every kept bus takes a \(c.model ?? "controller")"
            notes.append(.init("\(c.label) is at \(c.address): \(c.why)", at: c.at))
        }
        let others = more > 0 ? " (and \(more) more device\(more == 1 ? "" : "s"))" : ""
        let renamed = names.map { " (\($0.was) → \($0.now ?? "none"))" } ?? ""
        return Diagnostic(.planKeep,
            "\(label) cannot keep its guest address \(was) from '\(old)'\(others): \(why), so the guest would see it at \(now.map(\.description) ?? "no address")\(renamed)",
            at: range, notes: notes,
            fixIts: [FixIt("give the new device a slot on an existing bus in '\(new)', or plan without --keep and accept the rename (`pciplan diff` lists it as diff.guestRenamed)")])
    }
}

extension Diagnostic.Note {
    /// Points at the device in OLD.
    static func oldHasIt(_ old: String, at range: SourceRange?) -> Diagnostic.Note {
        .init("\(old) has it here", at: range)
    }
}
