import Foundation
import Testing
@testable import PCIPlan

/// The aarch64, armv7l and riscv64 `virt` machines beyond the recorded goldens: reading the
/// architecture, virtio-mmio in diff / `--keep` / explain, and the QEMU refusals `check`
/// reports (without QEMU; `QEMUProbeVirtTests` proves them on a real one).
@Suite("virt machines")
struct VirtTests {
    static func domain(arch: String?, machine: String?, devices: String = "") -> SourceFile {
        let type = "<type\(arch.map { " arch='\($0)'" } ?? "")\(machine.map { " machine='\($0)'" } ?? "")>hvm</type>"
        return SourceFile(name: "vm.xml", text: "<domain type='qemu'><name>v</name><os>\(type)</os><devices>\(devices)</devices></domain>")
    }

    @Test("virt on each architecture is its own family, whatever the machine version",
          arguments: [("aarch64", "virt", MachineFamily.virtAArch64), ("aarch64", "virt-2.6", .virtAArch64),
                      ("armv7l", "virt-7.2", .virtARMv7), ("riscv64", "virt", .virtRISCV64),
                      ("x86_64", "q35", .q35), ("i686", "pc-i440fx-7.2", .pc)])
    func families(_ arch: String, _ machine: String, _ family: MachineFamily) throws {
        let n = try #require(Pipeline.load(Self.domain(arch: arch, machine: machine)).normalized)
        #expect(n.family == family)
        #expect(n.family.descriptor.family == family)
    }

    @Test("machines pciplan does not plan are refused where they are named")
    func refusedMachines() {
        let cases: [(String?, String?, DiagnosticID, String)] = [
            ("aarch64", nil, .inputMachine, "machine type 'integratorcp' (libvirt's default for aarch64) is not supported on aarch64"),
            ("riscv64", nil, .inputMachine, "machine type 'spike' (libvirt's default for riscv64)"),
            ("x86_64", "virt", .inputMachine, "machine type 'virt' is not supported on x86_64"),
            ("aarch64", "sbsa-ref", .inputMachine, "machine type 'sbsa-ref' is not supported on aarch64"),
            ("riscv32", "virt", .inputArch, "architecture 'riscv32' is not supported"),
        ]
        for (arch, machine, id, text) in cases {
            let d = Pipeline.load(Self.domain(arch: arch, machine: machine)).diagnostics
            #expect(d.contains { $0.id == id && $0.severity == .error && $0.message.hasPrefix(text) },
                    "\(arch ?? "-") \(machine ?? "-"): \(d.map(\.message))")
        }
    }

    @Test("only the host bridge is fixed on bus 0: slot 0x1f takes any device, and nothing is reserved")
    func noChipsetSlots() throws {
        let xml = "<disk type='file'><source file='/x'/><target dev='vda' bus='virtio'/><address type='pci' bus='0' slot='0x1f' function='0x3'/></disk>"
        let outcome = Pipeline.plan(Self.domain(arch: "aarch64", machine: "virt", devices: xml))
        let p = try #require(outcome.planned)
        #expect(p.placements.values.map(\.address) == [PCIAddress(bus: 0, slot: 0x1f, function: 3)])
        #expect(p.devices.filter { $0.element == nil }.map(\.name) == ["controller pci 0"])
    }

    @Test("adding one virtio-mmio device moves every address-less virtio device off PCI: diff calls each breaking")
    func diffTransport() throws {
        #expect(try ABIFixture.libvirtDifferences("virt-mmio/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("virt-mmio/new.xml") == [])
        let new = try ABIFixture.planned("virt-mmio/new.xml")
        let onMMIO = new.devices.filter { $0.address == .other("virtio-mmio") }.compactMap(\.alias).sorted()
        #expect(onMMIO == ["net0", "rng0", "video0", "virtio-disk0"])
        let o = try DiffTests.diff(try ABIFixture.load("virt-mmio/old.xml"), try ABIFixture.load("virt-mmio/new.xml"))
        let moved = o.changes.filter { $0.kind == .connectKind }
        #expect(moved.count == 3)
        #expect(moved.allSatisfy { $0.message.contains("moves from PCI to virtio-mmio") })
        #expect(o.hasBreaking)
    }

    @Test("plan --keep keeps them on PCI, libvirt stores that unchanged (recorded), and diff is then clean")
    func keepOnPCI() throws {
        let (p, diff) = try KeepTests.keepFixture("virt-mmio/new.xml", "virt-mmio/old.xml")
        #expect(!diff.hasBreaking, "\(DiffRenderer.text(diff))")
        #expect(p.devices.filter { $0.address == .other("virtio-mmio") }.compactMap(\.alias) == ["rng0"])
        let recorded = try ABIFixture.load("virt-mmio/keep.xml")
        #expect(XMLWriter.render(p) == recorded.bytes, "regenerate keep.xml and keep.libvirt.xml (Fixtures/abi/README.md)")
        #expect(try ABIFixture.libvirtDifferences("virt-mmio/keep.xml") == [])
    }

    @Test("explain says why a device is on virtio-mmio and how to keep it on PCI")
    func explainVirtioMMIO() throws {
        let p = try ABIFixture.planned("virt-mmio/new.xml")
        let all = Explainer.explain(p, including: { _ in true })
        let vda = try #require(all.first { $0.alias == "virtio-disk0" })
        #expect(vda.sentences.contains {
            $0.contains("libvirt puts it on virtio-mmio") && $0.contains("rng 'virtio' has <address type='virtio-mmio'/>") && $0.contains("<address type='pci'/>")
        }, "\(vda.sentences)")
    }

    @Test("check reports what QEMU refuses as errors, plan as warnings and still plans", arguments: [
        ("virt-aarch64-switch-order", DiagnosticID.controllerBusOrder),
        ("virt-aarch64-transitional-mmio", .virtioMMIOTransitional),
        ("virt-riscv64-virtio-mmio-too-many", .virtioMMIOTooMany),
        ("virt-riscv64-ramfb", .deviceMachine),
        ("virt-aarch64-lsilogic-mmio-pxb", .virtioMMIONotVirtio),
        ("virt-riscv64-lsilogic-mmio-slot", .virtioMMIONotVirtio),
    ])
    func qemuRefusals(_ name: String, _ id: DiagnosticID) throws {
        let source = try GoldenPlanTests.load(name, "input.xml")
        let checked = Pipeline.check(source)
        #expect(Set(checked.filter { $0.severity == .error }.map(\.id)) == [id], "\(checked.map(\.message))")
        #expect(checked.contains { $0.id == id && $0.notes.contains { $0.message.hasPrefix("libvirt 9.0 accepts this definition, but QEMU 7.2 refuses to start it: ") } })
        let planned = Pipeline.plan(source)
        #expect(planned.planned != nil)
        #expect(!planned.diagnostics.hasErrors)
        #expect(planned.diagnostics.contains { $0.id == id && $0.severity == .warning })
    }

    @Test("a transitional device on virtio-mmio is named as QEMU would be asked for it",
          arguments: [("disk", "<disk type='file' model='virtio-transitional'><source file='/x'/><target dev='vdb' bus='virtio'/></disk>", "virtio-blk-device-transitional"),
                      ("nic", "<interface type='user'><mac address='52:54:00:00:00:09'/><model type='virtio-non-transitional'/></interface>", "virtio-net-device-non-transitional"),
                      ("scsi", "<controller type='scsi' index='0' model='virtio-transitional'/>", "virtio-scsi-device-transitional"),
                      ("balloon", "<memballoon model='virtio-non-transitional'/>", "virtio-balloon-device-non-transitional")])
    func transitionalNames(_ what: String, _ xml: String, _ qemu: String) throws {
        let mmio = "<disk type='file'><source file='/y'/><target dev='vda' bus='virtio'/><address type='virtio-mmio'/></disk>"
        let d = Pipeline.check(Self.domain(arch: "aarch64", machine: "virt", devices: mmio + xml))
        #expect(d.contains { $0.id == .virtioMMIOTransitional && $0.message.hasSuffix("'\(qemu)'") }, "\(what): \(d.map(\.message))")
    }
}
