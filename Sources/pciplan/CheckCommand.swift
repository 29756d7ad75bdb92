import ArgumentParser
import PCIPlan

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every problem with the PCI addresses and controllers of domain XML files.",
        discussion: """
            FILE can be a domain XML file, a folder (every *.xml below it, recursively, in path \
            order) or '-' for standard input; with --connect URI, the persistent definition of \
            --domain NAME (or of every defined domain with --all) as libvirt stores it. Files are \
            checked in parallel (--jobs) and reported in the order given. Text: each finding as \
            file:line:col: severity: message [id] on standard error, with notes and fix-its, and for \
            more than one file a summary on standard output. JSON and SARIF: one document on \
            standard output (Docs/json.md). Exit status: 0 clean (warnings allowed), 1 errors found, \
            2 usage error or an unreadable file (the other files are still checked).
            """)

    @OptionGroup var fleet: FleetOptions

    @OptionGroup var libvirt: LibvirtOptions

    @Flag(name: .customLong("all"), help: "With --connect: check every defined domain.")
    var allDomains = false

    @Option(help: "Output: text (diagnostics on stderr, summary on stdout), json or sarif (one document on stdout).")
    var format: FleetCheck.Format?

    @Flag(help: "Apply the machine-applicable fix-its in place (atomically, as plan --in-place writes), then check again.")
    var fix = false

    @Option(help: "Same as --format, for text and json.")
    var diagnosticsFormat: DiagnosticsFormat?

    func validate() throws {
        try libvirt.validate()
        if allDomains && !libvirt.isGiven { throw ValidationError("--all needs --connect URI") }
        if allDomains && libvirt.domainName != nil { throw ValidationError("--all and --domain exclude each other") }
        if libvirt.isGiven && !allDomains && libvirt.domainName == nil { throw ValidationError("--connect needs --domain NAME or --all") }
        if fleet.files.isEmpty && !libvirt.isGiven { throw ValidationError("missing FILE (or --connect URI --domain NAME)") }
        if let format, let diagnosticsFormat, format.rawValue != diagnosticsFormat.rawValue {
            throw ValidationError("--format \(format.rawValue) and --diagnostics-format \(diagnosticsFormat.rawValue) disagree")
        }
        if fix && (fleet.files.contains("-") || libvirt.isGiven) { throw ValidationError("--fix rewrites files: not standard input or libvirt") }
    }

    func run() throws {
        var inputs = fleet.inputs
        if fix { try applyFixes(inputs, options: fleet.planOptions) }
        var libvirtFailed = false
        if libvirt.isGiven {
            do {
                let domains = try allDomains ? libvirt.readAllDefinitionsOrExit() : libvirt.readOrExit(libvirt.domainName ?? "", [.inactive])
                inputs += domains.map { FleetInput.memory(name: $0.name, bytes: $0.bytes) }
            } catch {
                libvirtFailed = true  // the error line is printed; the files' findings still are
            }
        }
        let status = try FleetCheck(
            inputs: inputs,
            format: format ?? diagnosticsFormat.flatMap { FleetCheck.Format(rawValue: $0.rawValue) } ?? .text,
            jobs: fleet.jobCount,
            options: fleet.planOptions).run()
        if libvirtFailed { throw ExitCode(Exit.usage) }
        if status != Exit.clean { throw ExitCode(status) }
    }

    /// `--fix`: every file's applicable fix-its, written back atomically before the check runs.
    func applyFixes(_ inputs: [FleetInput], options: PlanOptions) throws {
        for case .path(let path) in inputs {
            guard let file = try? readInput(path) else { continue }  // the check reports it
            let outcome = Pipeline.fix(file, options: options)
            guard let fixed = outcome.fixed else { continue }
            try writeOutput(fixed, to: path)
            try writeStderr("\(path): applied \(outcome.applied.count) fix-it(s): \(outcome.applied.map(\.message).joined(separator: "; "))".escapedForLine + "\n")
        }
    }
}

extension Check {
    /// `check FILE...` with no option at all, built without ArgumentParser (as `PlanJob.plain`):
    /// its parse of a long file list grows quadratically (300 paths ~3 ms, 3,000 ~0.25 s) and
    /// sits in front of every worker's start. nil for anything else, which is parsed as always.
    static func plain(_ arguments: ArraySlice<String>) -> Check? {
        guard arguments.count >= 2, arguments.first == "check" else { return nil }
        let files = Array(arguments.dropFirst())
        guard files.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") }) else { return nil }
        var c = Check()
        var fleet = FleetOptions()
        fleet.files = files
        fleet.jobs = nil
        fleet.multifunction = .libvirt
        c.fleet = fleet
        var libvirt = LibvirtOptions()
        libvirt.uri = nil
        libvirt.domainName = nil
        c.libvirt = libvirt
        c.allDomains = false
        c.format = nil
        c.fix = false
        c.diagnosticsFormat = nil
        return c
    }
}

extension FleetCheck.Format: ExpressibleByArgument {}
extension PlanOptions.MultifunctionPolicy: ExpressibleByArgument {}
