import Foundation
import Testing
@testable import PCIPlan

/// `plan --keep` keeps what the guest sees of kept slots and controllers (issue 9 item 4):
/// no new function in a kept single-function slot, kept controllers' chassis, port and
/// hot-plug, and with `--reserve-removed` no new device on a removed device's address. Each
/// kept result is checked against what libvirt 9.0 stored for it (`keep.libvirt.xml`) and
/// what QEMU 7.2 shows (`keep.guest-view.diff`: `guest_view.py diff OLD keep.libvirt.xml`).
@Suite("plan --keep keeps kept slots, controllers and removed addresses")
struct KeepGuestABITests {
    /// `guest_view.py diff` reports no changed function, only added and removed ones.
    static func expectNoGuestChange(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try String(contentsOfFile: ABIFixture.path(name), encoding: .utf8)
        #expect(text.contains("summary: 0 core changes, 0 controller-property changes"), sourceLocation: sourceLocation)
        #expect(!text.contains("CHANGED"), sourceLocation: sourceLocation)
    }

    @Test("a new root port goes to an empty slot, not beside a kept port whose slot has no multifunction bit; chassis, port and hotplug stay")
    func keptSlot() throws {
        let (p, diff) = try KeepTests.keepFixture("keep-kept-slot/new.xml", "keep-kept-slot/old.xml")
        let port = try #require(p.normalized.pciController(index: 1))
        #expect(p.placements[port]?.address == PCIAddress(bus: 0, slot: 1))
        #expect(p.placements[port]?.multifunction != .on)
        let info = try #require(p.controllerInfo(port))
        #expect(info.chassis == 7 && info.port == 0x20)
        #expect(p.devices[port].controller?.hotplug == .off)
        let net = try #require(p.devices.indices.first { p.devices[$0].element?.child("alias")?[attribute: "name"] == "ua-net1" })
        let bus = try #require(p.placements[net]?.address.bus)
        let newPort = try #require(p.normalized.pciController(index: bus))
        #expect(p.placements[newPort]?.address.slotKey != PCIAddress(bus: 0, slot: 1).slotKey)
        #expect(!diff.hasBreaking, "\(DiffRenderer.text(diff))")
        #expect(!diff.changes.contains { $0.kind == .controller }, "\(DiffRenderer.text(diff))")
        // Without --keep libvirt packs the new port into 00:01.1 and turns the bit on (recorded).
        #expect(try String(contentsOfFile: ABIFixture.path("keep-kept-slot/new.libvirt.xml"), encoding: .utf8)
            .contains("slot='0x01' function='0x0' multifunction='on'"))
        let recorded = try ABIFixture.load("keep-kept-slot/keep.xml")
        #expect(XMLWriter.render(p) == recorded.bytes, "regenerate keep.xml, keep.libvirt.xml and keep.guest-view.diff (Fixtures/abi/README.md)")
        #expect(try ABIFixture.libvirtDifferences("keep-kept-slot/keep.xml") == [])
        try Self.expectNoGuestChange("keep-kept-slot/keep.guest-view.diff")
    }

    @Test("a kept controller property NEW writes differently is a warning; one the plan would change is refused")
    func controllerProperty() throws {
        let old = try ABIFixture.load("keep-kept-slot/old.xml")
        let text = String(decoding: try ABIFixture.load("keep-kept-slot/new.xml").bytes, as: UTF8.self)
            .replacingOccurrences(of: "<controller type='pci' index='1' model='pcie-root-port'/>",
                                  with: "<controller type='pci' index='1' model='pcie-root-port'><target chassis='9'/></controller>")
        let o = Pipeline.plan(SourceFile(name: "new.xml", text: text), keeping: old)
        #expect(o.planned != nil)
        #expect(o.diagnostics.contains { $0.id == .planKeep && $0.severity == .warning
            && $0.message == "pcie-root-port 'pci.1' cannot keep its chassis 7 from 'keep-kept-slot/old.xml': 'new.xml' writes chassis 9, which the guest sees" })
    }

    @Test("NEW writing OLD's address of a single-function root port keeps it single-function")
    func explicitKept() throws {
        let old = try ABIFixture.load("keep-kept-slot/old.xml")
        let text = String(decoding: try ABIFixture.load("keep-kept-slot/new.xml").bytes, as: UTF8.self)
            .replacingOccurrences(of: "<controller type='pci' index='1' model='pcie-root-port'/>",
                                  with: "<controller type='pci' index='1' model='pcie-root-port'><address type='pci' bus='0' slot='1' function='0'/></controller>")
        let o = Pipeline.plan(SourceFile(name: "new.xml", text: text), keeping: old)
        let p = try #require(o.planned, "\(DiagnosticPrinter(files: [old]).render(o.diagnostics))")
        #expect(!p.placements.values.contains { $0.address.slotKey == PCIAddress(bus: 0, slot: 1).slotKey && $0.address.function > 0 })
        #expect(!XMLWriter.render(p).elementsEqual(Array("multifunction='on'".utf8)))
        #expect(!String(decoding: XMLWriter.render(p), as: UTF8.self).contains("multifunction='on'"))
    }

    @Test("--reserve-removed: a new NIC does not take the slot of the removed disk (libvirt's first fit would)")
    func reserveRemoved() throws {
        let (old, new) = (try ABIFixture.load("reserve-removed/old.xml"), try ABIFixture.load("reserve-removed/new.xml"))
        let plain = try #require(Pipeline.plan(new, keeping: old).planned)
        var o = PlanOptions()
        o.reserveRemoved = true
        let outcome = Pipeline.plan(new, keeping: old, options: o)
        let p = try #require(outcome.planned)
        let net1 = { (p: PlannedDomain) in p.devices.indices.first { p.devices[$0].element?.child("alias")?[attribute: "name"] == "ua-net1" }.flatMap { p.placements[$0]?.address } }
        #expect(net1(plain) == PCIAddress(bus: 0, slot: 3), "without the flag the freed slot is reused")
        #expect(net1(p) == PCIAddress(bus: 0, slot: 6))
        let d = Pipeline.diff(old: old, new: SourceFile(name: "kept.xml", bytes: XMLWriter.render(p)))
        #expect(!d.hasBreaking)
        #expect(!d.changes.contains { $0.kind == .displaced }, "\(DiffRenderer.text(d))")
        #expect(XMLWriter.render(p) == (try ABIFixture.load("reserve-removed/keep.xml")).bytes)
        #expect(try ABIFixture.libvirtDifferences("reserve-removed/keep.xml") == [])
        try Self.expectNoGuestChange("reserve-removed/keep.guest-view.diff")
    }
}
