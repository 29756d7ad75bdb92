import PCIPlan

/// `check` over any number of inputs: checked in parallel, printed in input order as results
/// come in, then summed up.
///
/// - text: each file's diagnostics on standard error as `check` always printed them (an
///   unreadable file as `pciplan: error: …`); after more than one file, the summary table on
///   standard output.
/// - json: one document on standard output (`CheckJSON`, Docs/json.md), written as it goes.
/// - sarif: one SARIF 2.1.0 log on standard output (`SARIFRenderer`), written as it goes.
///
/// Exit status: 2 when an input was unreadable, else 1 when a file has errors, else 0.
struct FleetCheck {
    enum Format: String, CaseIterable { case text, json, sarif }

    var inputs: [FleetInput]
    var format: Format
    var jobs: Int
    var options: PlanOptions

    func run() throws -> Int32 {
        var summary = CheckSummary()
        var progress = ProgressBar(total: inputs.count)
        var written = false
        var ruleIDs = Set<String>()
        let cwd = FileManager.default.currentDirectoryPath
        switch format {
        case .text: break
        case .json: try writeStdout(CheckJSON.head)
        case .sarif: try writeStdout(SARIFRenderer.head)
        }
        try FleetRunner(inputs: inputs, task: .check, jobs: jobs, options: options).run { index, result in
            let f = result.report.checked
            summary.add(f)
            switch format {
            case .text:
                if !result.text.isEmpty {
                    try progress.erase()
                    try writeStderr(result.text)
                }
            case .json:
                try writeStdout(CheckJSON.file(f, first: !written))
                written = true
            case .sarif:
                try writeStdout(SARIFRenderer.results(f, cwd: cwd, first: !written))
                written = written || !f.diagnostics.isEmpty
                ruleIDs.formUnion(f.diagnostics.map(\.id))
            }
            try progress.update(done: index + 1, summary)
        }
        try progress.erase()
        switch format {
        case .text: if inputs.count > 1 { try writeStdout(summary.text()) }
        case .json: try writeStdout(CheckJSON.tail(summary, empty: !written))
        case .sarif: try writeStdout(SARIFRenderer.tail(rules: Array(ruleIDs), version: PCIPlanCommand.version, empty: !written))
        }
        if summary.count(.unreadable) > 0 { return Exit.usage }
        return summary.count(.errors) > 0 ? Exit.findings : Exit.clean
    }
}
