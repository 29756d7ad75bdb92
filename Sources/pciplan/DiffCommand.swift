import ArgumentParser
import PCIPlan

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report every guest-visible PCI change between two definitions of one guest.",
        discussion: """
            Both files are planned first (as `pciplan plan` would), devices are paired by identity \
            (disk target, MAC, host device source, controller type and index, alias), then every \
            moved address, multifunction flip, PCI/PCIe change, changed controller chain or option, \
            added, removed and displaced device is reported with a severity (breaking, warning, \
            info; see Docs/abi.md). --format json prints one document on standard output, also when \
            nothing can be compared (`compared: false`, with the diagnostics). Exit status: 0 no \
            breaking change, 1 breaking changes, 2 usage or I/O error, or a file that cannot be \
            planned.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The definition the guest was installed with.")
    var old: String

    @Argument(help: "The edited definition.")
    var new: String

    @Option(help: "Output format: text (compiler-style) or json.")
    var format: Format = .text

    @Option(help: "Diagnostics as text or json (one document: on stdout when nothing was compared, else on stderr); --format json includes them.")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy for planning both files: libvirt or explicit.")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    func validate() throws {
        if old == "-" && new == "-" { throw ValidationError("only one of the two files can be standard input") }
    }

    func run() throws {
        let files: [SourceFile]
        files = [try readInputOrExit(old), try readInputOrExit(new)]
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
                try writeStderr("pciplan: error: nothing compared: a definition cannot be planned\n")
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
