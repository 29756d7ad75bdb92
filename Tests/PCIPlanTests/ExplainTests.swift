import Foundation
import Testing
@testable import PCIPlan

@Suite("explain says which rule put each device where it is")
struct ExplainTests {
    static func explain(_ name: String, device: String? = nil) throws -> [DeviceExplanation] {
        let f = try ABIFixture.load(name)
        let o = Pipeline.explain(f, device: device)
        return try #require(o.explanations, "\(DiagnosticPrinter(files: [f]).render(o.diagnostics))")
    }

    static func text(_ name: String, device: String) throws -> String {
        try explain(name, device: device).flatMap(\.sentences).joined(separator: "\n")
    }

    @Test("a planned device: the class-order step, the first free slot and the hand-out order")
    func planned() throws {
        let e = try #require(try Self.explain("hole-refill/old.xml", device: "vdb").first)
        #expect(e.address == PCIAddress(bus: 0, slot: 5))
        #expect(e.sentences.first == "Libvirt's first fit gave it 0000:00:05.0, the first free slot that takes a conventional PCI device when its turn came in libvirt's class order (virtio disks come after controllers). It was address #5 handed out.")
    }

    @Test("a chipset device and an explicit one")
    func chipsetAndExplicit() throws {
        #expect(try Self.text("hole-refill/old.xml", device: "usb").contains("It is at 0000:00:01.2: the chipset fixes it: built into the PIIX3 chipset at 0000:00:01.2"))
        #expect(try Self.text("mf-seed/old.xml", device: "vdb") == """
            0000:00:04.1 is written in the input, and libvirt keeps explicit addresses.
            The guest sees it at 0000:00:04.1, on the root bus, which is bus 0 for the guest too.
            Its /dev/disk/by-path names are pci-0000:00:04.1 and virtio-pci-0000:00:04.1.
            """)
    }

    @Test("derived multifunction is traced to the function that caused it")
    func multifunction() throws {
        let t = try Self.text("mf-seed/old.xml", device: "virtio-disk0")
        #expect(t.contains("multifunction='on' is derived: function 1 of slot 0000:00:04 holds disk 'vdb' (virtio-disk1)"))
    }

    @Test("an added controller says which device it is for, and the bus it provides")
    func addedController() throws {
        let t = try Self.text("q35-legacy-nic/new.xml", device: "pci.3")
        #expect(t.contains("libvirt added it in its dry run: interface 52:54:00:00:00:12 (net1) needs a PCI slot and none was free."))
        #expect(t.contains("It provides bus 3: interface 52:54:00:00:00:12 (net1) at 0000:03:01.0."))
        let nic = try Self.text("q35-legacy-nic/new.xml", device: "52:54:00:00:00:12")
        #expect(nic.contains("Bus 3 is provided by pcie-to-pci-bridge 'pci.3' at 0000:01:00.0."))
    }

    @Test("the spare root port is named as libvirt's one spare for hotplug")
    func spare() throws {
        let t = try Self.text("q35-legacy-nic/old.xml", device: "pci.5")
        #expect(t.contains("libvirt added it as its one spare pcie-root-port for hotplug: nothing sits on bus 5"))
        #expect(t.contains("libvirt fills in <model name='pcie-root-port'/> (the QEMU device for pcie-root-port), chassis=5 (its index), port=0xc (slot × 8 + function of its address)."))
    }

    @Test("--device selects by alias, disk target, MAC (any case) or address, and nothing else")
    func selection() throws {
        for id in ["net0", "52:54:00:00:00:11", "52:54:00:00:00:11".uppercased(), "0000:01:00.0"] {
            #expect(try Self.explain("q35-legacy-nic/old.xml", device: id).map(\.label) == ["interface 52:54:00:00:00:11 (net0)"])
        }
        #expect(try Self.explain("q35-legacy-nic/old.xml", device: "vda").map(\.alias) == ["virtio-disk0"])
        #expect(try Self.explain("q35-legacy-nic/old.xml", device: "nothing").isEmpty)
        #expect(try Self.explain("q35-legacy-nic/old.xml").count == 11)
    }

    @Test("an address kept by plan --keep says so")
    func kept() throws {
        let o = Pipeline.plan(try ABIFixture.load("hole-refill/new.xml"), keeping: try ABIFixture.load("hole-refill/old.xml"))
        let p = try #require(o.planned)
        let vdb = try #require(p.devices.firstIndex { $0.alias == "virtio-disk1" })
        let e = try #require(Explainer.explain(p).first { $0.index == vdb })
        #expect(e.sentences.first == "It is at 0000:00:05.0: plan --keep kept it: 'hole-refill/old.xml' has it at 0000:00:05.0 (planned there); it is disk 'vdb' (virtio-disk1) there, paired by disk target 'vdb'.")
    }

    @Test("explain NEW --keep OLD says which old device each kept one is, and by which pairing rule")
    func keptPairing() throws {
        let o = Pipeline.explain(try ABIFixture.load("hole-refill/new.xml"), device: "balloon0",
                                 keeping: try ABIFixture.load("hole-refill/old.xml"))
        let e = try #require(o.explanations?.first)
        #expect(e.sentences.first?.hasSuffix("it is memballoon 'virtio' (balloon0) there, paired by libvirt's default: memballoon #1.") == true,
                "\(e.sentences)")
    }

    @Test("text output: a located header per device, its sentences, then libvirt's steps")
    func textFormat() throws {
        let f = try ABIFixture.load("mf-seed/old.xml")
        let o = Pipeline.explain(f)
        let p = try #require(o.planned)
        let text = ExplainRenderer.text(try #require(o.explanations), plan: p)
        #expect(text.contains("mf-seed/old.xml:10:5: disk 'vda' (virtio-disk0) → 0000:00:04.0 multifunction=on\n  0000:00:04.0 is written in the input"))
        #expect(text.contains("mf-seed/old.xml: memballoon 'virtio' (balloon0) → 0000:00:03.0 (added)\n"))
        #expect(text.contains("steps libvirt takes at define, in order:\n  1. added "))
    }

    @Test("JSON output lists every explanation with its sentences and the steps")
    func jsonFormat() throws {
        let o = Pipeline.explain(try ABIFixture.load("mf-seed/old.xml"), device: "vdb")
        let json = ExplainRenderer.json(try #require(o.explanations), plan: try #require(o.planned))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let d = try #require((obj["devices"] as? [[String: Any]])?.first)
        #expect(d["address"] as? String == "0000:00:04.1")
        #expect(d["alias"] as? String == "virtio-disk1")
        #expect((d["location"] as? [String: Any])?["line"] as? Int == 16)
        #expect((d["sentences"] as? [String])?.isEmpty == false)
        #expect(obj["steps"] is [String])
    }
}
