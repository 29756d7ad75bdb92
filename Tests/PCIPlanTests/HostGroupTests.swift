import Foundation
import Testing
@testable import PCIPlan

/// `plan --group-host-functions` (`Fixtures/host-groups/<case>/`, see the README there):
/// pciplan's grouped plan is its golden (`planned.xml`, `planned.diagnostics`), the real
/// libvirt 9.0 accepts it and stores every address unchanged (`planned.libvirt.xml`), QEMU 7.2
/// puts every function where it was planned, and without the option pciplan still plans the
/// input as libvirt does (`input.libvirt.xml`).
@Suite("plan --group-host-functions puts the functions of one host slot into one guest slot")
struct HostGroupTests {
    static let root = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/host-groups")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/planned.xml").path) }
            .sorted()
    }

    /// A `--keep` case has `new.xml` and `old.xml` instead of `input.xml`.
    static func isKeep(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("\(name)/old.xml").path)
    }

    static func arguments(_ name: String) -> [String] {
        isKeep(name) ? ["plan", "new.xml", "--keep", "old.xml", "--group-host-functions"]
            : ["plan", "input.xml", "--group-host-functions"]
    }

    static func load(_ name: String, _ file: String) throws -> SourceFile {
        let url = root.appendingPathComponent(name).appendingPathComponent(file)
        return SourceFile(name: file, bytes: [UInt8](try Data(contentsOf: url)))
    }

    static var grouping: PlanOptions {
        var o = PlanOptions()
        o.groupHostFunctions = true
        return o
    }

    static func planned(_ name: String) throws -> PlannedDomain {
        let outcome = isKeep(name)
            ? Pipeline.plan(try load(name, "new.xml"), keeping: try load(name, "old.xml"), options: grouping)
            : Pipeline.plan(try load(name, "input.xml"), options: grouping)
        return try #require(outcome.planned, "\(name): \(DiagnosticPrinter(files: []).render(outcome.diagnostics))")
    }

    @Test("there are cases to run")
    func casesExist() {
        #expect(Self.cases.count >= 7)
    }

    @Test("the grouped plan and its diagnostics are the recorded ones", arguments: cases)
    func golden(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let r = try PCIPlanBinary.run(Self.arguments(name), in: dir)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        Golden.expect(r.stdout, matches: dir.appendingPathComponent("planned.xml"))
        Golden.expect(Golden.transcript(status: r.status, r.stderr), matches: dir.appendingPathComponent("planned.diagnostics"))
    }

    @Test("libvirt 9.0 accepts the grouped plan and stores every PCI address byte for byte", arguments: cases)
    func libvirtKeepsAddresses(_ name: String) throws {
        let ours = try AddressText(Self.load(name, "planned.xml"))
        let libvirt = try AddressText(Self.load(name, "planned.libvirt.xml"))
        #expect(ours.rows.count >= 5)
        let differences = Set(ours.rows.keys).union(libvirt.rows.keys).sorted().filter { ours.rows[$0] != libvirt.rows[$0] }
            .map { "  \($0):\n    pciplan \(ours.rows[$0] ?? "none")\n    libvirt \(libvirt.rows[$0] ?? "none")" }
        #expect(differences.isEmpty, Comment(rawValue: "\(name):\n" + differences.joined(separator: "\n")))
    }

    @Test("without the option the input plans to libvirt's own addresses", arguments: cases)
    func defaultIsLibvirt(_ name: String) throws {
        let input = try Self.load(name, Self.isKeep(name) ? "new.xml" : "input.xml")
        let planned = try #require(Pipeline.plan(input).planned)
        let expected = try DeviceTable(Self.load(name, "input.libvirt.xml"))
        let got = try DeviceTable(SourceFile(name: "planned.xml", bytes: XMLWriter.render(planned)))
        let differences = expected.differences(from: got)
        #expect(differences.isEmpty, Comment(rawValue: "\(name):\n" + differences.joined(separator: "\n")))
    }

    @Test("every grouped function sits at its host function number in its function 0's slot", arguments: cases)
    func groupsShareASlot(_ name: String) throws {
        let plan = try Self.planned(name)
        var bySlot: [SlotKey: [Int]] = [:]
        for i in plan.devices.indices { if let h = plan.devices[i].hostPCIFunction { bySlot[h.slotKey, default: []].append(i) } }
        for members in bySlot.values where members.count >= 2 {
            let grouped = members.filter { plan.placements[$0]?.provenance.kind == "host-group" }
            guard let zero = members.first(where: { plan.devices[$0].hostPCIFunction?.function == 0 }),
                  let slot = plan.placements[zero], !grouped.isEmpty else { continue }
            #expect(slot.address.function == 0 && slot.multifunction == .on, "\(name): \(plan.devices[zero].name)")
            for i in grouped {
                let p = try #require(plan.placements[i])
                #expect(p.address.slotKey == slot.address.slotKey, "\(name): \(plan.devices[i].name) at \(p.address)")
                #expect(p.address.function == plan.devices[i].hostPCIFunction?.function, "\(name): \(plan.devices[i].name)")
            }
        }
    }

    @Test("--keep: a group keeps its slot and function numbers, with or without the option, and a new function joins it")
    func keepKeepsTheGroup() throws {
        let oldPlan = try #require(Pipeline.plan(try Self.load("q35-keep", "old.xml"), options: Self.grouping).planned)
        let oldXML = SourceFile(name: "old.planned.xml", bytes: XMLWriter.render(oldPlan))
        let new = try Self.load("q35-keep", "new.xml")
        let withOption = try Self.planned("q35-keep")
        let withoutOption = try #require(Pipeline.plan(new, keeping: oldXML).planned)
        func place(_ p: PlannedDomain, _ host: PCIAddress) -> Placement? {
            p.devices.indices.first { p.devices[$0].hostPCIFunction == host }.flatMap { p.placements[$0] }
        }
        let gpu = PCIAddress(bus: 1, slot: 0, function: 0)
        for i in oldPlan.devices.indices {
            guard let host = oldPlan.devices[i].hostPCIFunction, let was = oldPlan.placements[i],
                  withoutOption.devices.contains(where: { $0.hostPCIFunction == host }) else { continue }  // removed in new.xml
            // (Big values stay out of #expect: Swift Testing reflects every operand it is given.)
            for (label, now) in [("with", place(withOption, host)), ("without", place(withoutOption, host))] {
                let kept = now.map { $0.address == was.address && $0.multifunction == was.multifunction } ?? false
                #expect(kept, "\(host) \(label) the option: \(now.map { "\($0.address) \($0.multifunction)" } ?? "no place"), was \(was.address) \(was.multifunction)")
            }
        }
        let zero = place(withOption, gpu)?.address
        let added = place(withOption, PCIAddress(bus: 1, slot: 0, function: 2))
        let expected = zero.map { PCIAddress(bus: $0.bus, slot: 0, function: 2) }
        #expect(added?.address == expected && expected != nil)
        #expect(added?.provenance.kind == "host-group")
    }

    @Test("QEMU puts every grouped function where it was planned", .enabled(if: QEMUProbeTests.runnable, "qemu-system-x86_64 not installed"),
          arguments: cases)
    func qemuPlacements(_ name: String) throws {
        try QEMUProbeTests.expectPlacements(try Self.planned(name), name)
    }
}

/// The text of each device's `<address type='pci' …/>` element, keyed like `DeviceTable`.
struct AddressText {
    var rows: [String: String] = [:]

    init(_ file: SourceFile) throws {
        let root = try XMLReader.parse(file)
        var ordinal: [String: Int] = [:]
        for el in root.child("devices").map({ Array($0.children) }) ?? [] {
            guard let a = el.child("address"), a[attribute: "type"] == "pci" else { continue }
            var key = el.name
            if let src = el.child("source")?.child("address") {
                key += " " + src.attributes.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: ",")
            } else if let mac = el.child("mac")?[attribute: "address"] {
                key += " " + mac
            } else if let dev = el.child("target")?[attribute: "dev"] {
                key += " " + dev
            } else if el.name == "controller" {
                key += " \(el[attribute: "type"] ?? "?") \(el[attribute: "index"] ?? "?")"
            } else {
                key += " #\(ordinal[el.name, default: 0])"
                ordinal[el.name, default: 0] += 1
            }
            rows[key] = String(decoding: file.bytes[a.range], as: UTF8.self)
        }
    }
}
