import Foundation
import Testing

/// The built `pciplan` for the ABI tests, run in the fixtures folder so file names in messages
/// are as short as a user's (`PCIPlanBinary` finds the binary and collects its output).
struct ABICLI {
    typealias Result = PCIPlanBinary.Result

    static func run(_ args: [String], in dir: URL = ABIFixture.root) throws -> Result {
        try PCIPlanBinary.run(args, in: dir)
    }

    /// A scratch folder for files a test writes.
    static func scratch() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-abi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}

@Suite("the diff, plan --keep and explain commands, end to end", .serialized)
struct DiffCLITests {
    @Test("the seed scenario: plan sets the bit, removing function 1 flips it (exit 1), plan --keep keeps it (exit 0)")
    func seedScenario() throws {
        let dir = try ABICLI.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: ABIFixture.path("mf-seed/old.xml"), toPath: dir.appendingPathComponent("old.xml").path)
        try FileManager.default.copyItem(atPath: ABIFixture.path("mf-seed/new.xml"), toPath: dir.appendingPathComponent("new.xml").path)

        let plan = try ABICLI.run(["plan", "old.xml", "--output", "planned.xml"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try String(contentsOf: dir.appendingPathComponent("planned.xml"), encoding: .utf8)
        #expect(planned.contains("slot='0x04' function='0x0' multifunction='on'"))

        let diff = try ABICLI.run(["diff", "planned.xml", "new.xml"], in: dir)
        #expect(diff.status == 1)
        let lines = diff.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "planned.xml:10:5: breaking: disk 'vda' (virtio-disk0) at 0000:00:04.0 loses multifunction='on': function 1 of slot 0000:00:04 is gone (disk 'vdb' (virtio-disk1) removed in new.xml), so the derived bit would drop [diff.multifunction]")
        #expect(lines.contains("planned.xml:16:5: note: function 1 was disk 'vdb' (virtio-disk1)"))
        #expect(lines.last == "planned.xml → new.xml: 1 breaking, 0 warnings, 1 info")

        let keep = try ABICLI.run(["plan", "new.xml", "--keep", "planned.xml", "--output", "kept.xml"], in: dir)
        #expect(keep.status == 0, "\(keep.stderr)")
        let kept = try String(contentsOf: dir.appendingPathComponent("kept.xml"), encoding: .utf8)
        #expect(kept.contains("slot='0x04' function='0x0' multifunction='on'"))
        let clean = try ABICLI.run(["diff", "planned.xml", "kept.xml"], in: dir)
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(!clean.stdout.contains("breaking:"))
    }

    @Test("property, end to end: diff OLD (plan NEW --keep OLD) reports no breaking change",
          arguments: [("hole-refill/new.xml", "hole-refill/old.xml"), ("hole-refill/new-nic.xml", "hole-refill/old.xml"),
                      ("q35-legacy-nic/new.xml", "q35-legacy-nic/old.xml"), ("controller-target/old.xml", "controller-target/new-chassis.xml")])
    func property(_ new: String, _ old: String) throws {
        let dir = try ABICLI.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("kept.xml").path
        let keep = try ABICLI.run(["plan", new, "--keep", old, "--output", out])
        #expect(keep.status == 0, "\(keep.stderr)")
        let plain = try ABICLI.run(["diff", old, new])
        let diff = try ABICLI.run(["diff", old, out])
        #expect(diff.status == 0, "\(diff.stdout)")
        #expect(!diff.stdout.contains("breaking:"))
        if new.hasPrefix("hole-refill/new.xml") || new.hasPrefix("q35") { #expect(plain.status == 1) }
    }

    @Test("diff --format json, and warnings alone exit 0")
    func json() throws {
        let r = try ABICLI.run(["diff", "--format", "json", "controller-target/old.xml", "controller-target/new-chassis.xml"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((obj["changes"] as? [[String: Any]])?.first?["severity"] as? String == "warning")
    }

    @Test("--multifunction explicit: a file planning refuses is not compared (exit 2); written bits are compared as written")
    func explicitPolicy() throws {
        let refused = try ABICLI.run(["diff", "--multifunction", "explicit", "mf-seed/old.xml", "mf-seed/new.xml"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("[multifunction.notExplicit]"))
        let r = try ABICLI.run(["diff", "--multifunction", "explicit", "mf-seed/old.libvirt.xml", "mf-seed/new.xml"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("--multifunction=explicit derives nothing"))
        let keep = try ABICLI.run(["plan", "--multifunction", "explicit", "mf-seed/new.xml", "--keep", "mf-seed/old.libvirt.xml"])
        #expect(keep.status == 0)
        #expect(keep.stdout.contains("slot='0x04' function='0x0' multifunction='on'"))
    }

    @Test("usage and I/O errors exit 2")
    func usage() throws {
        #expect(try ABICLI.run(["diff", "mf-seed/old.xml", "missing.xml"]).status == 2)
        #expect(try ABICLI.run(["explain", "mf-seed/old.xml", "--device", "nothing"]).status == 2)
        #expect(try ABICLI.run(["plan", "mf-seed/new.xml", "--keep", "missing.xml"]).status == 2)
    }

    @Test("plan --keep exits 1 and names the device that cannot keep its place")
    func cannotKeep() throws {
        let r = try ABICLI.run(["plan", "cannot-keep/new-conflict.xml", "--keep", "cannot-keep/old.xml"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("cannot-keep/new-conflict.xml:15:5: error: disk 'vdb' (virtio-disk1) cannot keep 0000:00:03.0 from 'cannot-keep/old.xml'"))
        #expect(r.stderr.contains("[plan.cannotKeep]"))
        #expect(r.stderr.contains("cannot-keep/old.xml:15:5: note: cannot-keep/old.xml has disk 'vdb' (virtio-disk1) there"))
        let gone = try ABICLI.run(["plan", "cannot-keep/new-bus-gone.xml", "--keep", "cannot-keep/old-bridge.xml"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("bus 1 is gone"))
    }

    @Test("explain --device prints the rule in plain sentences")
    func explain() throws {
        let r = try ABICLI.run(["explain", "q35-legacy-nic/new.xml", "--device", "net1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("q35-legacy-nic/new.xml:14:5: interface 52:54:00:00:00:12 (net1) → 0000:03:01.0\n"))
        #expect(r.stdout.contains("Bus 3 is provided by pcie-to-pci-bridge 'pci.3' at 0000:01:00.0."))
        #expect(!r.stdout.contains("steps libvirt takes"))
        let all = try ABICLI.run(["explain", "q35-legacy-nic/new.xml"])
        #expect(all.stdout.contains("steps libvirt takes at define, in order:"))
    }
}
