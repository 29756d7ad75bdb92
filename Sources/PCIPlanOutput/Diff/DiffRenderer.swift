import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Renders `diff` results: compiler-style text (`old.xml:12:5: breaking: … [diff.moved]`
/// followed by `new.xml:14:5: note: …`, one line each: texts and file names are escaped with
/// `escapedForLine`) or JSON (schema in Docs/abi.md).
public enum DiffRenderer {
    /// The `schema` number of the JSON output; it changes only when a field changes meaning.
    public static let schemaVersion = 1

    /// Every change as `file:line:col: severity: message [id]` with its notes, then the summary line.
    public static func text(_ outcome: DiffOutcome) -> String {
        let files = [outcome.old, outcome.new]
        var out = ""
        for c in outcome.changes {
            out += "\(position(c.at, files))\(c.severity.rawValue): \(c.message.escapedForLine) [\(c.kind.rawValue)]\n"
            for n in c.notes {
                out += "\(n.at.map { position($0, files) } ?? "")note: \(n.message.escapedForLine)\n"
            }
        }
        out += summary(outcome) + "\n"
        return out
    }

    /// `2 breaking, 1 warning, 0 info` or `no guest-visible PCI change`.
    public static func summary(_ outcome: DiffOutcome) -> String {
        let (old, new) = (outcome.old.name.escapedForLine, outcome.new.name.escapedForLine)
        if outcome.changes.isEmpty {
            return "\(old) → \(new): no guest-visible PCI change"
        }
        let b = outcome.count(.breaking), w = outcome.count(.warning), i = outcome.count(.info)
        return "\(old) → \(new): \(b) breaking, \(w) warning\(w == 1 ? "" : "s"), \(i) info"
    }

    static func position(_ at: ABIChange.Location, _ files: [SourceFile]) -> String {
        guard let offset = at.offset, let f = files.first(where: { $0.name == at.file }) else { return "\(at.file.escapedForLine): " }
        let (l, c) = f.lineColumn(of: offset)
        return "\(at.file.escapedForLine):\(l):\(c): "
    }

    /// The changes as JSON: id, severity, `libvirtChecks`, message, location, notes, both sides
    /// and a summary, keys sorted.
    public static func json(_ outcome: DiffOutcome) -> String {
        JSONValue.object(jsonMembers(outcome)).rendered() + "\n"
    }

    /// The members of the JSON document (`document(_:)` adds the diagnostics).
    static func jsonMembers(_ outcome: DiffOutcome) -> [String: JSONValue] {
        let files = [outcome.old, outcome.new]
        func loc(_ at: ABIChange.Location) -> JSONValue {
            var o: [String: JSONValue] = ["file": .string(at.file)]
            if let off = at.offset, let f = files.first(where: { $0.name == at.file }) {
                let (l, c) = f.lineColumn(of: off)
                o["line"] = .int(l)
                o["column"] = .int(c)
                o["offset"] = .int(off)
            }
            return .object(o)
        }
        func side(_ s: ABIChange.Side?) -> JSONValue {
            guard let s else { return .null }
            var o: [String: JSONValue] = ["name": .string(s.name), "location": loc(s.at),
                                          "multifunction": .string(s.multifunction.rawValue)]
            o["alias"] = s.alias.map(JSONValue.string) ?? .null
            o["address"] = s.address.map { .string($0.description) } ?? .null
            if let g = s.guest { o["guest"] = g.json }
            return .object(o)
        }
        let changes: [JSONValue] = outcome.changes.map { c in
            .object([
                "id": .string(c.kind.rawValue), "severity": .string(c.severity.rawValue),
                "message": .string(c.message), "location": loc(c.at),
                "libvirtChecks": .bool(c.libvirtChecks),
                "old": side(c.old), "new": side(c.new),
                "notes": .array(c.notes.map { n in
                    var o: [String: JSONValue] = ["message": .string(n.message)]
                    if let at = n.at { o["location"] = loc(at) }
                    return .object(o)
                }),
            ])
        }
        let summary: JSONValue = .object(Dictionary(uniqueKeysWithValues: ABIChange.Severity.allCases.map {
            ($0.rawValue, JSONValue.int(outcome.count($0)))
        }))
        return [
            "schema": .int(schemaVersion),
            "old": .string(outcome.old.name), "new": .string(outcome.new.name),
            "breaking": .bool(outcome.hasBreaking),
            "summary": summary,
            "changes": .array(changes),
            "pairs": .array(outcome.pairs.map { p in .object(["old": side(p.old), "new": side(p.new), "how": .string(p.how)]) }),
        ]
    }
}
