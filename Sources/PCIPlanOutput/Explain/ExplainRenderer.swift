import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Renders `explain`: one header line per device (`vm.xml:9:5: disk 'vda' (virtio-disk0) →
/// 0000:00:04.0 multifunction=on`) followed by its sentences, or JSON.
public enum ExplainRenderer {
    /// The `schema` number of the JSON output; it changes only when a field changes meaning.
    public static let schemaVersion = 1

    /// The explanations as text; with `steps`, followed by the numbered list of what libvirt adds
    /// at define (`PlannedDomain.steps`).
    public static func text(_ items: [DeviceExplanation], plan: PlannedDomain, steps: Bool = true) -> String {
        let file = plan.normalized.definition.file
        var out = ""
        for e in items {
            let pos = e.location.map { r -> String in
                let (l, c) = file.lineColumn(of: r.start)
                return "\(file.name):\(l):\(c): "
            } ?? "\(file.name): "
            var head = "\(pos)\(e.label)"
            if let a = e.address { head += " → \(a)" }
            if e.multifunction != .absent { head += " multifunction=\(e.multifunction.rawValue)" }
            if e.location == nil { head += " (added)" }
            out += head + "\n"
            for s in e.sentences { out += "  \(s)\n" }
        }
        if steps && !plan.steps.isEmpty {
            out += "steps libvirt takes at define, in order:\n"
            for (n, s) in plan.steps.enumerated() { out += "  \(n + 1). \(s)\n" }
        }
        return out
    }

    /// The explanations and the steps as JSON, keys sorted.
    public static func json(_ items: [DeviceExplanation], plan: PlannedDomain) -> String {
        let file = plan.normalized.definition.file
        let devices: [JSONValue] = items.map { e in
            var o: [String: JSONValue] = [
                "name": .string(e.label),
                "alias": e.alias.map(JSONValue.string) ?? .null,
                "address": e.address.map { .string($0.description) } ?? .null,
                "guestAddress": e.guestAddress.map { .string($0.description) } ?? .null,
                "multifunction": .string(e.multifunction.rawValue),
                "sentences": .array(e.sentences.map(JSONValue.string)),
            ]
            if let r = e.location {
                let (l, c) = file.lineColumn(of: r.start)
                o["location"] = .object(["file": .string(file.name), "line": .int(l), "column": .int(c)])
            } else {
                o["location"] = .null
            }
            return .object(o)
        }
        return JSONValue.object([
            "schema": .int(schemaVersion),
            "devices": .array(devices),
            "steps": .array(plan.steps.map(JSONValue.string)),
        ]).rendered() + "\n"
    }
}
