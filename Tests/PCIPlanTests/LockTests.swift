import Foundation
import Testing
@testable import PCIPlan

/// The ABI lock file (issue 9 item 5): `plan --format lock`, `plan NEW --keep LOCK`,
/// `--update-lock`, schema refusal.
@Suite("the ABI lock file")
struct LockTests {
    static let guestRoot = GuestRecording.root

    /// Every OLD → NEW pair of Fixtures/abi and Fixtures/guest.
    static var pairs: [String] {
        var out: [String] = []
        let fm = FileManager.default
        for c in ((try? fm.contentsOfDirectory(atPath: ABIFixture.root.path)) ?? []).sorted() {
            let files = ((try? fm.contentsOfDirectory(atPath: ABIFixture.root.appendingPathComponent(c).path)) ?? []).sorted()
            for o in files where o.hasPrefix("old") && o.hasSuffix(".xml") && !o.contains(".libvirt") {
                for n in files where (n.hasPrefix("new") || n == "keep.xml") && n.hasSuffix(".xml") && !n.contains(".libvirt") {
                    out.append("abi/\(c)/\(o)>\(n)")
                }
            }
        }
        for c in ((try? fm.contentsOfDirectory(atPath: guestRoot.path)) ?? []).sorted() where c.hasPrefix("pair-") {
            out.append("guest/\(c)/old.stored.xml>new.xml")
        }
        return out
    }

    static func file(_ rel: String) throws -> SourceFile {
        let base = ABIFixture.root.deletingLastPathComponent()
        let url = base.appendingPathComponent(rel)
        return SourceFile(name: rel, bytes: [UInt8](try Data(contentsOf: url)))
    }

    static func files(_ pair: String) throws -> (old: SourceFile, new: SourceFile) {
        let parts = pair.split(separator: ">").map(String.init)
        let folder = (parts[0] as NSString).deletingLastPathComponent
        return (try file(parts[0]), try file(folder + "/" + parts[1]))
    }

    static func lock(_ old: SourceFile) throws -> SourceFile {
        let p = try #require(Pipeline.plan(old).planned)
        return SourceFile(name: old.name, text: Pipeline.lock(p))
    }

    @Test("property: plan NEW --keep LOCK prints byte for byte what plan NEW --keep OLD prints", arguments: pairs)
    func sameAsXML(_ pair: String) throws {
        let (old, new) = try Self.files(pair)
        guard Pipeline.plan(old).planned != nil else { return }
        let byXML = Pipeline.plan(new, keeping: old)
        let byLock = Pipeline.plan(new, keeping: try Self.lock(old))
        #expect((byXML.planned == nil) == (byLock.planned == nil), "\(DiagnosticPrinter(files: [new]).render(byLock.diagnostics))")
        #expect(byXML.diagnostics.map(\.id) == byLock.diagnostics.map(\.id))
        #expect(byXML.diagnostics.map(\.message) == byLock.diagnostics.map(\.message))
        guard let a = byXML.planned, let b = byLock.planned else { return }
        Golden.expectEqual(String(decoding: XMLWriter.render(b), as: UTF8.self), String(decoding: XMLWriter.render(a), as: UTF8.self),
                           expected: "--keep OLD", actual: "--keep LOCK")
    }

    @Test("golden locks", arguments: ["mf-seed/old.xml", "q35-legacy-nic/old.xml", "virt-mmio/old.xml", "keep-kept-slot/old.xml", "reserve-removed/old.xml"])
    func golden(_ name: String) throws {
        let old = try ABIFixture.load(name)
        let p = try #require(Pipeline.plan(old).planned)
        Golden.expect(Pipeline.lock(p), matches: ABIFixture.root.appendingPathComponent(name.replacingOccurrences(of: ".xml", with: ".lock.json")))
    }

    @Test("a lock of a newer schema is refused with plan.badLock; not JSON, too")
    func schemaRefused() throws {
        let new = try ABIFixture.load("mf-seed/new.xml")
        let lock = String(decoding: try Self.lock(try ABIFixture.load("mf-seed/old.xml")).bytes, as: UTF8.self)
        let newer = lock.replacingOccurrences(of: "\"schema\": 1", with: "\"schema\": 2")
        let o = Pipeline.plan(new, keeping: SourceFile(name: "vm.lock", text: newer))
        #expect(o.planned == nil)
        #expect(o.diagnostics.map(\.id) == [.planLock])
        #expect(o.diagnostics.first?.message == "'vm.lock' cannot be read as an ABI lock: it has lock schema 2, and this pciplan reads schemas 1 to 1; use a newer pciplan")
        let broken = Pipeline.plan(new, keeping: SourceFile(name: "vm.lock", text: "{\"schema\": 1, \"devices\": [}"))
        #expect(broken.diagnostics.map(\.id) == [.planLock])
        #expect(broken.diagnostics.first?.message.hasPrefix("'vm.lock' cannot be read as an ABI lock: it is not JSON (") == true)
    }

    @Test("--update-lock accumulates removed addresses, which --reserve-removed honours")
    func updateRoundTrip() throws {
        let old = try ABIFixture.load("reserve-removed/old.xml")
        let lock = try Self.lock(old)
        let new = try ABIFixture.load("reserve-removed/new.xml")
        // Without the NIC first: vda is removed, the lock remembers 00:03.0.
        let withoutNIC = SourceFile(name: "new.xml", text: String(decoding: new.bytes, as: UTF8.self)
            .replacingOccurrences(of: "<mac address='52:54:00:00:00:82'/>", with: "<mac address='52:54:00:00:00:82'/>")
            .components(separatedBy: "<interface type='user'>\n      <mac address='52:54:00:00:00:82'/>\n      <model type='virtio'/>\n      <alias name='ua-net1'/>\n    </interface>\n    ").joined())
        let (o1, lock1) = Pipeline.planAndLock(withoutNIC, keeping: lock)
        #expect(o1.planned != nil)
        let l1 = try #require(lock1)
        let read = try ABILock.read(Array(l1.utf8))
        #expect(read.removed.map(\.address) == [PCIAddress(bus: 0, slot: 3)])
        #expect(read.removed.map(\.identity) == ["disk target 'vda'"])
        // The NIC added later, against the updated lock: not on the removed disk's slot.
        var opts = PlanOptions()
        opts.reserveRemoved = true
        let (o2, lock2) = Pipeline.planAndLock(new, keeping: SourceFile(name: "vm.lock", text: l1), options: opts)
        let p = try #require(o2.planned)
        let net1 = try #require(p.devices.indices.first { p.devices[$0].element?.child("alias")?[attribute: "name"] == "ua-net1" })
        #expect(p.placements[net1]?.address == PCIAddress(bus: 0, slot: 6))
        #expect(try ABILock.read(Array(try #require(lock2).utf8)).removed.map(\.address) == [PCIAddress(bus: 0, slot: 3)])
        // A lock read back renders the same JSON.
        #expect(try ABILock.read(Array(l1.utf8)).rendered() == l1)
    }

    @Test("end to end: --format lock, --keep LOCK --update-lock writes the lock back, and a newer schema exits 1")
    func endToEnd() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = ABIFixture.path("reserve-removed/old.xml"), new = ABIFixture.path("reserve-removed/new.xml")
        let lockURL = dir.appendingPathComponent("vm.lock")
        let w = try PCIPlanBinary.run(["plan", old, "--format", "lock", "--output", lockURL.path])
        #expect(w.status == 0, "\(w.stderr)")
        let viaXML = try PCIPlanBinary.run(["plan", new, "--keep", old, "--reserve-removed"])
        let viaLock = try PCIPlanBinary.run(["plan", new, "--keep", lockURL.path, "--reserve-removed", "--update-lock"])
        #expect(viaLock.status == 0 && viaLock.stderr.isEmpty, "\(viaLock.stderr)")
        #expect(viaLock.stdout == viaXML.stdout)
        let updated = try ABILock.read([UInt8](try Data(contentsOf: lockURL)))
        #expect(updated.removed.map(\.address) == [PCIAddress(bus: 0, slot: 3)])
        #expect(updated.devices.contains { $0.userAlias == "ua-net1" })
        let text = try String(contentsOf: lockURL, encoding: .utf8).replacingOccurrences(of: "\"schema\": 1", with: "\"schema\": 7")
        try text.write(to: lockURL, atomically: true, encoding: .utf8)
        let refused = try PCIPlanBinary.run(["plan", new, "--keep", lockURL.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("[plan.badLock]"))
        let usage = try PCIPlanBinary.run(["plan", new, "--keep", old, "--update-lock"])
        #expect(usage.status == 2)
    }
}
