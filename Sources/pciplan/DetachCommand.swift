import ArgumentParser
import PCIPlan

struct Detach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: "Predict what libvirt 9.0's `virsh detach-device` leaves.",
        usage: """
            pciplan detach <domain> <device-id> (--live | --config) [<options>]
            pciplan detach --connect <uri> --domain <name> <device-id> (--live | --config) [<options>]
            """,
        discussion: """
            DEVICE-ID names the device as `explain --device` does: alias (net0, ua-nic1), disk target \
            (vda), MAC, or PCI address (0000:00:05.0 or 00:05.0). --live refuses what libvirt refuses \
            to hot-unplug (a function of a slot with other functions, a device behind hotplug='off', \
            device kinds it cannot unplug); --config removes the element. Neither changes the \
            multifunction bit of the functions that stay. Prints the resulting domain XML. Exit status: \
            0 detached, 1 refused (libvirt's message is a note) or nothing matched, 2 usage or I/O error. \
            With --connect URI --domain NAME, DOMAIN is read from libvirt (the live XML for --live, the \
            persistent definition for --config) and the only argument is DEVICE-ID.
            """)

    // As in `attach`: with --domain the one argument is DEVICE-ID.
    @Argument(help: ArgumentHelp("Domain XML file: live XML for --live, the persistent definition for --config (left out with --connect/--domain).", valueName: "domain"))
    var first: String?

    @Argument(help: ArgumentHelp("The device: alias, disk target, MAC or PCI address.", valueName: "device-id"))
    var second: String?

    @OptionGroup var libvirt: LibvirtOptions

    /// The domain file, nil when the domain comes from libvirt.
    var domain: String? { libvirt.isGiven ? nil : first }
    var deviceID: String { (libvirt.isGiven ? first : second) ?? "" }

    @OptionGroup var change: ChangeOptions

    func validate() throws {
        try libvirt.validate(positionals: [first, second], "DOMAIN", "DEVICE-ID")
    }

    func run() throws {
        let file = try libvirt.readOrExit(file: domain, change.definition)
        let outcome = Pipeline.detach(file, device: deviceID, mode: change.mode)
        guard let bytes = outcome.result else {
            try printDiagnostics(outcome.diagnostics, files: [file], format: change.diagnosticsFormat)
            throw ExitCode(Exit.findings)
        }
        if !outcome.diagnostics.isEmpty { try printDiagnostics(outcome.diagnostics, files: [file], format: change.diagnosticsFormat, stdoutTaken: true) }
        try writeOutput(bytes, to: change.output)
    }
}
