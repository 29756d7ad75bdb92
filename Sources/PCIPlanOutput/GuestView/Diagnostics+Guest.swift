import PCIPlanModel
import PCIPlanSource

/// The messages about what the guest sees (`GuestDiagnostics`): `guest.busOverflow` and
/// `guest.nextControllerRenumbers`, both warnings (libvirt and QEMU accept the definition).
extension Diagnostic {
    /// `expander` (`pci-expander-bus 'pci.1'`) starts at `busNr` but its range needs numbers up
    /// to `needed`; `behind` are the controllers whose buses need them.
    static func guestBusOverflow(_ expander: String, busNr: Int, libvirtDefault: Bool, needed: Int, behind: [String],
                                 at range: SourceRange?) -> Diagnostic {
        let length = needed - busNr
        let what = behind.isEmpty ? "" : " for \(behind.joined(separator: ", "))"
        return Diagnostic(.guestBusOverflow,
            "\(expander) starts its buses at busNr \(busNr)\(libvirtDefault ? " (libvirt's default)" : ""), but needs bus numbers up to \(needed)\(what): the guest firmware cannot number them, so SeaBIOS hangs at boot and OVMF boots without the devices there",
            at: range,
            fixIts: [FixIt("give it <target busNr='\(max(1, 255 - length))'/> or lower, so that its \(length + 1) bus numbers end at 255")])
    }

    /// The next `model` libvirt adds goes to `address`, before `first` (at `firstAddress`), whose
    /// bus `bus` the guest would number `now` instead of `was`; `renamed` lists the devices
    /// (`interface … 0000:01:01.0 → 0000:02:01.0 (enp1s1 → enp2s1)`), `total` counts them.
    static func guestNextControllerRenumbers(_ model: String, address: PCIAddress, before first: String, firstAddress: PCIAddress?,
                                             bus: Int, was: Int?, now: Int?, renamed: [String], total: Int,
                                             lastBridge: PCIAddress?, at range: SourceRange?) -> Diagnostic {
        let more = total > renamed.count ? " and \(total - renamed.count) more" : ""
        return Diagnostic(.guestNextControllerRenumbers,
            "the next \(model) libvirt adds goes to \(address), which the guest enumerates before \(first)\(firstAddress.map { " at \($0)" } ?? ""): the guest would give bus pci.\(bus) the number \(now.map(String.init) ?? "none") instead of \(was.map(String.init) ?? "?") and rename \(total) device\(total == 1 ? "" : "s"): \(renamed.joined(separator: "; "))\(more)",
            at: range,
            notes: [.init("the firmware numbers bridges and ports depth first in (slot, function) order, and the guest's names (enp…, /dev/disk/by-path) carry those numbers")],
            fixIts: [FixIt("add devices with `pciplan plan NEW --keep THIS`, which places new bridges and ports after every existing bus, or write the new controller's address\(lastBridge.map { " after \($0)" } ?? "") yourself")])
    }
}
