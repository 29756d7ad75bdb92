import ArgumentParser
import Foundation
import PCIPlan

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one self-contained HTML page: the summary, every domain's diagnostics and topology drawing.",
        discussion: """
            FILE can be a domain XML file, a folder (every *.xml below it, recursively) or '-'. \
            Each domain is checked as `check` does and, when it can be planned, drawn as \
            `plan --format svg` draws it. The page needs no network: inline CSS and SVG only. \
            Exit status: 0 written (findings are in the page), 2 usage error or the page cannot \
            be written.
            """)

    @Argument(help: "Domain XML files, folders, or '-' for standard input.")
    var files: [String]

    @Option(help: "Write the page to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: ArgumentHelp("Check N files at once (default: the number of processors).", valueName: "N"))
    var jobs: Int?

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    func validate() throws {
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be from 1 to 1024") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be given once") }
    }

    func run() throws {
        var o = PlanOptions()
        o.multifunction = multifunction
        let inputs = FleetInputs.expand(files)
        var summary = CheckSummary()
        var domains: [DomainReport] = []
        var progress = ProgressBar(total: inputs.count)
        let runner = FleetRunner(inputs: inputs, task: .report, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, options: o)
        try runner.run { index, result in
            summary.add(result.report.checked)
            domains.append(result.report)
            try progress.update(done: index + 1, summary)
        }
        try progress.erase()
        let page = Array(HTMLReportRenderer.render(domains, summary: summary, version: PCIPlanCommand.version).utf8)
        try writeOutput(page, to: output)
    }
}
