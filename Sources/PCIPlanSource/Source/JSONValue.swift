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
        var out: [UInt8] = []
        write(into: &out, indent: indent)
        return String(decoding: out, as: UTF8.self)
    }

    /// `rendered`, as UTF-8 appended to one buffer for the whole document: building each
    /// level's string and joining it into its parent's copied every byte once per level, and
    /// appending small strings to a String costs far more than to a byte array.
    func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: Self.append("null", &out)
        case .bool(let b): Self.append(b ? "true" : "false", &out)
        case .int(let i): Self.append(String(i), &out)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let a):
            if a.isEmpty { return Self.append("[]", &out) }
            Self.append("[\n", &out)
            for (n, v) in a.enumerated() {
                if n > 0 { Self.append(",\n", &out) }
                Self.pad(&out, indent + 1)
                v.write(into: &out, indent: indent + 1)
            }
            out.append(UInt8(ascii: "\n"))
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { return Self.append("{}", &out) }
            Self.append("{\n", &out)
            for (n, (k, v)) in o.sorted(by: { $0.key < $1.key }).enumerated() {
                if n > 0 { Self.append(",\n", &out) }
                Self.pad(&out, indent + 1)
                JSONValue.quote(k, into: &out)
                Self.append(": ", &out)
                v.write(into: &out, indent: indent + 1)
            }
            out.append(UInt8(ascii: "\n"))
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    static func append(_ s: String, _ out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    static func pad(_ out: inout [UInt8], _ indent: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
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
        var out: [UInt8] = []
        quote(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            return out.append(UInt8(ascii: "\""))
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): append("\\\"", &out)
            case UInt8(ascii: "\\"): append("\\\\", &out)
            case UInt8(ascii: "\n"): append("\\n", &out)
            case UInt8(ascii: "\r"): append("\\r", &out)
            case UInt8(ascii: "\t"): append("\\t", &out)
            case ..<0x20:
                // \u00XX, lowercase hex as before
                append("\\u00", &out)
                let digits = Array("0123456789abcdef".utf8)
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 0xF)])
            default:
                // Other bytes, multi-byte UTF-8 included, are copied: escapes are all ASCII.
                out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
