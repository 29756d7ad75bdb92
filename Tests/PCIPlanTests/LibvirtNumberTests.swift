import Testing
@testable import PCIPlanModel

/// `parseLibvirtUInt` reads the UTF-8 bytes (for speed); these cases pin it to what the
/// earlier Character-walking parser gave, odd inputs included.
@Suite("libvirt's unsigned numbers")
struct LibvirtNumberTests {
    /// The earlier parser, kept as the reference.
    static func reference(_ text: String) -> UInt64? {
        var t = Substring(text)
        while let f = t.first, f == " " || f == "\t" || f == "\n" || f == "\r" { t = t.dropFirst() }
        if t.first == "+" { t = t.dropFirst() }
        guard let first = t.first, first.isASCII, first.isNumber else { return nil }
        if t.hasPrefix("0x") || t.hasPrefix("0X") {
            let digits = t.dropFirst(2)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard t.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if t.count > 1 && t.first == "0" { return UInt64(t.dropFirst(), radix: 8) }
        return UInt64(t, radix: 10)
    }

    static let cases = [
        "0", "7", "31", "0x1f", "0X1F", "0x", "0x0", "0xg", "010", "08", "007", "0009", "+5", "++5", "-0", "-1",
        " 5", "\t\n 0x2", "\r5", "\r\n5", " \r\n5", "5 ", "5\r\n", "", " ", "+", "0x+1", "1a", "abc",
        "18446744073709551615", "18446744073709551616", "0xffffffffffffffff", "0x10000000000000000",
        "01777777777777777777777", "02000000000000000000000", "5\u{301}", " \u{301}5", "+\u{301}5", "０", "٣", "0x１",
    ]

    @Test("the byte parser agrees with the Character parser", arguments: cases)
    func agrees(_ text: String) {
        #expect(parseLibvirtUInt(text) == Self.reference(text))
    }

    @Test("values: hex, octal, decimal, overflow")
    func values() {
        #expect(parseLibvirtUInt("0x1f") == 31)
        #expect(parseLibvirtUInt("010") == 8)
        #expect(parseLibvirtUInt("08") == nil)
        #expect(parseLibvirtUInt(" +12") == 12)
        #expect(parseLibvirtUInt("18446744073709551616") == nil)
    }

    /// The earlier controller index parser (Characters), kept as the reference.
    static func referenceIndex(_ text: String) -> (value: Int?, negative: Bool) {
        var t = Substring(text)
        while let ch = t.first, ch == " " || ch == "\t" || ch == "\n" || ch == "\r" { t = t.dropFirst() }
        var sign = 1
        if t.first == "+" { t = t.dropFirst() } else if t.first == "-" { sign = -1; t = t.dropFirst() }
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int32(t) else { return (nil, false) }
        let value = sign * Int(v)
        return value < 0 ? (nil, true) : (value, false)
    }

    static let indexCases = cases + [
        "-5", "-0", " -3", "+-3", "-+3", "2147483647", "2147483648", "-2147483647", "-2147483648", "0000000000005",
        "-\u{301}5", "\r\n-1", "\n-1", "1 ", "", "-",
    ]

    @Test("controller indexes by bytes as by Characters", arguments: indexCases)
    func indexAgrees(_ text: String) {
        let (value, negative) = parseLibvirtControllerIndex(text)
        let expected = Self.referenceIndex(text)
        #expect(value == expected.value && negative == expected.negative)
    }

    /// The octal warning's test on bytes says what the trimmed text says, for every number
    /// `parseLibvirtUInt` accepts.
    @Test("octal-looking numbers by bytes as by the trimmed text",
          arguments: (cases + ["0010", " 07", "\t0x7", "00", "+010"]).filter { parseLibvirtUInt($0) != nil })
    func octalAgrees(_ text: String) {
        let t = text.trimmingSpaces
        #expect(writtenOctal(text) == (t.count > 1 && t.first == "0" && !(t.hasPrefix("0x") || t.hasPrefix("0X"))))
    }
}
