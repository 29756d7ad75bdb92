import Foundation
import Testing

/// The JSON contract of plan, explain and diff (issue 11): one document per stream, on stdout
/// when the command has nothing else to print, on stderr when stdout holds its result.
@Suite("diagnostics as JSON from plan, explain and diff, end to end")
struct DiagnosticsJSONCLITests {
    static let examples = PCIPlanBinary.packageRoot.appendingPathComponent("Examples")

    /// `multifunction='off'` on function 0 while function 1 is used: plan warns, check errs.
    static let warned = EndToEndCheckTests.domain("""
            <disk type='file' device='disk'>
              <target dev='vda' bus='virtio'/>
              <address type='pci' slot='0x04' function='0x0' multifunction='off'/>
            </disk>
            <disk type='file' device='disk'>
              <target dev='vdb' bus='virtio'/>
              <address type='pci' slot='0x04' function='0x1'/>
            </disk>
        """)

    static func object(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], sourceLocation: sourceLocation)
    }

    static func ids(_ doc: [String: Any]) -> [String] {
        ((doc["diagnostics"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("diff --format json of a file that cannot be planned: one document with the diagnostics, exit 2")
    func diffUnplannable() throws {
        let r = try EndToEndCheckTests.run(["diff", "--format", "json", "old.xml", "new.xml"],
                                           files: ["old.xml": EndToEndCheckTests.clean, "new.xml": EndToEndCheckTests.duplicate])
        #expect(r.status == 2)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let doc = try Self.object(r.stdout)
        #expect(doc["schema"] as? Int == 1)
        #expect(doc["compared"] as? Bool == false)
        #expect((doc["changes"] as? [Any])?.isEmpty == true)
        #expect(Self.ids(doc) == ["address.inUse"])
        let d = try #require((doc["diagnostics"] as? [[String: Any]])?.first)
        #expect((d["range"] as? [String: Any])?["file"] as? String == "new.xml")
    }

    @Test("diff --format json of two planned files: compared, with an empty diagnostics list")
    func diffCompared() throws {
        let r = try EndToEndCheckTests.run(["diff", "--format", "json", "a.xml", "b.xml"],
                                           files: ["a.xml": EndToEndCheckTests.clean, "b.xml": EndToEndCheckTests.clean])
        #expect(r.status == 0)
        let doc = try Self.object(r.stdout)
        #expect(doc["compared"] as? Bool == true)
        #expect(Self.ids(doc).isEmpty)
    }

    @Test("diff --diagnostics-format json of a file that cannot be planned: the diagnostics document on stdout, exit 2")
    func diffDiagnosticsJSON() throws {
        let r = try EndToEndCheckTests.run(["diff", "--diagnostics-format", "json", "old.xml", "new.xml"],
                                           files: ["old.xml": EndToEndCheckTests.clean, "new.xml": EndToEndCheckTests.duplicate])
        #expect(r.status == 2)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        #expect(Self.ids(try Self.object(r.stdout)) == ["address.inUse"])
    }

    @Test("plan --diagnostics-format json: the planned XML on stdout, its warnings as one document on stderr")
    func planWarnings() throws {
        let r = try EndToEndCheckTests.run(["plan", "--diagnostics-format", "json", "vm.xml"], files: ["vm.xml": Self.warned])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("<domain"))
        let doc = try Self.object(r.stderr)
        #expect(doc["schema"] as? Int == 1)
        #expect(Self.ids(doc) == ["multifunction.offWithFunctions"])
    }

    @Test("plan --diagnostics-format json that cannot plan: the document on stdout, exit 1")
    func planFails() throws {
        let r = try EndToEndCheckTests.run(["plan", "--diagnostics-format", "json", "vm.xml"], files: ["vm.xml": EndToEndCheckTests.duplicate])
        #expect(r.status == 1)
        #expect(r.stderr.isEmpty)
        #expect(Self.ids(try Self.object(r.stdout)) == ["address.inUse"])
    }

    @Test("explain --diagnostics-format json: failure on stdout (exit 1), warnings on stderr beside the explanations")
    func explain() throws {
        let failed = try EndToEndCheckTests.run(["explain", "--diagnostics-format", "json", "vm.xml"], files: ["vm.xml": EndToEndCheckTests.duplicate])
        #expect(failed.status == 1)
        #expect(Self.ids(try Self.object(failed.stdout)) == ["address.inUse"])
        let warned = try EndToEndCheckTests.run(["explain", "--diagnostics-format", "json", "--format", "json", "vm.xml"], files: ["vm.xml": Self.warned])
        #expect(warned.status == 0)
        #expect(try Self.object(warned.stdout)["devices"] != nil)
        #expect(Self.ids(try Self.object(warned.stderr)) == ["multifunction.offWithFunctions"])
    }
}
