import Foundation
import Testing
@testable import PCIPlan

/// The recorded guest-ABI pairs (`Fixtures/guest-abi/<name>/`): what libvirt 9.0 stored for an
/// app's domain (`old.xml`), the app's edit of it (`new.xml`), and what the real QEMU 7.2 shows
/// changed for the devices present in both (`truth.json`, written by Scripts/make-abi-pairs; see
/// Fixtures/guest-abi/README.md). Issue 9: `diff` must call a pair breaking exactly when QEMU
/// shows a surviving device's guest view changed.
enum GuestABIFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/guest-abi")

    /// Every pair folder, sorted by name.
    static let names: [String] = {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return all.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/truth.json").path) }.sorted()
    }()

    /// The file, named as the CLI would name it (`nic-model-pc/old.xml`).
    static func load(_ name: String) throws -> SourceFile {
        SourceFile(name: name, bytes: [UInt8](try Data(contentsOf: root.appendingPathComponent(name))))
    }

    /// What QEMU showed: the verdict and the core keys that changed (`ua-video1.class: Display
    /// controller -> VGA controller`).
    struct Truth {
        var breaking: Bool
        var edit: String
        var changed: [String]

        init(_ name: String) throws {
            let data = try Data(contentsOf: root.appendingPathComponent("\(name)/truth.json"))
            let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            breaking = try #require(doc["breaking"] as? Bool)
            edit = doc["edit"] as? String ?? "?"
            let rows = doc["changed"] as? [[Any]] ?? []
            changed = rows.map { r in
                r.count == 4 ? "\(r[0]).\(r[1]): \(r[2]) -> \(r[3])" : r.map { "\($0)" }.joined(separator: " ")
            }
        }
    }
}

@Suite("diff agrees with what the real QEMU shows the guest, on recorded app edits")
struct GuestABITruthTests {
    @Test("fixtures are there: every edit kind, pc and q35")
    func coverage() {
        #expect(GuestABIFixture.names.count >= 30)
        #expect(GuestABIFixture.names.contains { $0.hasSuffix("-pc") })
        #expect(GuestABIFixture.names.contains { $0.hasSuffix("-q35") })
    }

    @Test("diff is breaking (diff.guestRenamed aside) exactly when QEMU shows a device present in both changed", arguments: GuestABIFixture.names)
    func verdict(_ name: String) throws {
        let truth = try GuestABIFixture.Truth(name)
        let old = try GuestABIFixture.load("\(name)/old.xml")
        let new = try GuestABIFixture.load("\(name)/new.xml")
        let outcome = Pipeline.diff(old: old, new: new)
        try #require(outcome.planned != nil, "\(name): nothing compared: \(DiagnosticPrinter(files: [old, new]).render(outcome.diagnostics))")
        let said = outcome.changes.map { "\($0.severity.rawValue) \($0.kind.rawValue): \($0.message)" }
        // QEMU's view is taken before any firmware runs; what the firmware then numbers
        // differently is diff.guestRenamed, reported only under that ID (issue 10).
        let breaking = outcome.changes.contains { $0.severity == .breaking && $0.kind != .guestRenamed }
        #expect(breaking == truth.breaking, """
            \(name) [\(truth.edit)]: QEMU says \(truth.breaking ? "breaking" : "nothing breaking"), pciplan \
            says \(breaking ? "breaking" : "nothing breaking")
            QEMU's changed keys: \(truth.changed.isEmpty ? "none" : truth.changed.joined(separator: "; "))
            pciplan's changes: \(said.isEmpty ? "none" : said.joined(separator: "\n  "))
            """)
    }

    @Test("a root port added before others: QEMU shows nothing changed, the firmware renumbers, diff says diff.guestRenamed")
    func renumbering() throws {
        let name = "root-port-added-renumbers-q35"
        let truth = try GuestABIFixture.Truth(name)
        #expect(!truth.breaking)
        let outcome = Pipeline.diff(old: try GuestABIFixture.load("\(name)/old.xml"), new: try GuestABIFixture.load("\(name)/new.xml"))
        #expect(outcome.changes.contains { $0.kind == .guestRenamed })
        #expect(outcome.hasBreaking, "a rename is breaking for the guest, so diff still exits 1")
    }

    /// Edit kinds that always change a surviving device's view by themselves: no plan can keep it.
    static let selfBreaking: Set<String> = ["nic-model", "remove-primary-qxl"]

    @Test("plan NEW --keep OLD: diff OLD KEPT has nothing breaking, unless the edit itself changes a device or no place keeps every guest bus number",
          arguments: GuestABIFixture.names)
    func keepKeepsViews(_ name: String) throws {
        let truth = try GuestABIFixture.Truth(name)
        let old = try GuestABIFixture.load("\(name)/old.xml")
        let new = try GuestABIFixture.load("\(name)/new.xml")
        let (o, d) = KeepTests.keep(new, old)
        guard let d else {
            // Only a new bridge or port that no place after every kept bus takes is refused.
            #expect(o.diagnostics.contains { $0.id == .planKeep && $0.message.contains("cannot keep its guest address") },
                    "\(name): --keep failed: \(DiagnosticPrinter(files: [new, old]).render(o.diagnostics))")
            return
        }
        let breaking = d.changes.filter { $0.severity == .breaking }
        // An edit that turns a surviving device into another one (a NIC model, the second video
        // made primary) changes it whatever the plan: diff says so for OLD → NEW itself.
        let intrinsic = Pipeline.diff(old: old, new: new).changes.contains { $0.kind == .deviceChanged }
        #expect(intrinsic || !Self.selfBreaking.contains(truth.edit), "\(name): a \(truth.edit) edit that diff does not call a changed device")
        if intrinsic {
            #expect(breaking.allSatisfy { $0.kind == .deviceChanged }, "\(name): \(DiffRenderer.text(d))")
        } else {
            #expect(breaking.isEmpty, "\(name) [\(truth.edit)]: \(DiffRenderer.text(d))")
        }
    }
}
