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
                switch try readCheckInput(path) {
                case .source(let f):
                    sources.append(f)
                    all += Pipeline.check(f, options: o)
                case .tooLarge(let name):
                    // An oversized input is a finding about that input, not an I/O failure.
                    all.append(Diagnostic(.inputXML, .error,
                        "the input is larger than the \(XMLReader.maximumSize >> 20) MiB limit; domain XML is far smaller, so this is not a domain definition",
                        at: SourceRange(file: name, start: 0, end: 0)))
                }
            } catch {
                writeStderr("pciplan: error: \(error)\n")
                ioFailed = true
            }
        }
        printDiagnostics(all, files: sources, format: diagnosticsFormat)
        if ioFailed { throw ExitCode(Exit.usage) }
        if all.hasErrors { throw ExitCode(Exit.findings) }
    }
}

/// What `check` reads for one argument.
enum CheckInput {
    case source(SourceFile)
    /// Larger than `XMLReader.maximumSize`; not read past the limit.
    case tooLarge(String)
}

/// Reads one input for `check`, telling an oversized input (a finding) from an unreadable one.
func readCheckInput(_ path: String) throws -> CheckInput {
    let limit = XMLReader.maximumSize
    if path == "-" {
        var data = Data()
        while true {
            let chunk = FileHandle.standardInput.readData(ofLength: 1 << 16)
            if chunk.isEmpty { break }
            data.append(chunk)
            if data.count > limit { return .tooLarge("<stdin>") }
        }
        return .source(SourceFile(name: "<stdin>", bytes: [UInt8](data)))
    }
    if let attrs = try? FileManager.default.attributesOfItem(atPath: path),
       attrs[.type] as? FileAttributeType == .typeRegular,
       let size = attrs[.size] as? NSNumber, size.int64Value > Int64(limit)
    {
        return .tooLarge(path)
    }
    return .source(try readInput(path))
}

extension PlanOptions.MultifunctionPolicy: ExpressibleByArgument {}
