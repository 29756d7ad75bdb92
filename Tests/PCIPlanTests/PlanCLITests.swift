import Foundation
import Testing

/// `pciplan plan` end to end: the built binary, its stdout, stderr, exit status and files.
@Suite("pciplan plan, end to end")
struct PlanCLITests {
    static let example = PCIPlanBinary.packageRoot.appendingPathComponent("Examples/q35-desktop.xml")

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("plan prints the planned XML and keeps every input line")
    func stdout() throws {
        let r = try PCIPlanBinary.run(["plan", Self.example.path])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("<domain type='kvm'>"))
        #expect(r.stdout.contains("<address type='pci' domain='0x0000' bus='0x00' slot='0x1b' function='0x0'/>"))
        let input = try String(contentsOf: Self.example, encoding: .utf8)
        var rest = Substring(r.stdout)
        for line in input.split(separator: "\n") where !line.hasSuffix("/>") {
            // every line that planning does not open up is still there, in order
            guard let at = rest.range(of: line) else {
                Issue.record("line lost: \(line)")
                return
            }
            rest = rest[at.upperBound...]
        }
    }

    @Test("plan reads standard input with '-'")
    func stdin() throws {
        let data = try Data(contentsOf: Self.example)
        let a = try PCIPlanBinary.run(["plan", "-"], stdin: data)
        let b = try PCIPlanBinary.run(["plan", Self.example.path])
        #expect(a.status == 0)
        #expect(a.stdout == b.stdout)
    }

    @Test("--output writes the file and nothing to stdout; --in-place replaces the input")
    func files() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("vm.xml")
        try FileManager.default.copyItem(at: Self.example, to: input)
        let out = dir.appendingPathComponent("planned.xml")
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", out.path])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let planned = try String(contentsOf: out, encoding: .utf8)
        #expect(planned.contains("pcie-root-port"))
        let r2 = try PCIPlanBinary.run(["plan", input.path, "--in-place"])
        #expect(r2.status == 0)
        #expect(try String(contentsOf: input, encoding: .utf8) == planned)
        // planning the planned file changes nothing: every address is explicit now
        let r3 = try PCIPlanBinary.run(["plan", input.path])
        #expect(r3.stdout == planned)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test("a domain libvirt rejects: exit 1, diagnostics, and nothing written")
    func rejected() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("bad.xml")
        let text = """
            <domain type='kvm'>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <devices>
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
                </disk>
                <disk type='file' device='disk'>
                  <target dev='vdb' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
                </disk>
              </devices>
            </domain>

            """
        try text.write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.xml")
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", out.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("bad.xml:10:"))
        #expect(r.stderr.contains("0000:00:04.0"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let r2 = try PCIPlanBinary.run(["plan", input.path, "--in-place"])
        #expect(r2.status == 1)
        #expect(try String(contentsOf: input, encoding: .utf8) == text)
    }

    @Test("usage and I/O errors exit 2", arguments: [
        ["plan"], ["plan", "/nonexistent/vm.xml"], ["plan", "-", "--in-place"], ["plan", "x.xml", "--format", "svg"],
    ])
    func usage(_ args: [String]) throws {
        let r = try PCIPlanBinary.run(args)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(!r.stderr.isEmpty)
    }

    @Test("every --format renders the same topology", arguments: ["json", "tree", "dot", "qemu-args"])
    func formats(_ format: String) throws {
        let r = try PCIPlanBinary.run(["plan", Self.example.path, "--format", format])
        #expect(r.status == 0)
        switch format {
        case "json":
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let devices = obj?["devices"] as? [[String: Any]] ?? []
            let addresses = devices.compactMap { ($0["address"] as? [String: Any])?["text"] as? String }
            #expect(addresses.contains("0000:00:1b.0"))
            #expect(Set(addresses).count == addresses.count, "an address is used twice")
        case "tree": #expect(r.stdout.contains("1b.0 sound 'ich9'"))
        case "dot": #expect(r.stdout.hasPrefix("digraph pci {"))
        default: #expect(r.stdout.contains("-device"))
        }
    }

    @Test("multifunction='off' on a shared slot: plan stores it like libvirt and warns that QEMU refuses it")
    func multifunctionOffWarns() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("mf.xml")
        try """
            <domain type='kvm'>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <devices>
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0' multifunction='off'/>
                </disk>
                <disk type='file' device='disk'>
                  <target dev='vdb' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x1'/>
                </disk>
              </devices>
            </domain>

            """.write(to: input, atomically: true, encoding: .utf8)
        let r = try PCIPlanBinary.run(["plan", input.path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("function='0x0' multifunction='off'/>"))
        #expect(r.stderr.contains("mf.xml:6:7: warning:"))
        #expect(r.stderr.contains("indicates single function"))
        let c = try PCIPlanBinary.run(["check", input.path])
        #expect(c.status == 1)
        #expect(c.errorLines.count == 1)
    }
}
