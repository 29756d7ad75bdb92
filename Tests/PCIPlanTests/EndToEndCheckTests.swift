import Foundation
import Testing

/// `pciplan check` as a user runs it: the built binary, its stdout, stderr and exit status.
@Suite("check end to end: the built binary", .serialized)
struct EndToEndCheckTests {
    static func domain(_ devices: String, machine: String = "pc") -> String { Marked.domain(machine, devices) }

    static let clean = domain("""
            <disk type='file' device='disk'>
              <target dev='vda' bus='virtio'/>
            </disk>
        """)

    static let duplicate = domain("""
            <sound model='ich6'>
              <address type='pci' slot='0x05'/>
            </sound>
            <sound model='ac97'>
              <address type='pci' slot='0x05'/>
            </sound>
        """)

    /// Writes `files` into a fresh folder, runs `pciplan args…` there, removes the folder.
    static func run(_ args: [String], files: [String: String] = [:], stdin: Data? = nil) throws -> PCIPlanBinary.Result {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return try PCIPlanBinary.run(args, stdin: stdin, in: dir)
    }

    @Test("a clean domain: exit 0 and no output")
    func cleanFile() throws {
        let r = try Self.run(["check", "vm.xml"], files: ["vm.xml": Self.clean])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty && r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test("errors: exit 1, compiler-style lines on stderr naming both devices")
    func errorFile() throws {
        let r = try Self.run(["check", "vm.xml"], files: ["vm.xml": Self.duplicate])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == """
            vm.xml:12:7: error: sound 'ac97' and sound 'ich6' both use PCI address 0000:00:05.0 [address.inUse]
            vm.xml:9:7: note: sound 'ich6' uses 0000:00:05.0 here
            vm.xml:12:7: note: libvirt 9.0 rejects this definition: Attempted double use of PCI Address 0000:00:05.0
            vm.xml:12:7: note: fix: remove the <address> element so libvirt picks a free slot

            """)
    }

    @Test("warnings only: exit 0, the warning printed")
    func warningsOnly() throws {
        let vm = Self.domain("""
                <sound model='ich6'>
                  <address type='pci' slot='010'/>
                </sound>
            """)
        let r = try Self.run(["check", "vm.xml"], files: ["vm.xml": vm])
        #expect(r.status == 0)
        #expect(r.stderr.hasPrefix("vm.xml:9:33: warning: slot='010' has a leading zero"), "\(r.stderr)")
    }

    @Test("several files: every file is checked, each finding names its file")
    func severalFiles() throws {
        let r = try Self.run(["check", "a.xml", "ok.xml", "b.xml"],
                             files: ["a.xml": Self.duplicate, "ok.xml": Self.clean, "b.xml": Self.duplicate])
        #expect(r.status == 1)
        #expect(r.errorLines.map { $0.prefix(while: { $0 != ":" }) } == ["a.xml", "b.xml"])
    }

    @Test("standard input as '-'")
    func stdin() throws {
        let r = try Self.run(["check", "-"], stdin: Data(Self.duplicate.utf8))
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("<stdin>:12:7: error: "), "\(r.stderr)")
    }

    @Test("a missing file: exit 2, and the other files are still checked")
    func missingFile() throws {
        let r = try Self.run(["check", "missing.xml", "vm.xml"], files: ["vm.xml": Self.duplicate])
        #expect(r.status == 2)
        #expect(r.stderr.contains("pciplan: error: missing.xml: no such file"))
        #expect(r.stderr.contains("vm.xml:12:7: error: "))
    }

    @Test("--diagnostics-format json: one JSON document on stdout with ranges, notes and fix-its")
    func json() throws {
        let r = try Self.run(["check", "--diagnostics-format", "json", "vm.xml"], files: ["vm.xml": Self.duplicate])
        #expect(r.status == 1)
        #expect(r.stderr.isEmpty)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["schema"] as? Int == 1)
        let files = try #require(obj["files"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect(files.first?["status"] as? String == "errors")
        let diags = try #require(files.first?["diagnostics"] as? [[String: Any]])
        #expect(diags.count == 1)
        let d = try #require(diags.first)
        #expect(d["id"] as? String == "address.inUse")
        #expect(d["severity"] as? String == "error")
        let range = try #require(d["range"] as? [String: Any])
        #expect(range["file"] as? String == "vm.xml")
        let start = try #require(range["start"] as? [String: Any])
        #expect(start["line"] as? Int == 12)
        #expect(start["column"] as? Int == 7)
        let end = try #require(range["end"] as? [String: Any])
        #expect((end["offset"] as? Int ?? 0) > (start["offset"] as? Int ?? 0))
        let notes = try #require(d["notes"] as? [[String: Any]])
        let noteStart = try #require((notes.first?["range"] as? [String: Any])?["start"] as? [String: Any])
        #expect(noteStart["line"] as? Int == 9)
        let fix = try #require((d["fixits"] as? [[String: Any]])?.first)
        #expect(fix["replacement"] as? String == "")
        #expect(fix["range"] is [String: Any])
    }

    @Test("--multifunction explicit turns libvirt's derived multifunction into an error")
    func multifunctionFlag() throws {
        let vm = Self.domain("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' slot='0x04' function='0x0'/>
                </disk>
                <disk type='file' device='disk'>
                  <target dev='vdb' bus='virtio'/>
                  <address type='pci' slot='0x04' function='0x1'/>
                </disk>
            """)
        let libvirt = try Self.run(["check", "vm.xml"], files: ["vm.xml": vm])
        #expect(libvirt.status == 0)
        #expect(libvirt.stderr.contains("note: libvirt sets multifunction='on'"))
        let explicit = try Self.run(["check", "--multifunction", "explicit", "vm.xml"], files: ["vm.xml": vm])
        #expect(explicit.status == 1)
        #expect(explicit.stderr.contains("[multifunction.notExplicit]"))
    }

    @Test("a negative controller index is an error, not a crash (check and plan)")
    func negativeIndex() throws {
        let vm = Self.domain("""
                <controller type='pci' index='0' model='pci-root'/>
                <controller type='pci' index='-1' model='pci-bridge'/>
            """)
        for command in ["check", "plan"] {
            let r = try Self.run([command, "vm.xml"], files: ["vm.xml": vm])
            #expect(!r.crashed && r.status == 1, "\(command): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("[controller.badIndex]"))
        }
    }
}
