extension String {
    /// Text for XML content and attribute values (SVG, the HTML report, an ABI lock's
    /// synthesized domain): markup characters escaped, line breaks and tabs as spaces, and
    /// characters XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF) replaced by U+FFFD.
    package var xmlEscaped: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for u in unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\r", "\t": out += " "
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF || (0x7F...0x9F).contains(u.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}
