import Foundation
import Testing

/// `pciplan diff OLD NEW`, text and `--format json`, for the ABI fixture pairs
/// (`Fixtures/abi/<case>/`), end to end, run in `Fixtures/abi` so files are named `<case>/old.xml`.
/// Goldens: `expected.<old>-to-<new>.diff` (`exit: N`, then stdout) and
/// `expected.<old>-to-<new>.diff.json` (stdout); record mode writes them (Fixtures/abi/README.md).
@Suite("pciplan diff of the ABI fixture pairs matches its recorded goldens")
struct DiffGoldenTests {
    static let root = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/abi")

    struct Pair: Sendable, CustomTestStringConvertible {
        var folder: String
        var old: String
        var new: String

        var arguments: [String] { ["diff", "\(folder)/\(old).xml", "\(folder)/\(new).xml"] }
        var golden: String { "\(folder)/expected.\(old)-to-\(new).diff" }
        var testDescription: String { "\(folder): \(old) → \(new)" }
    }

    /// Every OLD → NEW the ABI tests and Fixtures/abi/README.md describe.
    static let pairs = [
        Pair(folder: "mf-seed", old: "old", new: "new"),
        Pair(folder: "hole-refill", old: "old", new: "new"),
        Pair(folder: "hole-refill", old: "old", new: "new-nic"),
        Pair(folder: "q35-legacy-nic", old: "old", new: "new"),
        Pair(folder: "q35-legacy-nic", old: "old", new: "keep"),
        Pair(folder: "transitional", old: "old", new: "new"),
        Pair(folder: "controller-target", old: "old", new: "new-chassis"),
        Pair(folder: "controller-target", old: "old", new: "new-modelname"),
        Pair(folder: "cannot-keep", old: "old", new: "new-conflict"),
        Pair(folder: "cannot-keep", old: "old", new: "new-q35"),
        Pair(folder: "cannot-keep", old: "old-bridge", new: "new-bus-gone"),
        Pair(folder: "keep-default-usb", old: "old", new: "new"),
        Pair(folder: "keep-default-usb", old: "old", new: "keep"),
        Pair(folder: "guest-rename-pc", old: "old", new: "new"),
        Pair(folder: "guest-rename-q35", old: "old", new: "new"),
        Pair(folder: "guest-rename-dmi", old: "old", new: "new"),
    ]

    @Test("diff prints its recorded report and exit status", arguments: pairs)
    func text(_ p: Pair) throws {
        let r = try PCIPlanBinary.run(p.arguments, in: Self.root)
        #expect(!r.crashed)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        Golden.expect(Golden.transcript(status: r.status, r.stdout), matches: Self.root.appendingPathComponent(p.golden))
    }

    @Test("diff --format json prints its recorded report, and exits 1 exactly when it is breaking", arguments: pairs)
    func json(_ p: Pair) throws {
        let r = try PCIPlanBinary.run(p.arguments + ["--format", "json"], in: Self.root)
        #expect(!r.crashed)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let breaking = try #require(report?["breaking"] as? Bool, "no \"breaking\" in:\n\(r.stdout)")
        #expect(r.status == (breaking ? 1 : 0))
        Golden.expect(r.stdout, matches: Self.root.appendingPathComponent(p.golden + ".json"))
    }

    @Test("every pair names files that exist", arguments: pairs)
    func filesExist(_ p: Pair) {
        for f in [p.old, p.new] {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("\(p.folder)/\(f).xml").path))
        }
    }
}
