import Foundation
import Testing
@testable import PCIPlan

/// Runs `../shared/conformance/compare` (libvirt 9.0's own test domains and generated x86,
/// aarch64 and riscv64 domains, with what the real libvirt stored) over the built `pciplan plan`,
/// and holds the result:
/// every case passes except the ones named in `Fixtures/conformance-known-failures.txt`.
@Suite("plan agrees with the real libvirt 9.0 on the conformance corpus")
struct ConformancePlanTests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = package.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    static var available: Bool { FileManager.default.fileExists(atPath: shared.appendingPathComponent("compare").path) }

    @Test("every conformance case passes or is a named exception",
          .enabled(if: available, "../shared/conformance is not beside the checkout: conformance comparison skipped"))
    func corpus() throws {
        let bin = try #require(PCIPlanBinary.url, "build pciplan first (swift build)").path
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-conformance-\(getpid()).json")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.shared.appendingPathComponent("compare").path, "-j", "2", "--json", report.path,
                       "--cases", Self.shared.appendingPathComponent("libvirt-9.0/cases").path,
                       "--cases", Self.shared.appendingPathComponent("random-dev").path,
                       "--cases", Self.shared.appendingPathComponent("arm-dev").path,
                       "--", bin, "plan", "{input}"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let data = try Data(contentsOf: report)
        try? FileManager.default.removeItem(at: report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.count > 900)
        let failing = Set(results.filter { ($0["status"] as? String) != "pass" }.compactMap { $0["name"] as? String })
        let known = Self.knownFailures()
        let unexpected = failing.subtracting(known.keys).sorted()
        let fixed = Set(known.keys).subtracting(failing).sorted()
        #expect(unexpected.isEmpty, "cases that disagree with libvirt 9.0: \(unexpected.joined(separator: ", "))")
        #expect(fixed.isEmpty, "cases now passing: remove them from conformance-known-failures.txt: \(fixed.joined(separator: ", "))")
    }

    /// `compare` looks at PCI addresses only; the devices libvirt put on virtio-mmio must be
    /// written back with `<address type='virtio-mmio'/>` too.
    @Test("devices on virtio-mmio are written back as libvirt stores them",
          .enabled(if: available, "../shared/conformance is not beside the checkout: conformance comparison skipped"))
    func virtioMMIOWriteBack() throws {
        let root = Self.shared.appendingPathComponent("arm-dev")
        var compared = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let dir = root.appendingPathComponent(name)
            guard let expectedText = try? String(contentsOf: dir.appendingPathComponent("expected.xml"), encoding: .utf8),
                  expectedText.contains("virtio-mmio") else { continue }
            let inputURL = dir.appendingPathComponent("input.xml")
            let input = SourceFile(name: inputURL.path, bytes: [UInt8](try Data(contentsOf: inputURL)))
            let planned = try #require(Pipeline.plan(input).planned, "\(name): libvirt accepts it")
            let got = try DeviceTable(SourceFile(name: "planned.xml", bytes: XMLWriter.render(planned)))
            let expected = try DeviceTable(SourceFile(name: "expected.xml", bytes: Array(expectedText.utf8)))
            let mmio = { (t: DeviceTable) in Set(t.rows.filter { $0.value == "virtio-mmio" }.keys) }
            #expect(mmio(got) == mmio(expected), "\(name): virtio-mmio devices differ: libvirt \(mmio(expected).subtracting(mmio(got)).sorted()) only, pciplan \(mmio(got).subtracting(mmio(expected)).sorted()) only")
            compared += 1
        }
        #expect(compared >= 10)
    }

    /// `name: reason` lines; `#` starts a comment.
    static func knownFailures() -> [String: String] {
        let url = package.appendingPathComponent("Tests/PCIPlanTests/Fixtures/conformance-known-failures.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if let name = parts.first { out[name.trimmingCharacters(in: .whitespaces)] = parts.count > 1 ? String(parts[1]) : "" }
        }
        return out
    }
}
