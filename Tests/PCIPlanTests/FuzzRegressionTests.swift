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

    // The fuzzer calls an input over 10 s (sanitized, optimized) a hang; a debug build on a
    // loaded CI machine gets a few minutes before the time limit calls it one.
    @Test("a saved fuzz input runs through every command without crashing or hanging", .timeLimit(.minutes(3)), arguments: cases)
    func replayInProcess(name: String) throws {
        #expect(FuzzInput.run(try Self.bytes(name)) > 0)
    }

    /// The input that hung the search for how many root ports to add: it planned the domain
    /// once per port, and its 275 devices take the first 95 ports added, so 3 free ones cost 98
    /// plans. The answer must stay the fewest ports.
    @Test("plan --hotplug-ports adds the fewest ports when devices take the ports it adds")
    func sparePortsTakenByDevices() throws {
        let file = SourceFile(name: "spares.xml", bytes: try Self.bytes("spares-q35-ports-taken-by-devices.xml"))
        var options = PlanOptions()
        options.hotplugPorts = 3
        let outcome = Pipeline.plan(file, options: options)
        let planned = try #require(outcome.planned, "\(outcome.diagnostics.map(\.message))")
        #expect(Planner.headroom(planned).pcieHotplug >= 3)
        #expect(outcome.diagnostics.contains { $0.message.hasPrefix("added 98 pcie-root-port controller(s)") }, "\(outcome.diagnostics.map(\.message))")
    }

    /// ... in a few plans, not one per port: the search probes about 2·log2(k) counts, counted
    /// here instead of timed.
    @Test("the spare-port search finds the least count in about 2·log2(k) plans, for every answer up to its limit")
    func sparePortsSearchIsLogarithmic() {
        for answer in 1...256 {
            var probes: [Int] = []
            let k = Pipeline.leastSatisfying(limit: 256) { probes.append($0); return $0 >= answer }
            #expect(k == answer)
            #expect(probes.count <= 2 * 8 + 1, "\(answer): \(probes)")
            #expect(Set(probes).count == probes.count, "\(answer) probed a count twice: \(probes)")
        }
        #expect(Pipeline.leastSatisfying(limit: 256) { _ in false } == nil)
        var probes = 0
        #expect(Pipeline.leastSatisfying(limit: 256) { probes += 1; return $0 >= 98 } == 98)
        #expect(probes <= 14, "98 ports took \(probes) plans")
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
