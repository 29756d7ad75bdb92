import Foundation
import Testing
@testable import PCIPlan

/// What `attach --live --qmp` refuses, and the single-device case, which stays libvirt's.
@Suite("attach --live --qmp refuses what one slot or QMP cannot hold")
struct QMPHotAddRefusalTests {
    /// A case: the live domain (a fixture path), the device file, the diagnostic expected.
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var domain: String
        var devices: String
        var id: DiagnosticID
    }

    static let q35 = "qmp/q35-root-port/domain.xml"
    static let pc = "qmp/pc-root-bus/domain.xml"
    static let keyboard = "<input type='keyboard' bus='virtio'/>"

    static let cases: [Case] = [
        Case(testDescription: "an interface that needs a tap device", domain: q35,
             devices: "<interface type='network'><source network='default'/><model type='virtio'/></interface>\(keyboard)", id: .attachQMPBackend),
        Case(testDescription: "an interface type='hostdev'", domain: q35,
             devices: "<interface type='hostdev'><source><address type='pci' domain='0' bus='3' slot='0' function='1'/></source></interface>\(keyboard)",
             id: .attachQMPBackend),
        Case(testDescription: "nine devices", domain: q35, devices: String(repeating: keyboard, count: 9), id: .attachSlot),
        Case(testDescription: "no function 0 among the written addresses", domain: pc,
             devices: "<input type='keyboard' bus='virtio'><address type='pci' bus='0' slot='9' function='1'/></input>"
                + "<input type='mouse' bus='virtio'><address type='pci' bus='0' slot='9' function='2'/></input>", id: .attachSlot),
        Case(testDescription: "two slots", domain: pc,
             devices: "<input type='keyboard' bus='virtio'><address type='pci' bus='0' slot='9' function='0'/></input>"
                + "<input type='mouse' bus='virtio'><address type='pci' bus='0' slot='10' function='1'/></input>", id: .attachSlot),
        Case(testDescription: "one function asked for twice", domain: pc,
             devices: "<input type='keyboard' bus='virtio'><address type='pci' bus='0' slot='9' function='0'/></input>"
                + "<input type='mouse' bus='virtio'><address type='pci' bus='0' slot='9' function='0'/></input>", id: .attachSlot),
        Case(testDescription: "function 0 with multifunction='off'", domain: pc,
             devices: "<input type='keyboard' bus='virtio'><address type='pci' bus='0' slot='9' function='0' multifunction='off'/></input>\(keyboard)",
             id: .attachSlot),
        Case(testDescription: "a slot in use", domain: pc,
             devices: "<input type='keyboard' bus='virtio'><address type='pci' bus='0' slot='4' function='0'/></input>\(keyboard)", id: .addressInUse),
        Case(testDescription: "a conventional and a PCI Express device on q35 without a PCI bridge", domain: q35,
             devices: "<interface type='user'><model type='e1000'/></interface><interface type='user'><model type='virtio'/></interface>",
             id: .attachNoSlot),
        Case(testDescription: "the pc root bus without ACPI", domain: "attach/pc-noacpi-nic-live/before.xml",
             devices: String(repeating: keyboard, count: 2), id: .attachQEMURefuses),
        Case(testDescription: "a device libvirt cannot hot-plug at all", domain: q35,
             devices: "<sound model='ich9'/>\(keyboard)", id: .attachUnsupported),
    ]

    static func load(_ path: String) throws -> SourceFile {
        let url = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/\(path)")
        return SourceFile(name: url.lastPathComponent, bytes: [UInt8](try Data(contentsOf: url)))
    }

    static func devices(_ xml: String) -> SourceFile {
        SourceFile(name: "devices.xml", bytes: Array("<devices>\(xml)</devices>\n".utf8))
    }

    @Test("refused with the diagnostic that names the rule", arguments: cases)
    func refused(_ c: Case) throws {
        let outcome = Pipeline.attach(try Self.load(c.domain), device: Self.devices(c.devices), mode: .live, qmp: true)
        #expect(outcome.planned == nil && outcome.qmp == nil)
        let errors = outcome.diagnostics.filter { $0.severity == .error }
        #expect(errors.contains { $0.id == c.id },
                "\(c.testDescription): \(DiagnosticPrinter(files: []).render(outcome.diagnostics))")
    }

    @Test("several devices without --qmp are refused, and the message names --qmp")
    func severalWithoutQMP() throws {
        let outcome = Pipeline.attach(try Self.load(Self.q35), device: Self.devices(Self.keyboard + Self.keyboard), mode: .live)
        let d = try #require(outcome.diagnostics.first)
        #expect(d.id == .attachInput && d.message.contains("--qmp"))
    }

    @Test("one device with --qmp goes where libvirt puts it, without multifunction")
    func singleDevice() throws {
        let rng = "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"
        let outcome = Pipeline.attach(try Self.load(Self.q35), device: Self.devices(rng), mode: .live, qmp: true)
        let plain = Pipeline.attach(try Self.load(Self.q35), device: SourceFile(name: "rng.xml", bytes: Array(rng.utf8)), mode: .live)
        let i = try #require(outcome.attached.first)
        let p = try #require(outcome.planned?.placements[i])
        #expect(p.address == plain.attached.first.flatMap { plain.planned?.placements[$0]?.address })
        #expect(outcome.qmp == """
            {"execute":"object-add","arguments":{"qom-type":"rng-random","id":"objrng0","filename":"/dev/urandom"}}
            {"execute":"device_add","arguments":{"driver":"virtio-rng-pci","id":"rng0","bus":"pci.4","addr":"0x0","rng":"objrng0"}}

            """)
    }

    @Test("--qmp needs --live and excludes --format")
    func cli() throws {
        let dir = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/qmp/q35-root-port")
        let config = try PCIPlanBinary.run(["attach", "domain.xml", "devices.xml", "--config", "--qmp"], in: dir)
        #expect(config.status == 2 && config.stderr.contains("--qmp hot-adds into a running guest"))
        let format = try PCIPlanBinary.run(["attach", "domain.xml", "devices.xml", "--live", "--qmp", "--format", "json"], in: dir)
        #expect(format.status == 2 && format.stderr.contains("drop --format"))
    }
}
