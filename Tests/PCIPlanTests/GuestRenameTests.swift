import Foundation
import Testing
@testable import PCIPlan

/// `diff.guestRenamed` on the edit pairs of `Fixtures/guest/` (README there): the devices `diff`
/// says the guest renames are exactly those whose libvirt address stayed and whose address the
/// booted guest showed changed.
@Suite("diff sees the guest's renames")
struct GuestRenameTests {
    static let root = GuestRecording.root

    /// The pair folders.
    static let pairs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
        .filter { $0.hasPrefix("pair-") }.sorted()

    /// Which files of a pair are compared: the stored ones, and the inputs (old.xml plans to
    /// old.stored.xml; new.xml is the app's edit of old.stored.xml).
    static let variants = pairs.flatMap { p in [(p, "old.stored.xml", "new.stored.xml"), (p, "old.xml", "new.xml")] }
        .map { PairFiles(folder: $0.0, old: $0.1, new: $0.2) }

    struct PairFiles: Sendable, CustomTestStringConvertible {
        var folder: String
        var old: String
        var new: String
        var testDescription: String { "\(folder): \(old) → \(new)" }

        func file(_ name: String) throws -> SourceFile {
            SourceFile(name: "\(folder)/\(name)", bytes: [UInt8](try Data(contentsOf: GuestRenameTests.root.appendingPathComponent("\(folder)/\(name)"))))
        }
    }

    /// What the guests showed: every device (by MAC for a NIC, else guest-probe's alias) whose
    /// libvirt address is the same in both stored files and whose guest address differs.
    static func recordedRenames(_ folder: String) throws -> Set<String> {
        func load(_ n: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("\(folder)/\(n)"))) as? [String: Any])
        }
        func observed(_ g: [String: Any]) -> [String: String] {
            var out: [String: String] = [:]
            for p in (g["pci"] as? [[String: Any]]) ?? [] {
                if let q = p["qdev_id"] as? String, !q.hasPrefix("net"), let a = p["addr"] as? String { out[q] = a }
            }
            for n in (g["net"] as? [[String: Any]]) ?? [] {
                if let m = (n["mac"] as? String)?.lowercased(), let a = n["pci"] as? String { out[m] = a }
            }
            return out
        }
        func libvirt(_ n: String) throws -> [String: PCIAddress] {
            let f = SourceFile(name: n, bytes: [UInt8](try Data(contentsOf: root.appendingPathComponent("\(folder)/\(n)"))))
            let d = try #require(Pipeline.load(f).normalized).devices
            var out: [String: PCIAddress] = [:]
            for x in d {
                guard case .pci(let a, _) = x.address, let key = GuestView.mac(of: x) ?? x.alias else { continue }
                out[key] = a
            }
            return out
        }
        let (go, gn) = (observed(try load("old.guest.json")), observed(try load("new.guest.json")))
        let (lo, ln) = (try libvirt("old.stored.xml"), try libvirt("new.stored.xml"))
        return Set(lo.keys.filter { k in ln[k] == lo[k] && go[k] != nil && gn[k] != nil && go[k] != gn[k] })
    }

    @Test("the recorded renames are the ones the fixtures' README lists")
    func recorded() throws {
        #expect(Self.pairs.count == 8)
        let counts = try Dictionary(uniqueKeysWithValues: Self.pairs.map { ($0, try Self.recordedRenames($0).count) })
        #expect(counts == ["pair-pc-add-bridge": 2, "pair-pc-add-nic": 0, "pair-pc-regenerate-bridges": 4,
                           "pair-q35-dmi-add-nic": 3, "pair-q35-expander-add-nic": 0, "pair-q35-regenerate": 6,
                           "pair-q35-remove-disk": 0, "pair-q35-switch-add-legacy-nic": 5])
    }

    @Test("diff reports diff.guestRenamed exactly for the devices the guests renamed", arguments: variants)
    func renames(_ p: PairFiles) throws {
        let outcome = Pipeline.diff(old: try p.file(p.old), new: try p.file(p.new))
        let (old, _) = try #require(outcome.planned, "\(outcome.diagnostics)")
        let reported = outcome.changes.filter { $0.kind == .guestRenamed }
        var keys: Set<String> = []
        for c in reported {
            let alias = try #require(c.old?.alias)
            let i = try #require(old.devices.indices.first { old.devices[$0].alias == alias })
            keys.insert(try #require(GuestView.mac(of: old.devices[i]) ?? old.devices[i].alias))
            #expect(c.severity == .breaking)
            #expect(c.old?.address == c.new?.address, "a rename keeps libvirt's address: \(c.message)")
            #expect(c.notes.first?.at != nil || c.notes.first?.message.contains("guest bus") == true, "no cause: \(c.message)")
        }
        #expect(keys == (try Self.recordedRenames(p.folder)), "\(DiffRenderer.text(outcome))")
        // Only under that ID: no other change says the guest address moved.
        #expect(!outcome.changes.contains { $0.kind != .guestRenamed && $0.message.contains("the guest sees it at") })
    }

    @Test("a rename names the old and new names and the controller that caused it")
    func message() throws {
        let p = PairFiles(folder: "pair-pc-add-bridge", old: "old.stored.xml", new: "new.stored.xml")
        let outcome = Pipeline.diff(old: try p.file(p.old), new: try p.file(p.new))
        let nic = try #require(outcome.changes.first { $0.kind == .guestRenamed && $0.message.hasPrefix("interface") })
        #expect(nic.message == "interface 52:54:00:6e:15:01 (net0) keeps its libvirt address 0000:01:01.0, but the guest sees it at 0000:02:01.0 instead of 0000:01:01.0: enp1s1 → enp2s1 (the name the default policy picks: ens1 → enp2s1)")
        #expect(nic.notes.first?.message == "pci-bridge 'pci.2' is new in pair-pc-add-bridge/new.stored.xml at 0000:00:05.0, and the firmware now numbers it before libvirt's bus 1: libvirt's bus 1 becomes guest bus 2 instead of 1")
        let disk = try #require(outcome.changes.first { $0.kind == .guestRenamed && $0.message.hasPrefix("disk") })
        #expect(disk.message.hasSuffix("/dev/disk/by-path/pci-0000:01:02.0… → /dev/disk/by-path/pci-0000:02:02.0…"))
        #expect(!nic.libvirtChecks)
    }
}

/// `check`'s `guest.nextControllerRenumbers`: the layouts whose next bridge or port renames
/// devices, against the edit pairs that added exactly that controller.
@Suite("check warns when the next bridge or port would rename devices")
struct GuestNextControllerTests {
    static func warning(_ folder: String, _ name: String = "old.stored.xml") throws -> Diagnostic? {
        let f = try GuestRenameTests.PairFiles(folder: folder, old: name, new: name).file(name)
        return Pipeline.check(f).first { $0.id == .guestNextControllerRenumbers }
    }

    /// Pairs whose edit made libvirt add one pci-bridge (pc) or pcie-root-port (q35), as the
    /// warning assumes: it must announce exactly the renames the guests showed.
    @Test("the warning announces as many renames as the booted guests showed", arguments: [
        "pair-pc-add-bridge", "pair-q35-dmi-add-nic", "pair-q35-switch-add-legacy-nic", "pair-q35-expander-add-nic", "pair-pc-add-nic",
    ])
    func announced(_ folder: String) throws {
        let recorded = try GuestRenameTests.recordedRenames(folder).count
        let w = try Self.warning(folder)
        if recorded == 0 {
            #expect(w == nil, "\(w?.message ?? "")")
            return
        }
        let d = try #require(w)
        #expect(d.severity == .warning)
        #expect(d.message.contains("rename \(recorded) device"), "\(d.message)")
    }

    @Test("the message says where the controller goes, what it precedes and how names change")
    func message() throws {
        let d = try #require(try Self.warning("pair-pc-add-bridge"))
        #expect(d.message == "the next pci-bridge libvirt adds goes to 0000:00:05.0, which the guest enumerates before pci-bridge 'pci.1' at 0000:00:08.0: the guest would give bus pci.1 the number 2 instead of 1 and rename 2 devices: interface 52:54:00:6e:15:01 (net0) 0000:01:01.0 → 0000:02:01.0 (enp1s1 → enp2s1); disk 'vda' (virtio-disk0) 0000:01:02.0 → 0000:02:02.0 (pci-0000:01:02.0 → pci-0000:02:02.0)")
        #expect(d.fixIts.first?.message.contains("--keep") == true)
    }

    @Test("a layout libvirt planned alone never warns (its next port comes last)")
    func plainLayouts() throws {
        for folder in ["q35-minimal", "pc-minimal", "q35-many-nics", "q35-storage"] {
            let f = SourceFile(name: "input.xml", bytes: [UInt8](try Data(contentsOf: GuestRecording.root.appendingPathComponent("\(folder)/input.xml"))))
            #expect(!Pipeline.check(f).contains { $0.id == .guestNextControllerRenumbers }, "\(folder)")
        }
    }
}
