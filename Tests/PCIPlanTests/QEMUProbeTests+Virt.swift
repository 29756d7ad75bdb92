import Foundation
import Testing
@testable import PCIPlan

/// Proof on a real QEMU for the `virt` boards: the arguments pciplan renders for aarch64,
/// armv7l and riscv64 guests start `qemu-system-aarch64` / `-arm` / `-riscv64` (machine `virt`,
/// paused, TCG) and QEMU puts every PCI device where pciplan planned it; what `check` reports as
/// a QEMU refusal, QEMU refuses with the quoted message. The devices libvirt puts on virtio-mmio
/// are added as QEMU's `-device` variants (`virtio-blk-device`, …), which pciplan's PCI arguments
/// leave out. Without the binary a test is skipped (visibly); with `CI` set it fails instead.
@Suite("pciplan's virt plans run in a real QEMU")
struct QEMUProbeVirtTests {
    static let ci = ProcessInfo.processInfo.environment["CI"] != nil
    static let aarch64 = QEMU.onPath(MachineDescriptor.virtAArch64.qemuBinary)
    static let riscv64 = QEMU.onPath(MachineDescriptor.virtRISCV64.qemuBinary)
    static let armv7l = QEMU.onPath(MachineDescriptor.virtARMv7.qemuBinary)
    static let runnable = (aarch64 != nil && riscv64 != nil && armv7l != nil) || ci

    /// The QEMU of the planned machine.
    static func binary(_ plan: PlannedDomain) throws -> String {
        let name = plan.family.descriptor.qemuBinary
        return try #require(QEMU.onPath(name), "CI is set but \(name) is not installed (apt-get install qemu-system-arm qemu-system-misc)")
    }

    /// pciplan's PCI arguments with a `-device` for each device on virtio-mmio (and a ramfb
    /// video) at its place in libvirt's command-line order, and the backends QEMU needs.
    static func arguments(_ plan: PlannedDomain) -> [String] {
        let rendered = Dictionary(QEMUArgsRenderer.entries(plan).map { ($0.device, $0.object) }, uniquingKeysWith: { a, _ in a })
        var objects: [JSONValue] = []
        for i in plan.normalized.commandLineOrder {
            let d = plan.devices[i]
            if let o = rendered[i] {
                objects.append(o)
            } else if d.address == .other("virtio-mmio") {
                // libvirt starts a non-virtio SCSI controller on virtio-mmio as a bare `lsi`.
                let lsi = d.controller?.model == "lsilogic" ? "lsi" : nil
                guard let driver = Define.virtioMMIODeviceName(d) ?? lsi else { continue }
                var o: [String: JSONValue] = ["driver": .string(driver)]
                if let id = d.alias { o["id"] = .string(id) }
                objects.append(.object(o))
            } else if d.kind == .video && d.model == "ramfb" {
                objects.append(.object(["driver": .string("ramfb")]))
            }
        }
        return QEMUStubs.arguments(objects)
    }

    @Test("QEMU puts every device of a virt guest where pciplan planned it",
          .enabled(if: runnable, "qemu-system-aarch64, -arm or -riscv64 not installed"),
          arguments: [
              "virt-aarch64-many-nics",              // root ports packed into 00:01.x and 00:02.x
              "virt-aarch64-conventional-devices",   // a pcie-pci-bridge for conventional PCI devices
              "virt-aarch64-sata",                   // ich9-ahci behind the bridge
              "virt-aarch64-graphics-default-video", // virtio-gpu-pci, no virtio-vga on aarch64
              "virt-aarch64-virtio-mmio",            // virtio-mmio devices beside the ones on PCI
              "virt-aarch64-pcie-expander-bus",      // pxb-pcie with a root port
              "virt-aarch64-slot-1f",                // 00:1f.x is an ordinary slot on virt
              "virt-riscv64-graphics-usb",           // virtio-vga, piix3-usb-uhci, balloon
              "virt-riscv64-virtio-mmio",            // the balloon on virtio-mmio
              "virt-armv7l-usb-default",             // qemu-system-arm
          ])
    func placements(_ name: String) throws {
        let plan = try QEMUProbeTests.plan(name)
        let qemu = try Self.binary(plan)
        let entries = QEMUArgsRenderer.entries(plan)
        #expect(entries.count >= 3, "\(name): too few devices to prove anything")
        let run = try QEMU.start(qemu, machine: "virt", args: Self.arguments(plan))
        let tree = try #require(run.qtree, "\(name): QEMU refused pciplan's arguments: \(run.stderr)")
        try QEMUProbeTests.expectPlacements(plan, entries, in: tree, name)
        #expect(entries.allSatisfy { QEMUArgsRenderer.busName(plan, plan.placements[$0.device]?.address.bus ?? 0) != "pci.0" },
                "\(name): the virt root bus is pcie.0")
    }

    @Test("what check reports as a QEMU refusal, QEMU refuses",
          .enabled(if: runnable, "qemu-system-aarch64, -arm or -riscv64 not installed"),
          arguments: [
              ("virt-aarch64-switch-order", DiagnosticID.controllerBusOrder, "Bus 'pci.2' not found"),
              ("virt-aarch64-transitional-mmio", .virtioMMIOTransitional, "'virtio-blk-device-transitional' is not a valid device model name"),
              ("virt-riscv64-virtio-mmio-too-many", .virtioMMIOTooMany, "No 'virtio-bus' bus found for device 'virtio-net-device'"),
              ("virt-riscv64-ramfb", .deviceMachine, "ramfb device requires fw_cfg with DMA"),
              ("virt-aarch64-lsilogic-mmio-pxb", .virtioMMIONotVirtio, "PCI: Only PCI/PCIe bridges can be plugged into pxb-pcie"),
              ("virt-riscv64-lsilogic-mmio-slot", .virtioMMIONotVirtio, ", in use by lsi53c895a,id=scsi0"),
          ])
    func refusals(_ name: String, _ id: DiagnosticID, _ message: String) throws {
        let url = QEMUProbeTests.golden.appendingPathComponent(name).appendingPathComponent("input.xml")
        let source = SourceFile(name: url.path, bytes: [UInt8](try Data(contentsOf: url)))
        let found = Pipeline.check(source).filter { $0.id == id }
        #expect(found.contains { $0.severity == .error && $0.notes.contains { $0.message.hasSuffix(message) } },
                "\(name): check does not report \(id.rawValue) quoting \(message)")
        // plan prints what libvirt stores, with the same finding as a warning.
        let outcome = Pipeline.plan(source)
        let plan = try #require(outcome.planned, "\(name): libvirt accepts it, so plan must too")
        #expect(outcome.diagnostics.contains { $0.id == id && $0.severity == .warning })
        let run = try QEMU.start(try Self.binary(plan), machine: "virt", args: Self.arguments(plan))
        #expect(run.qtree == nil, "\(name): QEMU started it")
        #expect(run.stderr.contains(message), "\(name): QEMU's message: \(run.stderr)")
    }

    @Test("an lsilogic controller on virtio-mmio runs where check says QEMU puts it",
          .enabled(if: runnable, "qemu-system-riscv64 not installed"))
    func lsilogicOnVirtioMMIO() throws {
        let url = QEMUProbeTests.golden.appendingPathComponent("virt-riscv64-lsilogic-mmio/input.xml")
        let source = SourceFile(name: url.path, bytes: [UInt8](try Data(contentsOf: url)))
        let findings = Pipeline.check(source)
        #expect(!findings.hasErrors, "QEMU starts it: \(findings.map(\.message))")
        let warning = try #require(findings.first { $0.id == .virtioMMIONotVirtio && $0.severity == .warning })
        #expect(warning.message.contains("0000:00:02.0"))
        let plan = try QEMUProbeTests.plan("virt-riscv64-lsilogic-mmio")
        let run = try QEMU.start(try Self.binary(plan), machine: "virt", args: Self.arguments(plan))
        let tree = try #require(run.qtree, "QEMU refused it: \(run.stderr)")
        let lsi = try #require(QTree.pciDevices(tree).first { $0.driver == "lsi53c895a" })
        #expect(lsi.bus == "pcie.0" && lsi.slot == 2 && lsi.function == 0, "QEMU put it at \(lsi.bus) \(lsi.slot).\(lsi.function)")
    }
}
