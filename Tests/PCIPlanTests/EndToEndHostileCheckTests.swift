import Foundation
import Testing

/// Hostile and broken input: each gives one clear diagnostic and exit 1, never a crash.
@Suite("check end to end: hostile input", .serialized)
struct EndToEndHostileCheckTests {
    static let laughs = """
        <?xml version="1.0"?>
        <!DOCTYPE domain [
          <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
          <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
          <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
          <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
          <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
          <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
        ]>
        <domain type='kvm'><name>&f;</name></domain>
        """

    static let cases: [(String, [UInt8], String)] = [
        ("XXE", Array("<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n<domain type='kvm'><name>&x;</name></domain>\n".utf8),
         "[input.xml]"),
        ("billion laughs", Array(laughs.utf8), "[input.xml]"),
        ("invalid UTF-8", Array("<domain type='kvm'><name>".utf8) + [0xFF, 0xFE, 0xC0, 0x80] + Array("</name></domain>".utf8), "not valid UTF-8"),
        ("truncated after a tag", Array("<domain type='kvm'><name>vm</name><devices>".utf8), "[input.xml]"),
        ("truncated inside a tag", Array("<domain type='kvm'><name>vm</name><devi".utf8), "[input.xml]"),
        ("truncated inside an attribute", Array("<domain type='kvm'><devices><disk type='fi".utf8), "[input.xml]"),
        ("not XML", Array("this is not XML at all\n".utf8), "[input.xml]"),
        ("empty", [], "[input.xml]"),
        ("root is not <domain>", Array("<network><name>default</name></network>\n".utf8), "[input.notDomain]"),
        ("a binary blob", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, "[input.xml]"),
        ("a control byte in a start tag", Array("<domain type='kvm'>\n  <devices>\n    <disk".utf8) + [0x01] + Array(" type='file'>\n    </disk>\n  </devices>\n</domain>\n".utf8),
         "vm.xml:3:"),
    ]

    @Test("each hostile input: one error line, exit 1, no crash", arguments: cases.map(\.0))
    func hostile(_ name: String) throws {
        let (_, bytes, expected) = try #require(Self.cases.first { $0.0 == name })
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(bytes).write(to: dir.appendingPathComponent("vm.xml"))
        let r = try PCIPlanBinary.run(["check", "vm.xml"], in: dir)
        #expect(!r.crashed && r.status == 1, "\(name): status \(r.status)\n\(r.stderr)")
        #expect(r.errorLines.count == 1, "\(name):\n\(r.stderr)")
        #expect(r.errorLines.first?.hasPrefix("vm.xml:") == true && r.stderr.contains(expected), "\(name):\n\(r.stderr)")
        #expect(!r.stderr.contains("root:x:0:0") && !r.stdout.contains("root:x:0:0"), "the external entity was read")
        #expect(!r.stderr.contains("internal error"), "\(name): malformed input is the user's, not a bug:\n\(r.stderr)")
    }

    @Test("a million attributes on one element: one located error, exit 1, at once")
    func millionAttributes() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(domainWithManyAttributes(1_000_000)).write(to: dir.appendingPathComponent("vm.xml"))
        let r = try PCIPlanBinary.run(["check", "vm.xml"], in: dir)
        #expect(!r.crashed && r.status == 1)
        #expect(r.errorLines == ["vm.xml:3:5: error: element <disk> has 1000000 attributes, more than the 1024 accepted (libvirt's elements have a handful) [input.xml]"])
    }

    /// 33 MiB: a comment that never ends would take libxml2 a long time; the size limit answers first.
    static func oversized() -> Data {
        var d = Data("<domain type='kvm'><name>vm</name><devices><!-- ".utf8)
        d.append(Data(repeating: UInt8(ascii: "x"), count: 33 << 20))
        d.append(Data(" --></devices></domain>\n".utf8))
        return d
    }

    @Test("an oversized file (> 32 MiB): one error, exit 1")
    func oversizedFile() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.oversized().write(to: dir.appendingPathComponent("big.xml"))
        let r = try PCIPlanBinary.run(["check", "big.xml"], in: dir)
        #expect(!r.crashed && r.status == 1)
        #expect(r.errorLines == ["big.xml: error: the input is larger than the 32 MiB limit; domain XML is far smaller, so this is not a domain definition [input.xml]"])
    }

    @Test("oversized standard input: one error, exit 1")
    func oversizedStdin() throws {
        let r = try PCIPlanBinary.run(["check", "-"], stdin: Self.oversized())
        #expect(!r.crashed && r.status == 1)
        #expect(r.errorLines.count == 1 && r.errorLines.first?.hasPrefix("<stdin>: error: ") == true, "\(r.stderr)")
    }
}
