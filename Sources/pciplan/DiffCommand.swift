import ArgumentParser
import PCIPlan

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Report every guest-visible PCI change between two definitions of one guest.",
        usage: """
            pciplan diff <old> <new> [<options>]
            pciplan diff --connect <uri> --domain <name> [<options>]
            """,
        discussion: """
            Both files are planned first (as `pciplan plan` would), devices are paired by identity \
            (disk target, MAC, host device source, controller type and index, alias), then every \
            moved address, multifunction flip, PCI/PCIe change, changed controller chain or option, \
            added, removed and displaced device is reported with a severity (breaking, warning, \
            info; see Docs/abi.md). --format json prints one document on standard output, also when \
            nothing can be compared (`compared: false`, with the diagnostics). Exit status: 0 no \
            breaking change, 1 breaking changes, 2 usage or I/O error, or a file that cannot be \
            planned. With --connect URI --domain NAME and no files, OLD is the running guest (its \
            live XML) and NEW its persistent definition: what the guest will see change at its next \
            cold boot.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The definition the guest was installed with.")
    var old: String?

    @Argument(help: "The edited definition.")
    var new: String?

    @OptionGroup var libvirt: LibvirtOptions

    @Option(help: "Output format: text (compiler-style) or json.")
    var format: Format = .text

    @Option(help: "Diagnostics as text or json (one document: on stdout when nothing was compared, else on stderr); --format json includes them.")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy for planning both files: libvirt or explicit.")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    func validate() throws {
        try libvirt.validate()
        if libvirt.isGiven {
            if libvirt.domainName == nil { throw ValidationError("--connect needs --domain NAME") }
            if old != nil { throw ValidationError("with --connect/--domain, give no files: the running guest is compared with its definition") }
        } else if new == nil {
            throw ValidationError("missing \(old == nil ? "OLD and NEW" : "NEW") (or --connect URI --domain NAME)")
        }
        if old == "-" && new == "-" { throw ValidationError("only one of the two files can be standard input") }
    }

    func run() throws {
        let files: [SourceFile]
        if let name = libvirt.domainName, libvirt.isGiven {
            files = try libvirt.readOrExit(name, [.live, .inactive])
        } else {
            files = [try readInputOrExit(old ?? "-"), try readInputOrExit(new ?? "-")]
        }
        var o = PlanOptions()
        o.multifunction = multifunction
        let outcome = Pipeline.diff(old: files[0], new: files[1], options: o)
        if format == .json {
            // One document on stdout, holding the diagnostics too, whatever happened.
            try writeStdout(DiffRenderer.document(outcome))
            if outcome.planned == nil { throw ExitCode(Exit.usage) }
            if outcome.hasBreaking { throw ExitCode(Exit.findings) }
            return
        }
        guard outcome.planned != nil else {
            try printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat)
            if diagnosticsFormat == .text {
                try printError("nothing compared: a definition cannot be planned")
            }
            throw ExitCode(Exit.usage)
        }
        if !outcome.diagnostics.isEmpty {
            try printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat, stdoutTaken: true)
        }
        try writeStdout(DiffRenderer.text(outcome))
        if outcome.hasBreaking { throw ExitCode(Exit.findings) }
    }
}
