import PCIPlanSource

/// One line per diagnostic ID saying what it means, for SARIF's `tool.driver.rules` and the
/// HTML report: the catalogue's summary (`DiagnosticID.summary`, the "What it means" column of
/// Docs/diagnostics.md, which is rendered from the same catalogue), without the backquotes.
package enum DiagnosticDescriptions {
    package static let byID: [String: String] = Dictionary(uniqueKeysWithValues: DiagnosticID.allCases.map {
        ($0.rawValue, String($0.summary.filter { $0 != "`" }))
    })
}
