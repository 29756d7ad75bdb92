import ArgumentParser
import PCIPlan

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page: the summary, every domain's diagnostics and topology drawing.",
        usage: "pciplan report <files> ... [<options>]",
        discussion: """
            FILE can be a domain XML file, a folder (every *.xml below it, recursively) or '-'. \
            Each domain is checked as `check` does and, when it can be planned, drawn as \
            `plan --format svg` draws it. The page needs no network: inline CSS and SVG only. \
            Exit status: 0 written (findings are in the page), 2 usage error or the page cannot \
            be written.
            """)

    @OptionGroup var fleet: FleetOptions

    @Option(help: "Write the page to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        if fleet.files.isEmpty { throw ValidationError("missing FILE") }
    }

    func run() throws {
        let inputs = fleet.inputs
        var summary = CheckSummary()
        var domains: [DomainReport] = []
        var progress = ProgressBar(total: inputs.count)
        let runner = FleetRunner(inputs: inputs, task: .report, jobs: fleet.jobCount, options: fleet.planOptions)
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
