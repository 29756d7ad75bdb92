import Foundation
import Testing
@testable import PCIPlan

/// `plan NEW --keep OLD` beyond libvirt: new bridges and ports go after every kept bus, so the
/// guest renames nothing it kept. Checked on the edit pairs of `Fixtures/guest/` (computed),
/// with libvirt (the kept result is stored unchanged) and with booted guests (recorded, and one
/// real boot where QEMU is installed).
@Suite("plan --keep keeps what the guest calls its devices")
struct GuestKeepTests {
    static let oracle = PCIPlanBinary.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracle")
    static let libvirtAssign = oracle.appendingPathComponent("libvirt-assign")
    static let guestProbe = oracle.appendingPathComponent("guest-probe")
    static let canAssign = FileManager.default.isExecutableFile(atPath: libvirtAssign.path) && LibvirtDaemon.answers
    static let canBoot = FileManager.default.isExecutableFile(atPath: guestProbe.path)
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-x86_64")

    /// The pair whose new root port has no place after every kept bus: the dmi-to-pci-bridge
    /// sits at 00:1e and 00:1f is the chipset's.
    static let unkeepable: Set<String> = ["pair-q35-dmi-add-nic"]

    static func kept(_ folder: String) throws -> (old: SourceFile, new: SourceFile, outcome: Pipeline.PlanOutcome) {
        let p = GuestRenameTests.PairFiles(folder: folder, old: "old.stored.xml", new: "new.xml")
        let (old, new) = (try p.file(p.old), try p.file(p.new))
        return (old, new, Pipeline.plan(new, keeping: old))
    }

    @Test("no kept device's guest address or NIC name changes, or plan.cannotKeep names the device the guest would rename",
          arguments: GuestRenameTests.pairs)
    func property(_ folder: String) throws {
        let (oldFile, newFile, o) = try Self.kept(folder)
        guard let p = o.planned else {
            #expect(Self.unkeepable.contains(folder), "\(DiagnosticPrinter(files: [newFile, oldFile]).render(o.diagnostics))")
            let e = try #require(o.diagnostics.first { $0.id == .planKeep && $0.severity == .error })
            #expect(e.message.hasPrefix("interface 52:54:00:6e:16:02 (net1) cannot keep its guest address 0000:06:01.0"))
            #expect(e.message.contains("(enp6s1 → enp7s1)"))
            return
        }
        #expect(!Self.unkeepable.contains(folder))
        let old = try #require(Pipeline.plan(oldFile).planned)
        let (ov, nv) = (GuestView(old), GuestView(p))
        let pairing = DevicePairing(old: old.devices, new: p.devices)
        var compared = 0
        for (i, j) in pairing.oldToNew {
            guard let oa = ov.address(of: i) else { continue }
            compared += 1
            #expect(nv.address(of: j) == oa, "\(folder): \(p.devices[j].name) \(oa) → \(nv.address(of: j).map(\.description) ?? "none")")
            #expect(nv.nicNames(j) == ov.nicNames(i), "\(folder): \(p.devices[j].name)")
        }
        #expect(compared > 0)
        // And diff agrees: nothing breaking.
        let d = Pipeline.diff(old: oldFile, new: SourceFile(name: "kept.xml", bytes: XMLWriter.render(p)))
        #expect(!d.hasBreaking, "\(DiffRenderer.text(d))")
    }

    @Test("the new controllers go after every kept bus: behind the bridge at 00:08 on pc, after the switch at 00:10 on q35")
    func places() throws {
        let (_, _, pc) = try Self.kept("pair-pc-add-bridge")
        let p = try #require(pc.planned)
        let bridge = try #require(p.normalized.pciController(index: 2))
        #expect(p.placements[bridge]?.address == PCIAddress(bus: 0, slot: 9))
        #expect(p.placements[bridge]?.provenance.kind == "kept")
        let (_, _, q35) = try Self.kept("pair-q35-switch-add-legacy-nic")
        let q = try #require(q35.planned)
        let port = try #require(q.normalized.pciController(index: 8))
        #expect(q.placements[port]?.address == PCIAddress(bus: 0, slot: 0x11))
        let nic = try #require(q.devices.indices.first { GuestView.mac(of: q.devices[$0]) == "52:54:00:6e:1a:03" })
        #expect(GuestView(q).nicNames(nic)?.policy == "ens1")
    }

    @Test("a pcie-to-pci-bridge libvirt would put into an early spare port gets a root port of its own at the end")
    func carrier() throws {
        let url = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/golden/q35-explicit-bus5-pcie/input.xml")
        let old = SourceFile(name: "old.xml", bytes: [UInt8](try Data(contentsOf: url)))
        let text = String(decoding: old.bytes, as: UTF8.self).replacingOccurrences(
            of: "</devices>", with: "<interface type='user'><mac address='52:54:00:ab:cd:ef'/><model type='e1000'/></interface></devices>")
        let new = SourceFile(name: "new.xml", text: text)
        #expect(Pipeline.diff(old: old, new: new).changes.contains { $0.kind == .guestRenamed })
        let o = Pipeline.plan(new, keeping: old)
        let p = try #require(o.planned, "\(DiagnosticPrinter(files: [new, old]).render(o.diagnostics))")
        let d = Pipeline.diff(old: old, new: SourceFile(name: "kept.xml", bytes: XMLWriter.render(p)))
        #expect(!d.hasBreaking, "\(DiffRenderer.text(d))")
        let added = p.devices.indices.filter { p.devices[$0].origin == .added("plan --keep adds it to carry a new controller after every kept bus") }
        #expect(added.count == 1)
    }

    @Test("libvirt 9.0 stores the kept layouts unchanged (recorded keep.libvirt.xml)", arguments: ["guest-rename-pc", "guest-rename-q35"])
    func libvirtRecorded(_ folder: String) throws {
        let (p, _) = try KeepTests.keepFixture("\(folder)/new.xml", "\(folder)/old.xml")
        let recorded = try ABIFixture.load("\(folder)/keep.xml")
        #expect(XMLWriter.render(p) == recorded.bytes, "regenerate keep.xml and keep.libvirt.xml (Fixtures/abi/README.md)")
        #expect(try ABIFixture.libvirtDifferences("\(folder)/keep.xml") == [])
    }

    @Test("the booted guest of the kept layout names every kept NIC as before (recorded keep.guest.json)",
          arguments: [("guest-rename-pc", "pair-pc-add-bridge"), ("guest-rename-q35", "pair-q35-switch-add-legacy-nic")])
    func bootRecorded(_ folder: String, _ pair: String) throws {
        let json = { (url: URL) throws -> [String: Any] in
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
        let booted = try json(ABIFixture.root.appendingPathComponent("\(folder)/keep.guest.json"))
        let before = try json(GuestRecording.root.appendingPathComponent("\(pair)/old.guest.json"))
        try Self.expectSameNICs(before: before, after: booted)
        // pciplan's view of what libvirt stored is what the guest showed.
        let stored = try ABIFixture.load("\(folder)/keep.libvirt.xml")
        let view = GuestView(try #require(Pipeline.plan(stored).planned))
        let c = GuestComparison(view: view, guest: booted)
        #expect(c.problems.isEmpty, "\(c.problems.joined(separator: "\n"))")
    }

    static func expectSameNICs(before: [String: Any], after: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let nets = { (g: [String: Any]) in
            Dictionary(((g["net"] as? [[String: Any]]) ?? []).compactMap { n in (n["mac"] as? String).map { ($0, n) } },
                       uniquingKeysWith: { a, _ in a })
        }
        let (b, a) = (nets(before), nets(after))
        #expect(!b.isEmpty, sourceLocation: sourceLocation)
        for (mac, n) in b {
            let m = try #require(a[mac], "\(mac) is gone", sourceLocation: sourceLocation)
            for k in ["pci", "ID_NET_NAME_PATH", "ID_NET_NAME_SLOT", "name_policy"] {
                #expect(m[k] as? String == n[k] as? String, "\(mac) \(k)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("libvirt 9.0 stores every kept result of the rename pairs unchanged (live)",
          .enabled(if: canAssign, "libvirtd or ../shared/oracle/libvirt-assign is not available"), arguments: GuestRenameTests.pairs)
    func libvirtLive(_ folder: String) throws {
        guard !Self.unkeepable.contains(folder) else { return }
        let (_, _, o) = try Self.kept(folder)
        let p = try #require(o.planned)
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("kept.xml")
        try Data(XMLWriter.render(p)).write(to: file)
        let r = try QEMUDeviceIDTests.run(Self.libvirtAssign.path, [file.path])
        try #require(r.status == 0, "libvirt-assign: \(r.stderr)")
        let stored = try #require(Pipeline.load(SourceFile(name: "stored.xml", text: r.stdout)).normalized).devices
        let pairing = DevicePairing(old: stored, new: p.devices, positional: true)
        for (i, d) in stored.enumerated() {
            guard case .pci(let a, let m) = d.address else { continue }
            let j = try #require(pairing.oldToNew[i], "\(d.name) is not in pciplan's plan")
            #expect(p.placements[j]?.address == a, "\(folder): \(d.name): libvirt \(a), pciplan \(p.placements[j].map(\.address.description) ?? "none")")
            #expect((p.placements[j]?.multifunction == .on) == (m == .on), "\(folder): \(d.name) multifunction")
        }
    }

    @Test("a real boot: the kept pc layout keeps ens1 and every NIC address (skipped without QEMU)",
          .enabled(if: canBoot, "qemu-system-x86_64 or ../shared/oracle/guest-probe is not installed"), .timeLimit(.minutes(5)))
    func bootLive() throws {
        let r = try QEMUDeviceIDTests.run(Self.guestProbe.path, [ABIFixture.path("guest-rename-pc/keep.libvirt.xml")])
        try #require(r.status == 0, "guest-probe: \(r.stderr)")
        let booted = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let before = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: GuestRecording.root.appendingPathComponent("pair-pc-add-bridge/old.guest.json"))) as? [String: Any])
        try Self.expectSameNICs(before: before, after: booted)
    }
}
