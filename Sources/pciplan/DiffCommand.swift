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
            info; see Docs/abi.md). Exit status: 0 no breaking change, 1 breaking changes, \
            2 usage or I/O error, or a file that cannot be planned.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The definition the guest was installed with.")
    var old: String

    @Argument(help: "The edited definition.")
    var new: String

    @Option(help: "Output format: text (compiler-style) or json.")
    var format: Format = .text

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
        if !outcome.diagnostics.isEmpty {
            writeStderr(DiagnosticPrinter(files: files).render(outcome.diagnostics))
        }
        guard outcome.planned != nil else {
            printError("nothing compared: a definition cannot be planned")
            throw ExitCode(Exit.usage)
        }
        switch format {
        case .text: writeStdout(DiffRenderer.text(outcome))
        case .json: writeStdout(DiffRenderer.json(outcome))
        }
        if outcome.hasBreaking { throw ExitCode(Exit.findings) }
    }
}
