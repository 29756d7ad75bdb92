import Foundation
import Testing

/// The write-back follows the input's own conventions: its quote character, its line ending,
/// and the spelling of every address it keeps (issue 11, write-back fidelity).
@Suite("the write-back follows the file's own style")
struct WriteFidelityTests {
    static let domain = """
        <domain type="kvm">
          <name>fidelity</name>
          <os>
            <type arch="x86_64" machine="pc">hvm</type>
          </os>
          <devices>
            <controller type="usb" index="0" model="piix3-uhci"/>
            <interface type="user">
              <mac address="52:54:00:00:00:09"/>
              <model type="virtio"/>
              <address type="pci" domain="0x0000" bus="0x00" slot="0X05" function="0x0"/>
            </interface>
            <disk type="file" device="disk">
              <target dev="vda" bus="virtio"/>
            </disk>
          </devices>
        </domain>

        """

    func plan(_ text: String, _ extra: [String] = []) throws -> String {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent("vm.xml"))
        let r = try PCIPlanBinary.run(["plan", "vm.xml"] + extra, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test("inserted attributes use double quotes in a file written with double quotes")
    func doubleQuotes() throws {
        let out = try plan(Self.domain)
        #expect(out.contains("<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x02\" function=\"0x0\"/>"))
        #expect(!out.contains("'"), "a single quote crept in:\n\(out)")
    }

    @Test("inserted lines end in CRLF in a CRLF file")
    func crlf() throws {
        let text = Self.domain.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        let out = try plan(text)
        let bytes = Array(out.utf8)
        let lineFeeds = bytes.indices.filter { bytes[$0] == 0x0A }
        #expect(lineFeeds.count > 20)
        #expect(lineFeeds.allSatisfy { $0 > 0 && bytes[$0 - 1] == 0x0D }, "a line ends in a bare LF:\n\(out)")
    }

    @Test("plan F --keep F never respells a kept address")
    func keptSpelling() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.domain.utf8).write(to: dir.appendingPathComponent("vm.xml"))
        let kept = try PCIPlanBinary.run(["plan", "vm.xml", "--keep", "vm.xml"], in: dir)
        let plain = try PCIPlanBinary.run(["plan", "vm.xml"], in: dir)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains("slot=\"0X05\""))
        #expect(kept.stdout == plain.stdout)
    }
}
