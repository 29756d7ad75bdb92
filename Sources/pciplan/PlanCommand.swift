import ArgumentParser
import PCIPlan

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Assign every missing PCI address exactly as libvirt 9.0 does.",
        discussion: """
            Prints the input domain XML with only the planned changes (new <address> elements, \
            derived multifunction='on', controller defaults, added controllers and default devices); \
            every other byte is unchanged. --format qemu-args prints the topology arguments \
            (driver, id, bus, addr, multifunction, chassis, port, bus_nr) of every PCI controller and \
            device, not a full QEMU command line.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case xml, json, qemuArgs = "qemu-args", tree, dot }

    @Argument(help: "Domain XML file ('-' reads standard input).")
    var file: String

    @Option(help: "Output format: xml, json, qemu-args, tree or dot.")
    var format: Format = .xml

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "Replace the input file with the planned XML (atomically).")
    var inPlace = false

    @Option(help: "Diagnostics as text (stderr) or json (stdout).")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    @Option(name: .customLong("keep"), help: ArgumentHelp(
        "Keep the guest ABI of this older definition: shared devices keep its addresses and multifunction bits, its PCI controllers stay.",
        valueName: "OLD"))
    var keepOld: String?

    func validate() throws {
        if inPlace && file == "-" { throw ValidationError("--in-place needs a file, not standard input") }
        if inPlace && output != nil { throw ValidationError("--in-place and --output exclude each other") }
        if inPlace && format != .xml { throw ValidationError("--in-place writes XML; drop --format") }
        if file == "-" && keepOld == "-" { throw ValidationError("only one of FILE and --keep can be standard input") }
    }

    func run() throws {
        let source: SourceFile
        source = try readInputOrExit(file)
        var o = PlanOptions()
        o.multifunction = multifunction
        var files = [source]
        let outcome: Pipeline.PlanOutcome
        if let keepOld {
            let oldSource: SourceFile
            oldSource = try readInputOrExit(keepOld)
            files.append(oldSource)
            outcome = Pipeline.plan(source, keeping: oldSource, options: o)
        } else {
            outcome = Pipeline.plan(source, options: o)
        }
        guard let planned = outcome.planned else {
            printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat)
            throw ExitCode(Exit.findings)
        }
        if !outcome.diagnostics.isEmpty { printDiagnostics(outcome.diagnostics, files: files, format: .text) }
        let bytes: [UInt8]
        switch format {
        case .xml: bytes = XMLWriter.render(planned)
        case .json: bytes = Array(JSONRenderer.render(planned).utf8)
        case .qemuArgs: bytes = Array(QEMUArgsRenderer.render(planned).utf8)
        case .tree: bytes = Array(TreeRenderer.render(planned).utf8)
        case .dot: bytes = Array(DotRenderer.render(planned).utf8)
        }
        let target = inPlace ? file : output
        if let target {
            do { try writeAtomically(bytes, to: target) } catch {
                printError("\(error)")
                throw ExitCode(Exit.usage)
            }
        } else {
            writeStdout(bytes)
        }
    }
}
