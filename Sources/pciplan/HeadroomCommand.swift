import ArgumentParser
import PCIPlan

struct HeadroomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Say how many more devices the planned topology takes, hot-plugged now and added cold.",
        discussion: """
            Plans the file as `pciplan plan` would, then counts free slots: PCI Express endpoints and \
            conventional PCI devices libvirt can hot-plug now (its live rules: hot-pluggable buses \
            only, never a new controller), whole empty slots for multifunction groups, and devices \
            libvirt's first fit can still place at define without adding a controller. Exit status: \
            0 counted, 1 the file cannot be planned, 2 usage or I/O error. With --connect URI \
            --domain NAME, counts on the persistent definition libvirt stores instead of a file.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Domain XML file ('-' reads standard input); left out with --connect/--domain.")
    var file: String?

    @OptionGroup var libvirt: LibvirtOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws { try libvirt.validate(file: file) }

    func run() throws {
        let source = try libvirt.readOrExit(file: file, .inactive)
        let outcome = Pipeline.plan(source)
        guard let planned = outcome.planned else {
            try printDiagnostics(outcome.diagnostics, files: [source], format: .text)
            throw ExitCode(Exit.findings)
        }
        let h = Planner.headroom(planned)
        switch format {
        case .text: try writeStdout(HeadroomRenderer.text(h, plan: planned))
        case .json: try writeStdout(HeadroomRenderer.json(h).rendered() + "\n")
        }
    }
}
