/// How serious a finding is.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    /// `note` adds information and never fails a run; `warning` is a finding libvirt or QEMU
    /// accepts; `error` is one they refuse, and makes `check` exit 1 and `plan` stop.
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    /// Orders by seriousness: `note` < `warning` < `error`.
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A suggested edit: replace the bytes of `range` with `replacement`.
public struct FixIt: Sendable, Hashable, Codable {
    /// What the edit does, printed as `note: fix: …` (`write hexadecimal with a '0x' prefix`).
    public var message: String
    /// The bytes to replace; nil when the fix is advice rather than an edit (it is printed at the
    /// diagnostic's own position).
    public var range: SourceRange?
    /// The text that replaces `range`; nil for advice without an edit.
    public var replacement: String?

    /// A fix that says `message` and, when `range` and `replacement` are given, can be applied.
    public init(_ message: String, range: SourceRange? = nil, replacement: String? = nil) {
        self.message = message
        self.range = range
        self.replacement = replacement
    }
}

/// One finding of any stage. Stages collect these and go on; only the CLI prints them.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// The rule, printed as its stable identifier such as `address.inUse`.
    public var id: DiagnosticID
    /// How serious the finding is; any `error` means the stage's result cannot be trusted.
    public var severity: Severity
    /// One lowercase phrase with concrete values and quoted names, no trailing period.
    public var message: String
    /// Where the finding points (usually a start tag or an attribute value); nil when it is about
    /// the whole run, such as a layout `plan --keep` cannot keep.
    public var range: SourceRange?
    /// Related places and facts (the other device of a duplicate, what libvirt says), in order.
    public var notes: [Note]
    /// Likely fixes, printed after the notes.
    public var fixIts: [FixIt]

    /// A secondary message attached to a diagnostic, with its own position.
    public struct Note: Sendable, Hashable, Codable {
        /// The note's text, printed as `note: …`.
        public var message: String
        /// Where the note points; nil prints it at the diagnostic's position.
        public var range: SourceRange?
        /// A note saying `message` about the bytes at `range`.
        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    /// A finding of rule `id` at `severity`. Stages build theirs with their catalogue file's
    /// templates, which take the severity from the catalogue.
    public init(
        _ id: DiagnosticID, _ severity: Severity, _ message: String, at range: SourceRange?,
        notes: [Note] = [], fixIts: [FixIt] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.fixIts = fixIts
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error: the test every stage hand-off uses to stop the pipeline.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// Renders diagnostics the way compilers do: `file:line:col: error: message [id]`.
public struct DiagnosticPrinter: Sendable {
    /// The files positions are resolved against, by `SourceFile.name`.
    public let files: [String: SourceFile]

    /// A printer that resolves ranges in `files`; a range naming another file prints the file
    /// name only.
    public init(files: [SourceFile]) {
        var map: [String: SourceFile] = [:]
        for f in files { map[f.name] = f }
        self.files = map
    }

    func position(_ range: SourceRange?) -> String {
        guard let range else { return "" }
        guard let file = files[range.file] else { return "\(range.file.escapedForLine): " }
        let (line, col) = file.lineColumn(of: range.start)
        return "\(range.file.escapedForLine):\(line):\(col): "
    }

    /// One diagnostic as text: the main line, then one `note:` line per note and per fix-it.
    /// Every text is escaped with `escapedForLine`, so no byte of the input (an attribute value,
    /// a file name) can start a line of its own.
    public func render(_ d: Diagnostic) -> String {
        var out = "\(position(d.range))\(d.severity.rawValue): \(d.message.escapedForLine) [\(d.id.rawValue)]\n"
        for note in d.notes {
            out += "\(position(note.range ?? d.range))note: \(note.message.escapedForLine)\n"
        }
        for fix in d.fixIts {
            out += "\(position(fix.range ?? d.range))note: fix: \(fix.message.escapedForLine)\n"
        }
        return out
    }

    /// Several diagnostics as text, in the order given.
    public func render(_ ds: [Diagnostic]) -> String {
        ds.map(render).joined()
    }

    /// JSON for programs: positions resolved to line and column.
    public func json(_ ds: [Diagnostic]) -> String {
        var items: [JSONValue] = []
        for d in ds {
            var obj: [String: JSONValue] = [
                "id": .string(d.id.rawValue), "severity": .string(d.severity.rawValue),
                "message": .string(d.message),
            ]
            if let r = d.range { obj["location"] = locationJSON(r) }
            obj["notes"] = .array(d.notes.map { n in
                var o: [String: JSONValue] = ["message": .string(n.message)]
                if let r = n.range { o["location"] = locationJSON(r) }
                return .object(o)
            })
            obj["fixits"] = .array(d.fixIts.map { f in
                var o: [String: JSONValue] = ["message": .string(f.message)]
                if let r = f.range { o["location"] = locationJSON(r) }
                if let rep = f.replacement { o["replacement"] = .string(rep) }
                return .object(o)
            })
            items.append(.object(obj))
        }
        return JSONValue.object(["diagnostics": .array(items)]).rendered() + "\n"
    }

    private func locationJSON(_ r: SourceRange) -> JSONValue {
        var o: [String: JSONValue] = ["file": .string(r.file), "offset": .int(r.start)]
        if let f = files[r.file] {
            let (l, c) = f.lineColumn(of: r.start)
            o["line"] = .int(l)
            o["column"] = .int(c)
        }
        return .object(o)
    }
}
