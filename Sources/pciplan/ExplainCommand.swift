import ArgumentParser
import PCIPlan

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say for every device and controller where it is and which rule put it there.",
        discussion: """
            Plans the file as `pciplan plan` would, then explains each address: written in the input, \
            fixed by the chipset, libvirt's class order and first free slot, a controller libvirt added \
            (and for which device), the spare hotplug port, kept by `plan --keep`, and where \
            multifunction='on' comes from. Exit status: 0 explained, 1 the file cannot be planned, \
            2 usage or I/O error (including a --device that names nothing). With --connect URI \
            --domain NAME, explains the persistent definition libvirt stores instead of a file.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Domain XML file ('-' reads standard input); left out with --connect/--domain.")
    var file: String?

    @OptionGroup var libvirt: LibvirtOptions

    @Option(help: "Only this device: alias (net0, pci.3, virtio-disk1), disk target (vda), MAC or PCI address.")
    var device: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "Diagnostics as text (stderr) or json (one document: on stdout when the file cannot be planned, else on stderr).")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    @Flag(help: "Plan as `plan --group-host-functions` does: the functions of one host slot share one guest slot.")
    var groupHostFunctions = false

    @Option(name: .customLong("keep"), help: "Plan as `plan FILE --keep OLD` does (OLD: a domain XML or an ABI lock) and say which device of OLD each kept one is, and why.")
    var keepPath: String?

    func validate() throws {
        try libvirt.validate(file: file)
        if file == "-" && keepPath == "-" { throw ValidationError("only one of FILE and --keep can be standard input") }
    }

    func run() throws {
        let source = try libvirt.readOrExit(file: file, .inactive)
        var o = PlanOptions()
        o.multifunction = multifunction
        o.groupHostFunctions = groupHostFunctions
        let old = try keepPath.map { try readInputOrExit($0) }
        let outcome = Pipeline.explain(source, device: device, keeping: old, options: o)
        let files = [source] + (old.flatMap { ABILock.looksLikeLock($0.bytes) ? nil : [$0] } ?? [])
        guard let planned = outcome.planned, let items = outcome.explanations else {
            try printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat)
            throw ExitCode(Exit.findings)
        }
        if !outcome.diagnostics.isEmpty {
            try printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat, stdoutTaken: true)
        }
        if let device, items.isEmpty {
            let names = planned.devices.compactMap(\.alias).joined(separator: ", ")
            try printError("no device is named '\(device)'; aliases in \(source.name): \(names)")
            throw ExitCode(Exit.usage)
        }
        switch format {
        case .text: try writeStdout(ExplainRenderer.text(items, plan: planned, steps: device == nil))
        case .json: try writeStdout(ExplainRenderer.json(items, plan: planned))
        }
    }
}
