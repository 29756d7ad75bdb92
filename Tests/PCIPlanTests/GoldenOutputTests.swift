import Foundation
import Testing

/// pciplan's own outputs for the recorded golden inputs (`Fixtures/golden/<case>/`), end to end
/// through the built binary, run in the case folder so every file name it prints is `input.xml`.
/// The goldens sit next to libvirt's recording (`expected.xml` or `expected.err`) and are written
/// by record mode (`PCIPLAN_RECORD=1 swift test`; see Fixtures/golden/README.md).
@Suite("pciplan's outputs for the golden inputs match their recorded goldens")
struct GoldenOutputTests {
    static let root = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/golden")

    /// One output of pciplan, and the golden file that holds it.
    enum Format: String, CaseIterable, Sendable {
        case json, tree, dot, args, explain, diagnostics

        var file: String { "expected.\(rawValue)" }

        var arguments: [String] {
            switch self {
            case .json, .tree, .dot: ["plan", "input.xml", "--format", rawValue]
            case .args: ["plan", "input.xml", "--format", "qemu-args"]
            case .explain: ["explain", "input.xml"]
            case .diagnostics: ["check", "input.xml"]
            }
        }

        /// Only the diagnostics mean something for a domain libvirt refuses: pciplan refuses it
        /// too and prints nothing else.
        var forRejected: Bool { self == .diagnostics }
    }

    struct Output: Sendable, CustomTestStringConvertible {
        var name: String
        var format: Format
        var testDescription: String { "\(name)/\(format.file)" }
    }

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/input.xml").path) }
            .sorted()
    }

    /// Whether libvirt refused the case (it has `expected.err`, not `expected.xml`).
    static func rejected(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("\(name)/expected.err").path)
    }

    static var outputs: [Output] {
        cases.flatMap { name in
            Format.allCases.filter { !rejected(name) || $0.forRejected }.map { Output(name: name, format: $0) }
        }
    }

    @Test("each golden input gives its recorded output", arguments: outputs)
    func output(_ o: Output) throws {
        let dir = Self.root.appendingPathComponent(o.name)
        let r = try PCIPlanBinary.run(o.format.arguments, in: dir)
        #expect(!r.crashed)
        let text: String
        if o.format == .diagnostics {
            // Text diagnostics go to stderr; the exit status is part of what check reports.
            #expect(r.stdout.isEmpty, "check printed to stdout: \(r.stdout)")
            text = Golden.transcript(status: r.status, r.stderr)
        } else {
            guard r.status == 0 else {
                Issue.record("\(o.name): pciplan \(o.format.arguments.joined(separator: " ")) exited \(r.status):\n\(r.stderr)")
                return  // nothing worth recording
            }
            text = r.stdout
        }
        Golden.expect(text, matches: dir.appendingPathComponent(o.format.file))
    }

    @Test("a case libvirt refuses has no golden for an output pciplan does not print", arguments: cases.filter(rejected))
    func noStaleOutputs(_ name: String) {
        let stale = Format.allCases.filter { !$0.forRejected }.map { Self.root.appendingPathComponent("\(name)/\($0.file)") }
        Golden.expectAbsent(stale, because: "libvirt refuses \(name), so pciplan plans nothing")
    }

    @Test("every format has goldens for at least 20 inputs, pc and q35 among them", arguments: Format.allCases)
    func coverage(_ format: Format) {
        let covered = Self.cases.filter {
            FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("\($0)/\(format.file)").path)
        }
        #expect(covered.count >= 20, "\(format.file): \(covered.count) inputs")
        #expect(covered.contains { $0.hasPrefix("pc-") } && covered.contains { $0.hasPrefix("q35-") })
    }

    /// The cases whose `-device` arguments libvirt itself put on a QEMU command line
    /// (`Fixtures/qemu/<case>/expected.args`, for libvirt's stored `expected.xml`).
    static var qemuRecorded: [String] {
        let qemu = root.deletingLastPathComponent().appendingPathComponent("qemu")
        return ((try? FileManager.default.contentsOfDirectory(atPath: qemu.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: qemu.appendingPathComponent("\($0)/expected.args").path) }
            .sorted()
    }

    /// Planning and rendering together against the oracle: from the input with missing
    /// addresses to libvirt's real command line (QEMUArgsTests renders libvirt's own XML).
    @Test("qemu-args of a golden input equal libvirt's command line for it", arguments: qemuRecorded)
    func qemuArgsOfInput(_ name: String) throws {
        let recorded = Self.root.deletingLastPathComponent().appendingPathComponent("qemu/\(name)/expected.args")
        let libvirt = try String(contentsOf: recorded, encoding: .utf8)
        let r = try PCIPlanBinary.run(Format.args.arguments, in: Self.root.appendingPathComponent(name))
        #expect(r.status == 0, "\(r.stderr)")
        Golden.expectEqual(r.stdout, libvirt, expected: "qemu/\(name)/expected.args (libvirt)", actual: "pciplan plan golden/\(name)/input.xml")
    }

    static var examples: [String] {
        let dir = PCIPlanBinary.packageRoot.appendingPathComponent("Examples")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// The README's examples are golden inputs (`example-<name>`), so their goldens cover them.
    @Test("each file in Examples/ is a golden input, byte for byte", arguments: examples)
    func example(_ name: String) throws {
        let example = try Data(contentsOf: PCIPlanBinary.packageRoot.appendingPathComponent("Examples/\(name).xml"))
        let golden = FileManager.default.contents(atPath: Self.root.appendingPathComponent("example-\(name)/input.xml").path)
        #expect(example == golden, "Examples/\(name).xml is not Fixtures/golden/example-\(name)/input.xml: record the case from libvirt (README there)")
    }

    @Test("there are examples")
    func examplesExist() {
        #expect(Self.examples.count >= 2)
    }
}
