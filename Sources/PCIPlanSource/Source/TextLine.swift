extension String {
    /// This text as it may appear inside one line of text output (diagnostics, `diff`): every
    /// character that could end the line or reorder what a terminal shows is escaped, so input
    /// bytes (an attribute value with `&#10;`, a file name with a newline) can never forge a
    /// line of their own or hide text.
    ///
    /// Escaped: the C0 controls (`\n`, `\r` and `\t` by name, the others as `\u{1B}`), DEL and
    /// the C1 controls (`\u{7F}`, `\u{85}`), the line and paragraph separators (`\u{2028}`,
    /// `\u{2029}`) and the bidirectional controls (`\u{200E}`, `\u{200F}`, `\u{061C}`,
    /// `\u{202A}`–`\u{202E}`, `\u{2066}`–`\u{2069}`), in Swift's escape style with uppercase hex.
    /// Everything else, backslashes included, is printed as it is: text output is for people;
    /// JSON output carries the exact text.
    package var escapedForLine: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        for s in unicodeScalars {
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Self.needsEscape(s): out += "\\u{\(String(s.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: true           // C0, DEL, C1
        case 0x2028, 0x2029: true                       // line and paragraph separators
        case 0x200E, 0x200F, 0x061C: true               // LRM, RLM, ALM
        case 0x202A...0x202E, 0x2066...0x2069: true     // bidi embeddings, overrides, isolates
        default: false
        }
    }
}
