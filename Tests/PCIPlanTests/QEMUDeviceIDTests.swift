import Foundation
import Testing
@testable import PCIPlan

/// The guest-view id table (`QEMUDeviceIDs`, issue 9), recorded from QEMU 7.2 by
/// `Scripts/record-qemu-ids`: it covers every QEMU driver pciplan renders, it is what the
/// recorder generates from its raw probes, and (with QEMU installed) QEMU still agrees.
@Suite("the recorded guest-view id table")
struct QEMUDeviceIDTests {
    static let root = PCIPlanBinary.packageRoot
    static let sourceFile = root.appendingPathComponent("Sources/PCIPlanOutput/Render/QEMUDriverNames.swift")
    static let golden = root.appendingPathComponent("Tests/PCIPlanTests/Fixtures/golden")
    static let recorder = root.appendingPathComponent("Scripts/record-qemu-ids")
    static let qemuProbe = root.deletingLastPathComponent().appendingPathComponent("shared/oracle/qemu-probe")

    /// Recorded (in some context) or listed as not probed, with a reason.
    static func covered(_ driver: String) -> Bool {
        !QEMUDeviceIDs.contexts(driver: driver).isEmpty || QEMUDeviceIDs.notProbed[driver] != nil
    }

    // MARK: every driver pciplan renders

    /// The driver names written in `QEMUDriverNames.swift`: string literals after `return` (not
    /// the `attribute:` / `child(` / `==` operands), those inside `virtio(…, model)` also with
    /// their `-transitional` and `-non-transitional` forms, and the USB and SCSI tables. A new
    /// name there shows up here without anyone updating this test.
    static func driverNamesInSource() throws -> Set<String> {
        let text = try String(contentsOf: sourceFile, encoding: .utf8)
        func literals(_ code: Substring) -> [String] {
            code.matches(of: /(attribute: |child\(|== )?"([A-Za-z0-9_.-]+)"/).filter { $0.output.1 == nil }.map { String($0.output.2) }
        }
        var names = Set<String>()
        for line in text.split(separator: "\n") {
            let code = line.split(separator: "//", maxSplits: 1).first ?? line
            guard let r = code.range(of: "return ") else { continue }
            names.formUnion(literals(code[r.upperBound...]))
            if let call = code.firstMatch(of: /virtio\((.*), [a-z.]+\)/) {
                for base in literals(call.output.1) { names.formUnion([base + "-transitional", base + "-non-transitional"]) }
            }
        }
        names.formUnion(QEMUDriverNames.usbDrivers.values)
        names.formUnion(QEMUDriverNames.scsiDrivers.values)
        return names
    }

    /// `<model name>` of PCI controllers: libvirt fills in the default; users may write the
    /// others libvirt 9.0 knows for x86 (`virDomainControllerPCIModelName`: ioh3420 as a
    /// pcie-root-port; spapr-pci-host-bridge is ppc64 only).
    static let controllerModelNames: Set<String> =
        Set(ControllerModel.allCases.compactMap(\.defaultModelName)).union(["ioh3420"])

    /// `<interface><model type>` names libvirt 9.0 knows (`virDomainNetModel`) that pciplan
    /// passes through as the driver and gives a PCI address; QEMU 7.2 has only the first four.
    static let passedThroughNICs: Set<String> = [
        "rtl8139", "e1000", "e1000e", "vmxnet3", "netfront", "vlance", "vmxnet", "vmxnet2",
        "Am79C970A", "Am79C973", "82540EM", "82545EM", "82543GC", "lan9118", "smc91c111",
    ]

    @Test("the source scan finds the driver names it should")
    func sourceScanWorks() throws {
        let names = try Self.driverNamesInSource()
        for known in ["virtio-net-pci", "virtio-blk-pci-non-transitional", "qxl-vga", "qxl", "vfio-pci-nohotplug",
                      "ES1370", "ich9-intel-hda", "virtio-iommu", "vhost-user-fs-pci", "ahci", "piix3-usb-uhci", "lsi",
                      "virtio-gpu-gl-pci", "ivshmem", "i6300esb", "pci-serial", "vhost-user-blk-pci-transitional",
                      "virtio-9p-pci-non-transitional", "virtio-serial-pci-transitional"] {
            #expect(names.contains(known), "source scan missed \(known)")
        }
        for noise in ["type", "ramfb", "on", "vhostuser", "model", "virtio", "pci", "mdev", "es1370", "vhost-user-fs-pci-transitional"] {
            #expect(!names.contains(noise), "source scan took '\(noise)' for a driver")
        }
        #expect(names.count >= 60, "source scan found only \(names.count) names")
    }

    @Test("every driver in QEMUDriverNames, every controller model name and every passed-through NIC is covered")
    func everyRenderedDriverIsCovered() throws {
        let names = try Self.driverNamesInSource().union(Self.controllerModelNames).union(Self.passedThroughNICs)
        let missing = names.filter { !Self.covered($0) }.sorted()
        #expect(missing.isEmpty, "no QEMUDeviceIDs entry and no notProbed reason: \(missing); re-run Scripts/record-qemu-ids")
    }

    /// One `-device` of `pciplan plan expected.xml --format qemu-args`.
    struct Rendered {
        var driver: String
        var id: String?
        var bus: String
    }

    static func rendered(_ qemuArgs: String) throws -> [Rendered] {
        try qemuArgs.split(separator: "\n").map { line in
            let json = try #require(line.firstMatch(of: /^-device '(.*)'$/)?.output.1, "not a -device line: \(line)")
            let o = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            return Rendered(driver: try #require(o["driver"] as? String), id: o["id"] as? String,
                            bus: try #require(o["bus"] as? String))
        }
    }

    /// The kind of bus `bus` is, from the `-device` that provides it.
    static func context(of bus: String, in devices: [Rendered]) -> QEMUDeviceIDs.Context? {
        switch bus {
        case "pci.0": return .conventional
        case "pcie.0": return .rootComplex
        default:
            switch devices.first(where: { $0.id == bus })?.driver {
            case "pcie-root-port", "ioh3420", "xio3130-downstream", "x3130-upstream": return .expressPort
            case "pci-bridge", "pcie-pci-bridge", "i82801b11-bridge", "pxb": return .conventional
            case "pxb-pcie": return .rootComplex
            default: return nil
            }
        }
    }

    @Test("every device pciplan renders for the golden domains has ids for the bus it is on")
    func goldenDevicesHaveIDs() throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: Self.golden.path).sorted()
            .filter { FileManager.default.fileExists(atPath: Self.golden.appendingPathComponent("\($0)/expected.xml").path) }
        #expect(cases.count >= 50)
        var seen = Set<String>()
        for name in cases {
            let run = try PCIPlanBinary.run(["plan", "expected.xml", "--format", "qemu-args"],
                                            in: Self.golden.appendingPathComponent(name))
            #expect(run.status == 0 && !run.crashed, "\(name): \(run.stderr)")
            let devices = try Self.rendered(run.stdout)
            for d in devices {
                seen.insert(d.driver)
                guard QEMUDeviceIDs.notProbed[d.driver] == nil else { continue }
                let context = try #require(Self.context(of: d.bus, in: devices), "\(name): \(d.driver) on unknown bus \(d.bus)")
                #expect(QEMUDeviceIDs.ids(driver: d.driver, context: context) != nil,
                        "\(name): no ids for \(d.driver) (\(d.id ?? "no id")) in context \(context)")
            }
        }
        #expect(seen.count >= 20, "the goldens render only \(seen.sorted())")
    }

    // MARK: what the table says

    @Test("recorded context effects: transitional virtio ids, qxl vs qxl-vga, PCIe endpoints")
    func contextEffects() throws {
        let conv = try #require(QEMUDeviceIDs.ids(driver: "virtio-net-pci", context: .conventional))
        let port = try #require(QEMUDeviceIDs.ids(driver: "virtio-net-pci", context: .expressPort))
        let rc = try #require(QEMUDeviceIDs.ids(driver: "virtio-net-pci", context: .rootComplex))
        #expect((conv.vendor, conv.device, conv.revision) == (0x1af4, 0x1000, 0))  // transitional
        #expect((port.vendor, port.device, port.revision) == (0x1af4, 0x1041, 1))  // modern only
        #expect(port.express == .endpoint && conv.express == nil)
        #expect(rc == conv, "on q35's pcie.0 a virtio device is a conventional, transitional function")
        let nt = try #require(QEMUDeviceIDs.ids(driver: "virtio-net-pci-non-transitional", context: .conventional))
        #expect(nt.device == 0x1041)
        let vga = try #require(QEMUDeviceIDs.ids(driver: "qxl-vga", context: .conventional))
        let qxl = try #require(QEMUDeviceIDs.ids(driver: "qxl", context: .conventional))
        #expect(vga.classCode == 0x030000 && qxl.classCode == 0x038000)
        let rootPort = try #require(QEMUDeviceIDs.ids(driver: "pcie-root-port", context: .rootComplex))
        #expect(rootPort.isBridge && rootPort.express == .rootPort && rootPort.hotplug == true)
        #expect(rootPort.visibleProperties["port"] != nil)
        #expect(QEMUDeviceIDs.ids(driver: "lsi", context: .conventional)?.qemuType == "lsi53c895a")
        #expect(QEMUDeviceIDs.provenance.contains(QEMUDeviceIDs.qemuVersion))
    }

    @Test("the Swift table is what Scripts/record-qemu-ids generates from the recorded probes",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 not installed"))
    func generatedFromFixture() throws {
        let r = try Self.run("/usr/bin/python3", [Self.recorder.path, "check"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    // MARK: QEMU still agrees

    static let probeRunnable = (QEMU.binary != nil && FileManager.default.fileExists(atPath: qemuProbe.path))
        || ProcessInfo.processInfo.environment["CI"] != nil

    /// A few drivers whose ids depend on the context, in two placements each: i440fx `pci.0`
    /// (conventional) and q35 behind a pcie-root-port (PCI Express port).
    @Test("qemu-probe still reports the recorded ids", .enabled(if: probeRunnable, "qemu-system-x86_64 or ../shared/oracle/qemu-probe not installed"),
          arguments: ["virtio-net-pci", "virtio-blk-pci-transitional", "e1000e", "qxl-vga", "pcie-pci-bridge"],
          [QEMUDeviceIDs.Context.conventional, .expressPort])
    func reprobe(_ driver: String, _ context: QEMUDeviceIDs.Context) throws {
        _ = try #require(QEMU.binary, "CI is set but qemu-system-x86_64 is not installed")
        let ids = try #require(QEMUDeviceIDs.ids(driver: driver, context: context), "\(driver) not recorded for \(context)")
        let (machine, args, bus): (String, [String], String) = switch context {
        case .conventional: ("pc", ["-device", "\(driver),id=dut,bus=pci.0,addr=0x5"], "pci.0")
        default: ("q35", ["-device", "pcie-root-port,id=rp,chassis=1,port=0x8,bus=pcie.0,addr=0x2",
                          "-device", "\(driver),id=dut,bus=rp,addr=0x0"], "rp")
        }
        let r = try Self.run("/usr/bin/python3", [Self.qemuProbe.path, machine] + args)
        try #require(r.status == 0, "qemu-probe: \(r.stderr)")
        let functions = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let f = try #require(functions.first { $0["qdev_id"] as? String == "dut" && $0["bus"] as? String == bus },
                             "dut not in \(r.stdout)")
        func hex(_ key: String) -> UInt32? { (f[key] as? String).flatMap { UInt32($0.dropFirst(2), radix: 16) } }
        #expect(hex("vendor") == UInt32(ids.vendor) && hex("device") == UInt32(ids.device), "\(driver) \(context): \(f)")
        if !ids.isBridge {  // qemu-probe reads a bridge's subsystem at the type 0 offsets
            #expect(hex("subsystem_vendor") == ids.subsystemVendor.map(UInt32.init), "\(driver) \(context): \(f)")
            #expect(hex("subsystem") == ids.subsystem.map(UInt32.init), "\(driver) \(context): \(f)")
        }
        if let cls = hex("class") {  // known on root buses only (no firmware numbers bridges under -S)
            #expect(cls == ids.classCode >> 8, "\(driver) \(context): \(f)")
        }
        #expect(f["multifunction"] as? Bool == ids.isMultifunction)
        #expect(f["driver"] as? String == ids.qemuType)
    }

    static func run(_ executable: String, _ args: [String]) throws -> PCIPlanBinary.Result {
        let tmp = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outURL = tmp.appendingPathComponent("stdout"), errURL = tmp.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return PCIPlanBinary.Result(status: p.terminationStatus, crashed: p.terminationReason == .uncaughtSignal,
                                    stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                                    stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
