import Foundation
import Testing

/// Runs `../shared/conformance/compare` (libvirt 9.0's own test domains and generated domains,
/// with what the real libvirt stored) over the built `pciplan plan`, and holds the result:
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
                       "--", bin, "plan", "{input}"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let data = try Data(contentsOf: report)
        try? FileManager.default.removeItem(at: report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.count > 600)
        let failing = Set(results.filter { ($0["status"] as? String) != "pass" }.compactMap { $0["name"] as? String })
        let known = Self.knownFailures()
        let unexpected = failing.subtracting(known.keys).sorted()
        let fixed = Set(known.keys).subtracting(failing).sorted()
        #expect(unexpected.isEmpty, "cases that disagree with libvirt 9.0: \(unexpected.joined(separator: ", "))")
        #expect(fixed.isEmpty, "cases now passing: remove them from conformance-known-failures.txt: \(fixed.joined(separator: ", "))")
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
