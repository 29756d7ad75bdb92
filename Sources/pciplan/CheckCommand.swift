import ArgumentParser
import Foundation
import PCIPlan

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report every problem with the PCI addresses and controllers of domain XML files.",
        discussion: """
            Prints each finding as file:line:col: severity: message [id], with notes and fix-its. \
            Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage or I/O error.
            """)

    @Argument(help: "Domain XML files ('-' reads standard input).")
    var files: [String]

    @Option(help: "Diagnostics as text (stderr) or json (stdout).")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

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
                printError("\(error)")
                ioFailed = true
            }
        }
        printDiagnostics(all, files: sources, format: diagnosticsFormat)
        if ioFailed { throw ExitCode(Exit.usage) }
        if all.hasErrors { throw ExitCode(Exit.findings) }
    }
}


extension PlanOptions.MultifunctionPolicy: ExpressibleByArgument {}
