import Foundation
import PCIPlan
import PCIPlanFuzz
import Testing

/// The inputs the fuzzer (`Scripts/fuzz`) once crashed or hung on, kept in
/// `Fixtures/fuzz-crashes/NAME.xml` (README there): each runs through the fuzz target's own code
/// path in-process (`FuzzInput.run`, every command on the whole input and on its two halves),
/// and through the built `pciplan`'s commands, which must end with an exit status (0, 1 or 2),
/// never a signal.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let folder = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/fuzz-crashes")

    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    @Test("the fuzz harness runs a golden domain through every command")
    func harnessRendersAGoldenInput() throws {
        let golden = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/golden/q35-mix-noaddr/input.xml")
        let text = Array(try Data(contentsOf: golden))
        let alone = FuzzInput.run(text)
        // The whole file plans, so every renderer ran and printed more than the input's size.
        #expect(alone > 10 * text.count)
        // As OLD and NEW (NUL between them), diff, keep and attach read two whole domains.
        #expect(FuzzInput.run(text + [0] + text) > alone)
    }

    @Test("a saved fuzz input runs through every command without crashing", arguments: cases)
    func replayInProcess(name: String) throws {
        let input = try Self.bytes(name)
        let clock = ContinuousClock()
        let took = clock.measure { _ = FuzzInput.run(input) }
        // The fuzzer calls an input over 10 s (sanitized, optimized) a hang; a debug build
        // under a loaded CI machine gets six times that before this calls it one.
        #expect(took < .seconds(60), "\(name) took \(took)")
    }

    /// The search for how many root ports to add planned the domain once per port: its 275
    /// devices take the first 95 ports added, so 3 free ones cost 98 plans. Doubling and then
    /// bisecting costs about 14. Timed against one plain plan of the same file, so a slow or
    /// busy machine slows both.
    @Test("plan --hotplug-ports plans a few times, not once per port, when devices take the ports it adds")
    func sparePortsSearchIsLogarithmic() throws {
        let file = SourceFile(name: "spares.xml", bytes: try Self.bytes("spares-q35-ports-taken-by-devices.xml"))
        var options = PlanOptions()
        options.hotplugPorts = 3
        let clock = ContinuousClock()
        let once = (0..<3).map { _ in clock.measure { _ = Pipeline.plan(file) } }.min() ?? .zero
        var outcome: Pipeline.PlanOutcome?
        let spares = clock.measure { outcome = Pipeline.plan(file, options: options) }
        let planned = try #require(outcome?.planned)
        #expect(Planner.headroom(planned).pcieHotplug >= 3)
        #expect(outcome?.diagnostics.contains { $0.message.hasPrefix("added 98 pcie-root-port controller(s)") } == true)
        #expect(spares < once * 45, "\(spares) for --hotplug-ports 3, \(once) for one plan")
    }

    @Test("pciplan check, plan and explain end a saved fuzz input with an exit status", arguments: cases)
    func replayThroughTheBinary(name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        for args in [["check", path], ["plan", path], ["plan", "--format", "json", path], ["explain", path]] {
            let r = try PCIPlanBinary.run(args)
            #expect(!r.crashed, "pciplan \(args.joined(separator: " ")) was killed by a signal: \(r.stderr.suffix(2000))")
            #expect((0...2).contains(r.status), "pciplan \(args.joined(separator: " ")) exited \(r.status)")
        }
    }
}
