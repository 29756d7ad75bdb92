import Foundation
import Testing
@testable import PCIPlan

/// Proof on a real QEMU: the arguments pciplan renders start `qemu-system-x86_64` (paused,
/// TCG), and QEMU's device tree (`info qtree` over QMP) puts every device on the planned bus,
/// slot and function, with the planned multifunction bit and controller numbers.
/// Without QEMU these tests are skipped (visibly); with `CI` set they fail instead.
@Suite("pciplan's plans run in a real QEMU")
struct QEMUProbeTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")
    static let runnable = QEMU.binary != nil || ProcessInfo.processInfo.environment["CI"] != nil

    static func plan(_ name: String, _ file: String = "input.xml") throws -> PlannedDomain {
        let url = golden.appendingPathComponent(name).appendingPathComponent(file)
        let source = SourceFile(name: url.path, bytes: [UInt8](try Data(contentsOf: url)))
        let outcome = Pipeline.plan(source)
        return try #require(outcome.planned, "\(name): \(DiagnosticPrinter(files: [source]).render(outcome.diagnostics))")
    }

    @Test("QEMU puts every device where pciplan planned it", .enabled(if: runnable, "qemu-system-x86_64 not installed"),
          arguments: [
              "pc-mix-noaddr",                    // i440fx, many device kinds
              "pc-31-disks",                      // a pci-bridge added for a full pci-root
              "pc-mf-full-slot",                  // an explicit 8-function multifunction slot
              "pc-mf-on-fn1",                     // multifunction written on function 1
              "pc-pci-expander-bus",              // pxb with a pci-bridge behind it
              "pc-usb-ehci-companions",           // EHCI + UHCI companions in one slot
              "q35-mix-noaddr",                   // q35, many device kinds
              "q35-9-pcie-devices",               // root ports packed into multifunction slots
              "q35-legacy-devices",               // a pcie-to-pci-bridge for conventional devices
              "q35-explicit-pcie-to-pci-bridge",
              "q35-pcie-switch",                  // upstream + downstream switch ports
              "q35-pcie-expander-bus",            // pxb-pcie with root ports
              "q35-dmi-pci-bridge",               // dmi-to-pci-bridge + pci-bridge
              "q35-usb-ich9-companions",
          ])
    func placements(_ name: String) throws {
        try Self.expectPlacements(try Self.plan(name), name)
    }

    /// Starts QEMU with the plan's topology arguments (backends stubbed, host devices stood in
    /// by `pci-testdev` at the same address) and expects every device at its planned place.
    static func expectPlacements(_ plan: PlannedDomain, _ name: String) throws {
        let qemu = try #require(QEMU.binary, "CI is set but qemu-system-x86_64 is not installed")
        let entries = QEMUArgsRenderer.entries(plan)
        #expect(entries.count >= 4, "\(name): too few devices to prove anything")
        let run = try QEMU.start(qemu, machine: plan.normalized.definition.machine, args: QEMUStubs.arguments(entries.map(\.object)))
        let tree = try #require(run.qtree, "\(name): QEMU refused pciplan's arguments: \(run.stderr)")
        try Self.expectPlacements(plan, entries, in: tree, name)
    }

    /// Every rendered device is in QEMU's device tree on its planned bus, slot and function,
    /// with the planned multifunction bit and controller numbers.
    static func expectPlacements(_ plan: PlannedDomain, _ entries: [(device: Int, object: JSONValue)], in tree: String,
                                 _ name: String) throws
    {
        let devices = QTree.pciDevices(tree)
        for (i, object) in entries {
            guard case .object(let o) = object, let p = plan.placements[i] else { continue }
            let bus = QEMUArgsRenderer.busName(plan, p.address.bus)
            // By id (a pxb's internal bridge shares its id, hence the driver), companions by address.
            let candidates = devices.filter { d in
                if case .string(let id) = o["id"] { return d.id == id }
                return d.bus == bus && d.slot == p.address.slot && d.function == p.address.function
            }
            // (QEMU shows canonical type names: lsi → lsi53c895a.)
            let found = candidates.first { .string($0.driver) == o["driver"] } ?? (candidates.count == 1 ? candidates.first : nil)
            let what = "\(name): \(plan.devices[i].name) (\(plan.devices[i].alias ?? "no id"))"
            let d = try #require(found, "\(what) is not in QEMU's device tree")
            #expect(d.bus == bus && d.slot == p.address.slot && d.function == p.address.function,
                    "\(what): QEMU has it at \(d.bus) \(d.slot).\(d.function), planned \(bus) \(p.address.slot).\(p.address.function)")
            #expect(d.props["multifunction"] == (p.multifunction == .on ? "true" : "false"), "\(what): multifunction")
            for key in ["chassis", "port", "chassis_nr", "bus_nr"] {
                if case .int(let v) = o[key] { #expect(d.props[key] == String(v), "\(what): \(key)") }
            }
        }
    }

    @Test("function 0 with multifunction='off' and function 1 in use: check rejects it, and so does QEMU",
          .enabled(if: runnable, "qemu-system-x86_64 not installed"))
    func multifunctionOffIsRefused() throws {
        let qemu = try #require(QEMU.binary, "CI is set but qemu-system-x86_64 is not installed")
        let url = Self.golden.appendingPathComponent("pc-mf-explicit-off/input.xml")
        let source = SourceFile(name: url.path, bytes: [UInt8](try Data(contentsOf: url)))
        #expect(Pipeline.check(source).contains { $0.id == .multifunctionOff && $0.severity == .error })
        // Render what libvirt would run anyway (it defines this domain), without the checker.
        let n = try #require(Pipeline.load(source).normalized)
        let plan = try #require(Planner.plan(n).0)
        let run = try QEMU.start(qemu, machine: "pc", args: QEMUStubs.arguments(QEMUArgsRenderer.devices(plan)))
        #expect(run.qtree == nil, "QEMU started a slot whose function 0 says multifunction=off")
        #expect(run.stderr.contains("indicates single function") || run.stderr.contains("single function device can't be populated"),
                "QEMU's message: \(run.stderr)")
    }

    @Test("the qtree reader finds buses, addresses and properties")
    func qtreeReader() {
        let text = """
            bus: main-system-bus
              dev: q35-pcihost, id ""
                bus: pcie.0
                  dev: ich9-usb-uhci1, id ""
                    masterbus = "usb.0"
                    addr = 1d.0
                    multifunction = true
                  dev: pcie-root-port, id "pci.1"
                    chassis = 1 (0x1)
                    addr = 02.7
                    bus: pci.1
                      dev: virtio-blk-pci, id "virtio-disk0"
                        addr = 00.0
            """
        let d = QTree.pciDevices(text)
        #expect(d.map(\.id) == ["", "pci.1", "virtio-disk0"])
        #expect(d.map(\.bus) == ["pcie.0", "pcie.0", "pci.1"])
        #expect(d[1].slot == 2 && d[1].function == 7 && d[1].props["chassis"] == "1")
        #expect(d[0].props["masterbus"] == "usb.0" && d[0].props["multifunction"] == "true")
    }
}

/// Backends QEMU needs to realize the rendered devices (not part of the topology arguments),
/// and placeholders for devices that need this host's hardware, at the same id/bus/addr.
enum QEMUStubs {
    static func arguments(_ devices: [JSONValue]) -> [String] {
        var args: [String] = []
        for (n, device) in devices.enumerated() {
            guard case .object(var o) = device, case .string(let driver) = o["driver"] else { continue }
            if driver.hasPrefix("vhost-") || driver.hasPrefix("vfio-pci") || driver.hasPrefix("virtio-input-host")
                || driver == "ivshmem-doorbell"
            {
                o = o.filter { ["id", "bus", "addr", "multifunction"].contains($0.key) }
                o["driver"] = .string("pci-testdev")
            } else if driver.hasPrefix("virtio-blk") {
                args += ["-blockdev", "driver=null-co,node-name=drive\(n)"]
                o["drive"] = .string("drive\(n)")
            } else if ["virtio-net", "e1000", "e1000e", "rtl8139"].contains(where: driver.hasPrefix) {
                args += ["-netdev", "user,id=netdev\(n)"]
                o["netdev"] = .string("netdev\(n)")
            } else if driver == "AC97" || driver == "ES1370" {
                args += ["-audiodev", "none,id=audio\(n)"]
                o["audiodev"] = .string("audio\(n)")
            } else if driver == "ivshmem-plain" {
                args += ["-object", "memory-backend-ram,id=shmem\(n),size=4M"]
                o["memdev"] = .string("shmem\(n)")
            } else if driver.hasPrefix("virtio-9p") {
                args += ["-fsdev", "local,id=fsdev\(n),path=/tmp,security_model=none,readonly=on"]
                o["fsdev"] = .string("fsdev\(n)")
                o["mount_tag"] = .string("fs\(n)")
            } else if driver == "pci-serial" {
                args += ["-chardev", "null,id=char\(n)"]
                o["chardev"] = .string("char\(n)")
            }
            args += ["-device", JSONValue.object(o).compact(order: QEMUArgsRenderer.keyOrder(.object(o)))]
        }
        return args
    }
}
