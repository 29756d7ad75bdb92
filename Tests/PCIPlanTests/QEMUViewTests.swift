import Foundation
import Testing
@testable import PCIPlan

/// `QEMUView` (the guest view `diff` compares) against what the real QEMU 7.2 showed for the
/// same stored domains: `Fixtures/guest-abi/<pair>/old.view.json` is
/// `../shared/oracle/guest_view.py view old.xml` (libvirt 9.0's own `-device` list, QEMU started
/// paused, `info qtree` per PCI function; recorded 2026-11-30, see Fixtures/guest-abi/README.md).
@Suite("the guest view pciplan computes is what QEMU shows")
struct QEMUViewTests {
    /// The pciplan device QEMU's qdev id names: a user alias, `mac:…` for a NIC, `pci.N` for a
    /// PCI controller, else libvirt's alias (`usb`, `balloon0`, `video0`).
    static func device(_ plan: PlannedDomain, _ ident: String) -> Int? {
        let base = ident.split(separator: "#").first.map(String.init) ?? ident
        if base.hasPrefix("ua-") { return plan.devices.indices.first { DevicePairing.userAlias(plan.devices[$0]) == base } }
        if base.hasPrefix("mac:") {
            let mac = String(base.dropFirst(4))
            return plan.devices.indices.first { plan.devices[$0].element?.child("mac")?[attribute: "address"]?.lowercased() == mac }
        }
        return plan.devices.indices.first { plan.devices[$0].alias == base }
    }

    static func hex4(_ v: UInt16?) -> String? { v.map { let s = String($0, radix: 16); return String(repeating: "0", count: 4 - s.count) + s } }

    @Test("every PCI function QEMU shows (the machine's own aside) has pciplan's path, slot, function, bus type, driver, ids, subsystem and multifunction bit",
          arguments: GuestABIFixture.names)
    func matchesQEMU(_ name: String) throws {
        let url = GuestABIFixture.root.appendingPathComponent("\(name)/old.view.json")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [String: Any]])
        let file = try GuestABIFixture.load("\(name)/old.xml")
        let plan = try #require(Pipeline.plan(file).planned, "\(name): old.xml does not plan")
        let view = QEMUView(plan)
        // `pci-testdev`: the oracle's stand-in for a device that needs the host (a VFIO
        // function, vhost-vsock), started in its place; its ids are not the device's.
        for (ident, q) in doc.sorted(by: { $0.key < $1.key }) where !ident.hasPrefix("builtin:") && q["driver"] as? String != "pci-testdev" {
            let i = try #require(Self.device(plan, ident), "\(name): QEMU's \(ident) is no device of pciplan's plan")
            let v = try #require(view[i], "\(name): \(ident) has no guest view in pciplan")
            let label = "\(name) \(ident)"
            #expect(v.pathDescription == q["path"] as? String, "\(label) path")
            #expect(v.slot == q["slot"] as? Int && v.function == q["function"] as? Int, "\(label) slot/function")
            #expect((v.onExpressBus ? "PCIE" : "PCI") == q["bus_type"] as? String, "\(label) bus type")
            #expect(v.driver == q["driver"] as? String, "\(label) driver")
            #expect(v.multifunction == q["multifunction"] as? Bool, "\(label) multifunction")
            // A host device shows the host's ids: pciplan leaves them out.
            #expect("\(Self.hex4(v.vendor) ?? "-"):\(Self.hex4(v.device) ?? "-")" == "\(q["vendor"] as? String ?? "?"):\(q["device"] as? String ?? "?")", "\(label) ids")
            // qemu-probe reads a bridge's subsystem at the type 0 header's offsets (0000:0000);
            // the table has it from the bridge's Subsystem ID capability.
            if v.properties.isEmpty && plan.devices[i].controller?.type != "pci" {
                let sub = Self.hex4(v.subsystemVendor).flatMap { a in Self.hex4(v.subsystem).map { "\(a):\($0)" } }
                #expect(sub == q["subsystem"] as? String, "\(label) subsystem (\(v.driver ?? "-"))")
            }
        }
    }

    @Test("the recorded views cover many functions")
    func coverage() throws {
        var total = 0
        for name in GuestABIFixture.names {
            let url = GuestABIFixture.root.appendingPathComponent("\(name)/old.view.json")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            total += doc.keys.filter { !$0.hasPrefix("builtin:") }.count
        }
        #expect(total >= 200, "only \(total) functions recorded")
    }
}
