import PCIPlanSource

/// `check --format json`: one document, written in pieces as the files are checked so that a
/// run over thousands of files never holds them all:
///
/// ```
/// {"files": [{"file", "status", "diagnostics"}, …], "schema": 1, "summary": {…}}
/// ```
///
/// The pieces, concatenated, equal `document(files:summary:)` (sorted keys, two-space indent),
/// so the streamed output looks exactly like every other JSON pciplan prints.
public enum CheckJSON {
    /// The document's `schema` number, shared with the other diagnostics documents.
    public static let schemaVersion = DiagnosticsJSON.schemaVersion

    /// Everything before the first file.
    public static let head = "{\n  \"files\": ["

    /// One file; `first` for the first one (no comma before it).
    public static func file(_ f: CheckedFile, first: Bool) -> String {
        (first ? "\n" : ",\n") + "    " + f.json.rendered(indent: 2)
    }

    /// Everything after the last file; `empty` when no file was written.
    public static func tail(_ summary: CheckSummary, empty: Bool) -> String {
        (empty ? "]" : "\n  ]") + ",\n  \"schema\": \(schemaVersion),\n  \"summary\": " + summary.json.rendered(indent: 1) + "\n}\n"
    }

    /// The whole document at once.
    public static func document(files: [CheckedFile], summary: CheckSummary) -> String {
        JSONValue.object([
            "files": .array(files.map(\.json)), "schema": .int(schemaVersion), "summary": summary.json,
        ]).rendered() + "\n"
    }
}
