import Foundation
import Testing
@testable import PCIPlan

/// `plan --format qemu-args` against libvirt 9.0's own command lines: each
/// `Fixtures/qemu/<case>/expected.args` holds the PCI `-device` arguments the real libvirt
/// generated for `input.xml`, reduced to the topology keys (recorded by
/// `Scripts/compare-qemu-args.py --record`, see `Fixtures/qemu/README.md`).
@Suite("QEMU arguments match the recorded libvirt 9.0 command lines")
struct QEMUArgsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/qemu")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("expected.args").path) }
            .sorted()
    }

    static func read(_ name: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(name).appendingPathComponent(file)))
    }

    @Test("there are recorded qemu-args cases")
    func casesExist() {
        #expect(Self.cases.count >= 10)
    }

    @Test("the rendering equals libvirt's -device arguments", arguments: cases)
    func render(_ name: String) throws {
        let input = SourceFile(name: "\(name)/input.xml", bytes: try Self.read(name, "input.xml"))
        let outcome = Pipeline.plan(input)
        let planned = try #require(outcome.planned, "\(name): \(DiagnosticPrinter(files: [input]).render(outcome.diagnostics))")
        let expected = String(decoding: try Self.read(name, "expected.args"), as: UTF8.self)
        let got = QEMUArgsRenderer.render(planned)
        Golden.expectEqual(got, expected, expected: "\(name)/expected.args (libvirt)", actual: "pciplan")
    }

    @Test("one -device per PCI controller and device, in JSON form")
    func shape() throws {
        let xml = """
            <domain type='qemu'><name>t</name><memory>131072</memory>
            <os><type arch='x86_64' machine='q35'>hvm</type></os>
            <devices><controller type='sata' index='0'/><controller type='pci' index='0' model='pcie-root'/>
            <disk type='file' device='disk'><source file='/x'/><target dev='vda' bus='virtio'/></disk>
            <memballoon model='none'/></devices></domain>
            """
        let planned = try #require(Pipeline.plan(SourceFile(name: "t.xml", bytes: Array(xml.utf8))).planned)
        let lines = QEMUArgsRenderer.render(planned).split(separator: "\n")
        // Every placed device but the ICH9 AHCI (part of the machine, like pcie-root, which has no address).
        let sata = try #require(planned.devices.firstIndex { $0.controller?.type == "sata" })
        #expect(planned.placements[sata]?.address == PCIAddress(bus: 0, slot: 0x1f, function: 2))
        #expect(lines.count == planned.placements.count - 1)
        #expect(lines.allSatisfy { $0.hasPrefix("-device '{\"driver\":") && $0.hasSuffix("}'") })
        #expect(!lines.contains { $0.contains("\"ide\"") || $0.contains("\"pcie.0\",\"addr\":\"0x1f") })
    }
}
