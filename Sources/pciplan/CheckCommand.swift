import ArgumentParser
import Foundation
import PCIPlan

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report every problem with the PCI addresses and controllers of domain XML files.",
        discussion: """
            Prints each finding as file:line:col: severity: message [id], with notes and fix-its. \
            With --connect URI, checks the persistent definition of --domain NAME (or of every \
            defined domain with --all) as libvirt stores it. Exit status: 0 clean (warnings \
            allowed), 1 errors found, 2 usage or I/O error.
            """)

    @Argument(help: "Domain XML files ('-' reads standard input).")
    var files: [String] = []

    @OptionGroup var libvirt: LibvirtOptions

    @Flag(name: .customLong("all"), help: "With --connect: check every defined domain.")
    var allDomains = false

    @Option(help: "Diagnostics as text (stderr) or json (stdout).")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    func validate() throws {
        try libvirt.validate()
        if allDomains && !libvirt.isGiven { throw ValidationError("--all needs --connect URI") }
        if allDomains && libvirt.domainName != nil { throw ValidationError("--all and --domain exclude each other") }
        if libvirt.isGiven && !allDomains && libvirt.domainName == nil { throw ValidationError("--connect needs --domain NAME or --all") }
        if files.isEmpty && !libvirt.isGiven { throw ValidationError("missing FILE (or --connect URI --domain NAME)") }
    }

    func run() throws {
        var all: [Diagnostic] = []
        var sources: [SourceFile] = []
        var ioFailed = false
        var o = PlanOptions()
        o.multifunction = multifunction
        for path in files {
            do {
                let f = try readInput(path)
                sources.append(f)
                all += Pipeline.check(f, options: o)
            } catch let tooLarge as InputTooLarge {
                all.append(tooLarge.diagnostic)
            } catch {
                try printError("\(error)")
                ioFailed = true
            }
        }
        if libvirt.isGiven {
            do {
                let domains = try allDomains ? libvirt.readAllDefinitionsOrExit() : libvirt.readOrExit(libvirt.domainName ?? "", [.inactive])
                for f in domains {
                    sources.append(f)
                    all += Pipeline.check(f, options: o)
                }
            } catch {
                ioFailed = true  // the error line is printed; the files' findings still are
            }
        }
        try printDiagnostics(all, files: sources, format: diagnosticsFormat)
        if ioFailed { throw ExitCode(Exit.usage) }
        if all.hasErrors { throw ExitCode(Exit.findings) }
    }
}


extension PlanOptions.MultifunctionPolicy: ExpressibleByArgument {}
