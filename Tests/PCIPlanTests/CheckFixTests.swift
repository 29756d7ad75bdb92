import Foundation
import Testing

/// `check --fix`: the machine-applicable fix-its are written back (atomically), and the check
/// that follows sees the fixed files.
@Suite("check --fix applies the safe fix-its")
struct CheckFixTests {
    static func domain(_ address: String) -> String {
        """
        <domain type='kvm'>
          <name>fix</name>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <devices>
            <interface type='user'>
              <mac address='52:54:00:00:02:01'/>
              <model type='virtio'/>
              \(address)
            </interface>
          </devices>
        </domain>

        """
    }

    @Test("an error and a warning with replacements are fixed, nothing else changes, and the check is clean")
    func fixes() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = Self.domain("<address type='pci' domain='0x0000' bus='0x00' slot='1f' function='0x0'/>")
        let octal = Self.domain("<address type='pci' domain='0x0000' bus='0x00' slot='05' function='0x0'/>")
        try Data(bad.utf8).write(to: dir.appendingPathComponent("a.xml"))
        try Data(octal.utf8).write(to: dir.appendingPathComponent("b.xml"))
        let before = try PCIPlanBinary.run(["check", "a.xml", "b.xml"], in: dir)
        #expect(before.status == 1)
        let r = try PCIPlanBinary.run(["check", "--fix", "a.xml", "b.xml"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("a.xml: applied 1 fix-it(s)"))
        let a = try String(contentsOf: dir.appendingPathComponent("a.xml"), encoding: .utf8)
        let b = try String(contentsOf: dir.appendingPathComponent("b.xml"), encoding: .utf8)
        #expect(a == bad.replacingOccurrences(of: "slot='1f'", with: "slot='0x1f'"))
        #expect(b == octal.replacingOccurrences(of: "slot='05'", with: "slot='0x05'"))
        let again = try PCIPlanBinary.run(["check", "--fix", "a.xml", "b.xml"], in: dir)
        #expect(again.status == 0 && !again.stderr.contains("applied"))
    }

    @Test("--fix refuses standard input")
    func stdin() throws {
        let r = try PCIPlanBinary.run(["check", "--fix", "-"], stdin: Data(Self.domain("").utf8))
        #expect(r.status == 2)
    }
}
