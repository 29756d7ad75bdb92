/// A tiny JSON value with deterministic output (sorted keys), so golden files stay quiet.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer; pciplan's JSON has no fractions.
    case int(Int)
    /// A string, escaped on output.
    case string(String)
    /// An array, in the given order.
    case array([JSONValue])
    /// An object; its keys are written sorted, or in the order `compact(order:)` is given.
    case object([String: JSONValue])

    /// Pretty-printed with two-space indentation and sorted keys.
    public func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return JSONValue.quote(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            return "[\n" + a.map { inner + $0.rendered(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + pad + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            return "{\n" + o.keys.sorted().map { k in
                inner + JSONValue.quote(k) + ": " + o[k]!.rendered(indent: indent + 1)
            }.joined(separator: ",\n") + "\n" + pad + "}"
        }
    }

    /// Compact form, keys in the order given by `order` first, then sorted (QEMU's -device JSON).
    public func compact(order: [String] = []) -> String {
        switch self {
        case .object(let o):
            let rest = o.keys.filter { !order.contains($0) }.sorted()
            let keys = order.filter { o[$0] != nil } + rest
            return "{" + keys.map { JSONValue.quote($0) + ":" + o[$0]!.compact() }.joined(separator: ",") + "}"
        case .array(let a):
            return "[" + a.map { $0.compact() }.joined(separator: ",") + "]"
        default:
            return rendered()
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
