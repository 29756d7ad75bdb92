import PCIPlanSource

/// What `check` found in one input: its status and its located diagnostics.
public struct CheckedFile: Sendable, Hashable, Codable {
    /// How `check` ended for one file, as JSON's `status` says it.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// No error and no warning (notes allowed).
        case clean
        /// Warnings, no error.
        case warnings
        /// At least one error.
        case errors
        /// The file could not be read (missing, a dangling link, not a regular file, an I/O
        /// error): one `input.unreadable` diagnostic says why.
        case unreadable
    }

    /// The name the input was given by (`vms/a.xml`, `<stdin>`).
    public var file: String
    /// clean, warnings, errors or unreadable, from the diagnostics' severities.
    public var status: Status
    /// Every finding for the file, in the order `check` reports them.
    public var diagnostics: [LocatedDiagnostic]

    /// A file that was read and checked: the status follows from the severities.
    public init(file: String, diagnostics: [LocatedDiagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
        if diagnostics.contains(where: { $0.severity == .error }) {
            status = .errors
        } else if diagnostics.contains(where: { $0.severity == .warning }) {
            status = .warnings
        } else {
            status = .clean
        }
    }

    /// `file` checked: `diagnostics` are what `Pipeline.check` found in it.
    public init(_ file: SourceFile, diagnostics: [Diagnostic]) {
        self.init(file: file.name, diagnostics: diagnostics.map { LocatedDiagnostic($0, files: [file]) })
    }

    /// A file that could not be read; `message` says why (`a.xml: no such file`).
    public static func unreadable(_ file: String, message: String) -> CheckedFile {
        var f = CheckedFile(file: file, diagnostics: [LocatedDiagnostic(.inputUnreadable(message), files: [SourceFile]())])
        f.status = .unreadable
        return f
    }

    /// A file on which pciplan itself failed (the check process died): an `internal.bug`
    /// error, so one such file never stops the others.
    public static func internalFailure(_ file: String, detail: String) -> CheckedFile {
        CheckedFile(file: file, diagnostics: [LocatedDiagnostic(.checkStopped(detail: detail, file: nil), files: [SourceFile]())])
    }

    /// `{"file", "status", "diagnostics": […]}` (Docs/json.md).
    public var json: JSONValue {
        .object([
            "file": .string(file), "status": .string(status.rawValue),
            "diagnostics": .array(diagnostics.map(\.json)),
        ])
    }
}

/// Counts over the files of one `check` run: the fleet summary.
public struct CheckSummary: Sendable, Hashable {
    /// How many files were checked.
    public private(set) var files = 0
    /// How many files ended with each status.
    public private(set) var byStatus: [CheckedFile.Status: Int] = [:]
    /// Diagnostics per ID, over all files.
    public private(set) var byID: [String: Int] = [:]
    /// The most serious severity each ID was seen with.
    public private(set) var severityByID: [String: Severity] = [:]
    /// PCI Express domains that cannot take another hot-plug (`hotplug.noFreePort`).
    public private(set) var noFreeHotplugPort = 0

    /// An empty summary.
    public init() {}

    /// Counts one checked file.
    public mutating func add(_ f: CheckedFile) {
        files += 1
        byStatus[f.status, default: 0] += 1
        for d in f.diagnostics {
            byID[d.id, default: 0] += 1
            severityByID[d.id] = max(severityByID[d.id] ?? d.severity, d.severity)
        }
        if f.diagnostics.contains(where: { $0.id == DiagnosticID.hotplugNoFreePort.rawValue }) { noFreeHotplugPort += 1 }
    }

    /// How many files ended with status `s`.
    public func count(_ s: CheckedFile.Status) -> Int { byStatus[s] ?? 0 }

    /// IDs by count, most frequent first (ties by ID).
    public func topIDs(_ n: Int) -> [(id: String, count: Int)] {
        Array(byID.map { (id: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
            .prefix(n))
    }

    /// The table `check` prints after several files.
    public func text(top n: Int = 10) -> String {
        let rows: [(String, Int)] = [
            ("clean", count(.clean)), ("with warnings", count(.warnings)), ("with errors", count(.errors)),
            ("unreadable", count(.unreadable)),
        ]
        var out = "\(files) file\(files == 1 ? "" : "s") checked\n"
        for (label, n) in rows { out += "  \(pad(label, 14)) \(lpad(n, 6))\n" }
        out += "PCI Express domains that cannot take another hot-plug: \(noFreeHotplugPort)\n"
        let top = topIDs(n)
        if !top.isEmpty {
            out += "top diagnostics:\n"
            let width = top.map(\.id.count).max() ?? 0
            for (id, count) in top {
                out += "  \(pad(id, width)) \(lpad(count, 6))  \(severityByID[id]?.rawValue ?? "")\n"
            }
        }
        return out
    }

    /// `{"files", "clean", "warnings", "errors", "unreadable", "noFreeHotplugPort",
    /// "diagnostics": {"id": count}}`.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["files": .int(files), "noFreeHotplugPort": .int(noFreeHotplugPort)]
        for s in CheckedFile.Status.allCases { o[s.rawValue] = .int(count(s)) }
        o["diagnostics"] = .object(byID.mapValues(JSONValue.int))
        return .object(o)
    }

    private func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
    private func lpad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: " ", count: max(0, n - s.count)) + s }
}
