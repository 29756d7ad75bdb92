import PCIPlanSource

/// The one place a diagnostic's ID becomes text for machine-readable outputs (JSON, SARIF, the
/// report): its catalogue identifier (`address.inUse`).
package func idString(_ d: Diagnostic) -> String { d.id.rawValue }

/// A byte offset with the line and column it is printed as.
public struct SourcePosition: Sendable, Hashable, Codable {
    /// 0-based byte offset in the file.
    public var offset: Int
    /// 1-based line; nil when the file's text is unknown (an input over the size limit).
    public var line: Int?
    /// 1-based column counting bytes, as the text diagnostics print it.
    public var column: Int?
    /// 1-based column counting Unicode scalars (SARIF's `unicodeCodePoints`); equals `column`
    /// on ASCII lines.
    public var characterColumn: Int?

    /// Resolves a byte offset of `file` (no line or column without the file).
    public init(offset: Int, in file: SourceFile?) {
        self.offset = offset
        guard let file else { return }
        let clamped = min(max(offset, 0), file.bytes.count)
        let (l, c) = file.lineColumn(of: clamped)
        line = l
        column = c
        let lineStart = clamped - (c - 1)
        characterColumn = 1 + file.bytes[lineStart..<clamped].count { $0 & 0xC0 != 0x80 }
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["offset": .int(offset)]
        if let line { o["line"] = .int(line) }
        if let column { o["column"] = .int(column) }
        return .object(o)
    }
}

/// A source range with both ends resolved.
public struct LocatedRange: Sendable, Hashable, Codable {
    /// The file the range is in.
    public var file: String
    /// Where the range starts.
    public var start: SourcePosition
    /// Just past where the range ends.
    public var end: SourcePosition

    /// Resolves `r` against the file of its name.
    public init(_ r: SourceRange, in files: [String: SourceFile]) {
        file = r.file
        start = SourcePosition(offset: r.start, in: files[r.file])
        end = SourcePosition(offset: r.end, in: files[r.file])
    }

    /// `{"file", "start": {"offset", "line", "column"}, "end": {…}}`.
    public var json: JSONValue {
        .object(["file": .string(file), "start": start.json, "end": end.json])
    }
}

/// A diagnostic whose ranges are resolved to lines and columns: what JSON, SARIF and the HTML
/// report print, and what a check worker process hands back (it is `Codable`).
public struct LocatedDiagnostic: Sendable, Hashable, Codable {
    /// The diagnostic's ID (`address.inUse`).
    public var id: String
    /// error, warning or note.
    public var severity: Severity
    /// The message, as the text output prints it.
    public var message: String
    /// Where it points; nil for findings about no place (a file as a whole).
    public var range: LocatedRange?
    /// Notes, each with its own place.
    public var notes: [Note]
    /// Suggested fixes.
    public var fixIts: [Fix]

    /// A note with its place resolved.
    public struct Note: Sendable, Hashable, Codable {
        /// The note's text.
        public var message: String
        /// Where the note points, if anywhere.
        public var range: LocatedRange?
    }

    /// A fix-it; machine-applicable when it has both a range and a replacement.
    public struct Fix: Sendable, Hashable, Codable {
        /// What the fix does, in words.
        public var message: String
        /// The bytes it replaces, when it is an edit.
        public var range: LocatedRange?
        /// What replaces them, when it is an edit.
        public var replacement: String?
    }

    /// Resolves `d` against the files it may point into (by name).
    public init(_ d: Diagnostic, files: [String: SourceFile]) {
        id = idString(d)
        severity = d.severity
        message = d.message
        range = d.range.map { LocatedRange($0, in: files) }
        notes = d.notes.map { Note(message: $0.message, range: $0.range.map { LocatedRange($0, in: files) }) }
        fixIts = d.fixIts.map {
            Fix(message: $0.message, range: $0.range.map { LocatedRange($0, in: files) }, replacement: $0.replacement)
        }
    }

    /// Resolves `d` against `files`.
    public init(_ d: Diagnostic, files: [SourceFile]) {
        self.init(d, files: Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// `{"id", "severity", "message", "range"?, "notes": [{"message", "range"?}],
    /// "fixits": [{"message", "range"?, "replacement"?}]}` (Docs/json.md).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "severity": .string(severity.rawValue), "message": .string(message),
            "notes": .array(notes.map { n in
                var o: [String: JSONValue] = ["message": .string(n.message)]
                if let r = n.range { o["range"] = r.json }
                return .object(o)
            }),
            "fixits": .array(fixIts.map { f in
                var o: [String: JSONValue] = ["message": .string(f.message)]
                if let r = f.range { o["range"] = r.json }
                if let rep = f.replacement { o["replacement"] = .string(rep) }
                return .object(o)
            }),
        ]
        if let range { o["range"] = range.json }
        return .object(o)
    }
}

/// The diagnostics document of every command but `check`: `{"schema": 1, "diagnostics": […]}`.
public enum DiagnosticsJSON {
    /// The version of the diagnostics documents (`check`'s, `diff`'s and this one); it changes
    /// only when a key is renamed or removed (Docs/json.md).
    public static let schemaVersion = 1

    /// `{"schema", "diagnostics": […]}`: the diagnostics of a command that failed, or its
    /// warnings, as one document.
    public static func document(_ ds: [Diagnostic], files: [SourceFile]) -> String {
        JSONValue.object([
            "schema": .int(schemaVersion),
            "diagnostics": .array(ds.map { LocatedDiagnostic($0, files: files).json }),
        ]).rendered() + "\n"
    }
}
