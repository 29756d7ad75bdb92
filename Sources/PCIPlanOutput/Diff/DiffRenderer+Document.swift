import PCIPlanSource

extension DiffRenderer {
    /// `diff --format json`: the document of `json(_:)` with two more members, so a program
    /// always gets one document on standard output, also when nothing could be compared:
    ///
    /// - `compared`: false when either file cannot be planned (then `changes` is empty and
    ///   `diagnostics` says why; `diff` exits 2);
    /// - `diagnostics`: what planning either file found, located as in every diagnostics
    ///   document (Docs/json.md).
    public static func document(_ outcome: DiffOutcome) -> String {
        var o = jsonMembers(outcome)
        o["compared"] = .bool(outcome.planned != nil)
        o["diagnostics"] = .array(outcome.diagnostics.map { LocatedDiagnostic($0, files: [outcome.old, outcome.new]).json })
        return JSONValue.object(o).rendered() + "\n"
    }
}
