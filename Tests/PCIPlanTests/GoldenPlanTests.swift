import Foundation
import Testing
@testable import PCIPlan

/// Golden tests: inputs written for pciplan, with what the real libvirt 9.0 stored for each
/// (`Fixtures/golden/<case>/expected.xml`) or its error (`expected.err`), recorded with
/// ../shared/oracle/libvirt-assign (see Fixtures/golden/README.md).
@Suite("planning matches the recorded libvirt 9.0 results")
struct GoldenPlanTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("input.xml").path) }
            .sorted()
    }

    static func load(_ name: String, _ file: String) throws -> SourceFile {
        let url = root.appendingPathComponent(name).appendingPathComponent(file)
        return SourceFile(name: url.path, bytes: [UInt8](try Data(contentsOf: url)))
    }

    @Test("there are golden cases to run")
    func casesExist() {
        #expect(Self.cases.count >= 50)
    }

    @Test("each golden input plans to libvirt's addresses", arguments: cases)
    func plan(_ name: String) throws {
        let input = try Self.load(name, "input.xml")
        let outcome = Pipeline.plan(input)
        let errURL = Self.root.appendingPathComponent(name).appendingPathComponent("expected.err")
        if FileManager.default.fileExists(atPath: errURL.path) {
            #expect(outcome.planned == nil, "libvirt rejects \(name), pciplan accepted it")
            #expect(outcome.diagnostics.hasErrors)
            return
        }
        let planned = try #require(outcome.planned, "libvirt accepts \(name): \(DiagnosticPrinter(files: [input]).render(outcome.diagnostics))")
        let expected = try DeviceTable(Self.load(name, "expected.xml"))
        let output = SourceFile(name: "planned.xml", bytes: XMLWriter.render(planned))
        let got = try DeviceTable(output)
        let differences = expected.differences(from: got)
        #expect(differences.isEmpty, Comment(rawValue: "\(name):\n" + differences.joined(separator: "\n")))
    }

    @Test("the write-back changes only planned lines", arguments: cases)
    func bytePreservation(_ name: String) throws {
        let input = try Self.load(name, "input.xml")
        guard let planned = Pipeline.plan(input).planned else { return }
        let output = String(decoding: XMLWriter.render(planned), as: UTF8.self)
        let before = Golden.lines(String(decoding: input.bytes, as: UTF8.self))
        let diff = LineDiff(before, Golden.lines(output))
        // Lines that disappear are start tags the plan opened up, addresses it replaced, or
        // one-line elements that got an <address> inserted inline.
        let addedWithoutAddresses = Set(diff.added.map(Self.removingPCIAddresses))
        for line in diff.removed where !addedWithoutAddresses.contains(Self.removingPCIAddresses(line)) {
            let t = line.trimmingCharacters(in: .whitespaces)
            let ok = t.hasPrefix("<address type='pci'") || t.hasSuffix("/>") || t.hasPrefix("<controller") || t.hasPrefix("<crypto")
                || t.hasPrefix("<memballoon") || t.hasPrefix("<target ") || t.hasPrefix("<address")
            #expect(ok, "\(name): input line changed unexpectedly: \(line)")
        }
        // Lines that appear hold only what planning adds.
        let allowed = ["<address type='pci'", "<controller ", "</controller>", "<model name=", "<target ", "<memballoon", "</memballoon>",
                       "<video>", "<model type=", "</video>", "</"]
        for line in diff.added {
            let t = line.trimmingCharacters(in: .whitespaces)
            #expect(allowed.contains { t.hasPrefix($0) } || t.hasSuffix(">"), "\(name): unexpected new line: \(line)")
        }
        // Every non-device line of the input is still there, in order.
        #expect(diff.keptCount + diff.removed.count == before.count)
    }
}

extension GoldenPlanTests {
    /// The line with every `<address type='pci' …/>` taken out.
    static func removingPCIAddresses(_ line: String) -> String {
        var out = line
        while let start = out.range(of: "<address type='pci'"), let end = out[start.upperBound...].range(of: "/>") {
            out.removeSubrange(start.lowerBound..<end.upperBound)
        }
        return out
    }
}

/// Each device's PCI address and multifunction bit (or `virtio-mmio`), keyed by identity like
/// ../shared/conformance/compare.
struct DeviceTable {
    var rows: [String: String] = [:]

    init(_ file: SourceFile) throws {
        let root = try XMLReader.parse(file)
        var ordinal: [String: Int] = [:]
        for el in root.child("devices").map({ Array($0.children) }) ?? [] {
            let key: String
            switch el.name {
            case "controller":
                let idx = Int(el[attribute: "index"] ?? "") ?? -1
                key = "controller \(el[attribute: "type"] ?? "?") \(idx) \(el[attribute: "type"] == "usb" ? el[attribute: "model"] ?? "" : "")"
            case "disk": key = "disk \(el.child("target")?[attribute: "dev"] ?? "?")"
            case "interface": key = "interface \(el.child("mac")?[attribute: "address"] ?? "#\(ordinal["interface", default: 0])")"
            case "hostdev":
                let a = el.child("source")?.child("address")
                key = "hostdev \(a?.attributes.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: ",") ?? "")"
            case "input": key = "input \(el[attribute: "type"] ?? "") \(el[attribute: "bus"] ?? "") #\(ordinal["input \(el[attribute: "type"] ?? "") \(el[attribute: "bus"] ?? "")", default: 0])"
            default: key = "\(el.name) #\(ordinal[el.name, default: 0])"
            }
            if el.name == "input" {
                ordinal["input \(el[attribute: "type"] ?? "") \(el[attribute: "bus"] ?? "")", default: 0] += 1
            } else {
                ordinal[el.name, default: 0] += 1
            }
            // libvirt stores a device it put on virtio-mmio with the bare address type.
            if let a = el.child("address"), a[attribute: "type"] == "virtio-mmio" {
                rows[key] = "virtio-mmio"
                continue
            }
            guard let a = el.child("address"), a[attribute: "type"] == "pci" else { continue }
            func n(_ s: String) -> UInt64 { a[attribute: s].flatMap(parseLibvirtUInt) ?? 0 }
            var v = "\(n("domain")):\(n("bus")):\(n("slot")).\(n("function"))"
            if a[attribute: "multifunction"] == "on" { v += " multifunction=on" }
            if el.name == "controller", let m = el[attribute: "model"] { v += " model=\(m)" }
            rows[key] = v
        }
    }

    func differences(from got: DeviceTable) -> [String] {
        Set(rows.keys).union(got.rows.keys).sorted().compactMap { k in
            rows[k] == got.rows[k] ? nil : "  \(k): libvirt \(rows[k] ?? "none"), pciplan \(got.rows[k] ?? "none")"
        }
    }
}
