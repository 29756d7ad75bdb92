import PCIPlanSource

/// `check --format sarif`: SARIF 2.1.0 for CI systems that annotate files (GitHub code
/// scanning, GitLab, Azure DevOps). One run; its results in input order; `tool.driver.rules`
/// lists the IDs that occurred with their one-line description (Docs/diagnostics.md).
///
/// Like `CheckJSON` it is written in pieces while files are checked: with sorted keys a run's
/// `results` come before its `tool`, so the rules (known only at the end) go last.
/// Columns count Unicode scalars (`columnKind: unicodeCodePoints`), lines and columns are
/// 1-based, `endColumn` is the column after the region; `byteOffset` / `byteLength` give the
/// exact bytes.
public enum SARIFRenderer {
    /// The SARIF 2.1.0 schema the document names in `$schema`.
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    /// Everything before the first result (streamed output starts with it).
    public static let head = """
        {
          "$schema": "\(schemaURI)",
          "runs": [
            {
              "columnKind": "unicodeCodePoints",
              "results": [
        """

    /// The results of one file, each as a piece to write (after the ones before it).
    /// `cwd` is the working directory, for relative URIs; `first` says whether any result was
    /// written before.
    public static func results(_ f: CheckedFile, cwd: String, first: Bool) -> String {
        var out = ""
        var isFirst = first
        for d in f.diagnostics {
            out += (isFirst ? "\n" : ",\n") + String(repeating: "  ", count: 4) + result(d, in: f, cwd: cwd).rendered(indent: 4)
            isFirst = false
        }
        return out
    }

    /// Everything after the last result: the tool with the rules of the IDs that occurred.
    public static func tail(rules ids: [String], version: String, empty: Bool) -> String {
        let tool: JSONValue = .object(["driver": .object([
            "name": .string("pciplan"),
            "version": .string(version),
            "semanticVersion": .string(version),
            "rules": .array(ids.sorted().map(rule)),
        ])])
        return (empty ? "]" : "\n      ]") + ",\n      \"tool\": " + tool.rendered(indent: 3)
            + "\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n"
    }

    /// The whole log at once (for tests and small runs).
    public static func document(_ files: [CheckedFile], cwd: String, version: String) -> String {
        var out = head
        var first = true
        var ids = Set<String>()
        for f in files {
            out += results(f, cwd: cwd, first: first)
            if !f.diagnostics.isEmpty { first = false }
            ids.formUnion(f.diagnostics.map(\.id))
        }
        return out + tail(rules: Array(ids), version: version, empty: first)
    }

    package static func rule(_ id: String) -> JSONValue {
        .object([
            "id": .string(id),
            "shortDescription": .object(["text": .string(DiagnosticDescriptions.byID[id] ?? id)]),
        ])
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    package static func result(_ d: LocatedDiagnostic, in f: CheckedFile, cwd: String) -> JSONValue {
        var o: [String: JSONValue] = [
            "ruleId": .string(d.id), "level": .string(level(d.severity)),
            "message": .object(["text": .string(d.message)]),
        ]
        if let loc = location(d.range, orFile: f.file, cwd: cwd) { o["locations"] = .array([.object(loc)]) }
        var related: [JSONValue] = []
        for n in d.notes {
            var r = location(n.range, orFile: nil, cwd: cwd) ?? [:]
            r["id"] = .int(related.count + 1)
            r["message"] = .object(["text": .string(n.message)])
            related.append(.object(r))
        }
        var fixes: [JSONValue] = []
        for fix in d.fixIts {
            if let range = fix.range, let replacement = fix.replacement, let uri = uri(for: range.file, cwd: cwd) {
                fixes.append(.object([
                    "description": .object(["text": .string(fix.message)]),
                    "artifactChanges": .array([.object([
                        "artifactLocation": .object(["uri": .string(uri)]),
                        "replacements": .array([.object([
                            "deletedRegion": region(range),
                            "insertedContent": .object(["text": .string(replacement)]),
                        ])]),
                    ])]),
                ]))
            } else {
                // Advice without an edit: kept as a related location, so it is not lost.
                var r = location(fix.range, orFile: nil, cwd: cwd) ?? [:]
                r["id"] = .int(related.count + 1)
                r["message"] = .object(["text": .string("fix: " + fix.message)])
                related.append(.object(r))
            }
        }
        if !related.isEmpty { o["relatedLocations"] = .array(related) }
        if !fixes.isEmpty { o["fixes"] = .array(fixes) }
        return .object(o)
    }

    /// The members of a location for `range`, else of the whole file `orFile` (when it has a URI).
    static func location(_ range: LocatedRange?, orFile file: String?, cwd: String) -> [String: JSONValue]? {
        guard let name = range?.file ?? file, let uri = uri(for: name, cwd: cwd) else { return nil }
        var physical: [String: JSONValue] = ["artifactLocation": .object(["uri": .string(uri)])]
        if let range { physical["region"] = region(range) }
        return ["physicalLocation": .object(physical)]
    }

    static func region(_ r: LocatedRange) -> JSONValue {
        var o: [String: JSONValue] = ["byteOffset": .int(r.start.offset), "byteLength": .int(max(0, r.end.offset - r.start.offset))]
        if let l = r.start.line, let c = r.start.characterColumn {
            o["startLine"] = .int(l)
            o["startColumn"] = .int(c)
        }
        if let l = r.end.line, let c = r.end.characterColumn {
            o["endLine"] = .int(l)
            o["endColumn"] = .int(c)
        }
        return .object(o)
    }

    /// The artifact URI of an input name: relative to `cwd` when it lies below it (`vms/a.xml`),
    /// else an absolute `file://` URI; nil for standard input. Percent-encoded (RFC 3986).
    public static func uri(for name: String, cwd: String) -> String? {
        guard name != "<stdin>" else { return nil }
        var path = name
        let base = cwd.hasSuffix("/") ? cwd : cwd + "/"
        if path.hasPrefix(base) { path = String(path.dropFirst(base.count)) }
        while path.hasPrefix("./") { path = String(path.dropFirst(2)) }
        if path.hasPrefix("/") { return "file://" + percentEncoded(path) }
        if path.hasPrefix("../") || path.contains("/../") {
            // Outside the working directory: absolute, so the URI names the right file.
            return "file://" + percentEncoded(normalized(base + path))
        }
        return percentEncoded(path)
    }

    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for p in path.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func percentEncoded(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            let c = Character(UnicodeScalar(b))
            if (b < 0x80 && (c.isLetter || c.isNumber)) || "-._~/".utf8.contains(b) {
                out.append(c)
            } else {
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
