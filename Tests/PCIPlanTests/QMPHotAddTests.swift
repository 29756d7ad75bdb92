import Foundation
import Testing
@testable import PCIPlan

/// `attach --live --qmp` (`Fixtures/qmp/<case>/`, see the README there): several devices
/// hot-added as the functions of one empty slot, which libvirt 9.0 refuses. The QMP sequence
/// is pciplan's golden (`expected.qmp`); the proof is a real QEMU 7.2 started with the live
/// domain's topology, fed the sequence over QMP, whose device tree (`info qtree`: before
/// firmware runs, `query-pci` does not look behind bridges) has every function at its planned
/// bus, slot and function, with `multifunction` on function 0 only.
@Suite("attach --live --qmp hot-adds several devices as one multifunction slot")
struct QMPHotAddTests {
    static let root = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/qmp")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/devices.xml").path) }
            .sorted()
    }

    static func load(_ path: String, name: String? = nil) throws -> SourceFile {
        let url = root.appendingPathComponent(path)
        return SourceFile(name: name ?? url.lastPathComponent, bytes: [UInt8](try Data(contentsOf: url)))
    }

    static func attach(_ name: String) throws -> Pipeline.AttachOutcome {
        Pipeline.attach(try load("\(name)/domain.xml"), device: try load("\(name)/devices.xml"), mode: .live, qmp: true)
    }

    @Test("there are cases on both machines")
    func casesExist() {
        #expect(Self.cases.filter { $0.hasPrefix("q35-") }.count >= 2 && Self.cases.filter { $0.hasPrefix("pc-") }.count >= 2)
    }

    @Test("the QMP sequence is the recorded one", arguments: cases)
    func golden(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let r = try PCIPlanBinary.run(["attach", "domain.xml", "devices.xml", "--live", "--qmp"], in: dir)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(name): exit \(r.status): \(r.stderr)")
        Golden.expect(r.stdout, matches: dir.appendingPathComponent("expected.qmp"))
    }

    @Test("the commands put the functions ≥ 1 first and function 0 last, with multifunction=on", arguments: cases)
    func order(_ name: String) throws {
        let outcome = try Self.attach(name)
        let qmp = try #require(outcome.qmp, "\(name): \(DiagnosticPrinter(files: []).render(outcome.diagnostics))")
        let adds = qmp.split(separator: "\n").filter { $0.contains("\"device_add\"") }
        #expect(adds.count == outcome.attached.count && adds.count >= 2)
        #expect(adds.last?.contains("\"multifunction\":true") == true)
        #expect(adds.dropLast().allSatisfy { !$0.contains("multifunction") && $0.contains(".0x") })
    }

    @Test("QEMU 7.2 takes the sequence and puts every function where it was planned",
          .enabled(if: QEMUProbeTests.runnable, "qemu-system-x86_64 not installed"), arguments: cases)
    func qemu(_ name: String) throws {
        let qemu = try #require(QEMU.binary, "CI is set but qemu-system-x86_64 is not installed")
        let outcome = try Self.attach(name)
        let planned = try #require(outcome.planned)
        let qmp = try #require(outcome.qmp)
        let live = try #require(Pipeline.plan(try Self.load("\(name)/domain.xml")).planned)
        let images = try Self.createImages(planned, outcome.attached)
        defer { for url in images { try? FileManager.default.removeItem(at: url) } }
        let commands = qmp.split(separator: "\n").map { Self.standIn(String($0)) }
        let run = try QEMU.start(qemu, machine: planned.family == .q35 ? "q35" : "pc",
                                 args: QEMUStubs.arguments(QEMUArgsRenderer.devices(live)), commands: commands)
        for (line, error) in zip(commands, run.errors) { #expect(error == nil, "\(name): \(line): \(error ?? "")") }
        let tree = try #require(run.qtree, "\(name): QEMU refused the live topology: \(run.stderr)")
        let devices = QTree.pciDevices(tree)
        for i in outcome.attached {
            let p = try #require(planned.placements[i])
            let alias = planned.devices[i].alias ?? "?"
            let bus = QEMUArgsRenderer.busName(planned, p.address.bus)
            let found = try #require(devices.first { $0.id == alias }, "\(name): \(alias) is not in QEMU's device tree")
            #expect(found.bus == bus && found.slot == p.address.slot && found.function == p.address.function,
                    "\(name): \(alias) is at \(found.bus) \(found.slot).\(found.function), planned \(bus) \(p.address.slot).\(p.address.function)")
            #expect(found.props["multifunction"] == (p.address.function == 0 ? "true" : "false"), "\(name): \(alias) multifunction")
        }
        let slot = try #require(outcome.attached.first.flatMap { planned.placements[$0]?.address })
        let sharing = devices.filter { $0.bus == QEMUArgsRenderer.busName(planned, slot.bus) && $0.slot == slot.slot }
        #expect(sharing.count == outcome.attached.count, "\(name): the slot holds \(sharing.map(\.id))")
    }

    @Test("QEMU 7.2 refuses the other order: a function added after function 0 cannot be exposed to the guest",
          .enabled(if: QEMUProbeTests.runnable, "qemu-system-x86_64 not installed"))
    func functionZeroFirstIsRefused() throws {
        let qemu = try #require(QEMU.binary, "CI is set but qemu-system-x86_64 is not installed")
        let name = "q35-root-port"
        let outcome = try Self.attach(name)
        // (The disk is left out: its image belongs to the test above, which may run meanwhile.)
        let lines = try #require(outcome.qmp).split(separator: "\n").map(String.init).filter { !$0.contains("virtio-disk1") }
        // function 0 is the last device_add, its netdev_add right before it: move both first.
        let reordered = Array(lines.suffix(2)) + lines.dropLast(2)
        let live = try #require(Pipeline.plan(try Self.load("\(name)/domain.xml")).planned)
        let run = try QEMU.start(qemu, machine: "q35", args: QEMUStubs.arguments(QEMUArgsRenderer.devices(live)), commands: reordered)
        let refused = run.errors.compactMap { $0 }
        #expect(refused.count == 2, "\(refused)")
        #expect(refused.allSatisfy { $0.contains("function 0 already occupied by virtio-net-pci") && $0.contains("cannot be exposed to guest") },
                "\(refused)")
    }

    @Test("a booted Linux guest saw every function of the hot-added slot (guest.json, recorded by Scripts/probe-hotplug-guest)",
          arguments: cases)
    func guest(_ name: String) throws {
        let outcome = try Self.attach(name)
        let planned = try #require(outcome.planned)
        let qmp = try #require(outcome.qmp)
        let data = try Data(contentsOf: Self.root.appendingPathComponent("\(name)/guest.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let replies = (json["qmp"] as? [[String: Any]] ?? []).compactMap { $0["reply"] as? [String: Any] }
        #expect(replies.count == qmp.split(separator: "\n").count && replies.allSatisfy { $0["return"] != nil },
                "\(name): the recorded run is not this sequence, or QEMU refused part of it")
        let slot = try #require(outcome.attached.first.flatMap { planned.placements[$0]?.address })
        let functions = Set(outcome.attached.compactMap { planned.placements[$0]?.address.function })
        // The guest numbers buses itself (firmware order), so look for the bus whose slot holds
        // exactly the planned functions.
        var byBus: [Int: [Int: String]] = [:]
        for f in json["pci"] as? [[String: String]] ?? [] {
            let parts = (f["addr"] ?? "").split { $0 == ":" || $0 == "." }.compactMap { Int($0, radix: 16) }
            guard parts.count == 4, parts[2] == slot.slot else { continue }
            byBus[parts[1], default: [:]][parts[3]] = f["header"] ?? ""
        }
        let matching = byBus.filter { Set($0.value.keys) == functions }
        #expect(matching.count == 1, "\(name): guest buses with slot \(slot.slot) holding functions \(functions.sorted()): \(byBus)")
        let header = matching.first.flatMap { $0.value[0] }.flatMap { Int($0, radix: 16) } ?? 0
        #expect(header & 0x80 != 0, "\(name): function 0's header type lacks the multifunction bit")
    }

    /// A sparse 1 MiB file for every attached disk whose source is a missing file.
    static func createImages(_ plan: PlannedDomain, _ attached: [Int]) throws -> [URL] {
        var made: [URL] = []
        for i in attached where plan.devices[i].kind == .disk {
            guard let path = plan.devices[i].element?.child("source")?[attribute: "file"],
                  !FileManager.default.fileExists(atPath: path) else { continue }
            let url = URL(fileURLWithPath: path)
            try Data().write(to: url)
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 1 << 20)
            try handle.close()
            made.append(url)
        }
        return made
    }

    /// A `vfio-pci` device_add becomes a `pci-testdev` at the same id, bus, addr and
    /// multifunction (this host has no such device), as `QEMUStubs` and qemu-probe do.
    static func standIn(_ line: String) -> String {
        guard line.contains("\"vfio-pci\""),
              var command = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              var arguments = command["arguments"] as? [String: Any] else { return line }
        arguments["driver"] = "pci-testdev"
        arguments["host"] = nil
        command["arguments"] = arguments
        return (try? JSONSerialization.data(withJSONObject: command)).map { String(decoding: $0, as: UTF8.self) } ?? line
    }
}
