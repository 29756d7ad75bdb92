import Foundation
import Testing
@testable import PCIPlan

/// Fixtures of the ABI tests (`Fixtures/abi/<case>/`): inputs written for these tests, and
/// next to each `X.xml` what the real libvirt 9.0 stored for it (`X.libvirt.xml`, recorded with
/// ../shared/oracle/libvirt-assign; see Fixtures/abi/README.md).
enum ABIFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/abi")

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// The file, named as the CLI would name it (`mf-seed/old.xml`), so messages read naturally.
    static func load(_ name: String) throws -> SourceFile {
        SourceFile(name: name, bytes: [UInt8](try Data(contentsOf: root.appendingPathComponent(name))))
    }

    static func planned(_ name: String, _ options: PlanOptions = PlanOptions()) throws -> PlannedDomain {
        let f = try load(name)
        let o = Pipeline.plan(f, options: options)
        return try #require(o.planned, "\(name): \(DiagnosticPrinter(files: [f]).render(o.diagnostics))")
    }

    /// The planned XML, as `pciplan plan` writes it, under a new name.
    static func rendered(_ p: PlannedDomain, as name: String) -> SourceFile {
        SourceFile(name: name, bytes: XMLWriter.render(p))
    }

    /// Differences between what libvirt stored (`X.libvirt.xml`) and pciplan's plan of `X.xml`,
    /// device by device (paired by identity): address and whether multifunction is on.
    static func libvirtDifferences(_ name: String) throws -> [String] {
        let stored = try load(name.replacingOccurrences(of: ".xml", with: ".libvirt.xml"))
        let devices = try #require(Pipeline.load(stored).normalized).devices
        let plan = try planned(name)
        let pairing = DevicePairing(old: devices, new: plan.devices, positional: true)
        var out: [String] = []
        for (i, d) in devices.enumerated() {
            guard case .pci(let a, let m) = d.address else { continue }
            guard let j = pairing.oldToNew[i], let p = plan.placements[j] else {
                out.append("\(d.name): libvirt \(a), pciplan none")
                continue
            }
            if p.address != a || (p.multifunction == .on) != (m == .on) {
                out.append("\(d.name): libvirt \(a) mf=\(m.rawValue), pciplan \(p.address) mf=\(p.multifunction.rawValue)")
            }
        }
        return out
    }
}

@Suite("diff pairs devices by identity")
struct DiffPairingTests {
    static func devices(_ xml: String) throws -> [Device] {
        let text = "<domain type='qemu'><name>p</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>\(xml)</devices></domain>"
        return try #require(Pipeline.load(SourceFile(name: "p.xml", text: text)).normalized).devices
    }

    static func disk(_ dev: String) -> String { "<disk type='file' device='disk'><target dev='\(dev)' bus='virtio'/></disk>" }

    @Test("removing the first disk does not make the second one 'the same' as it")
    func diskTargets() throws {
        let old = try Self.devices(Self.disk("vda") + Self.disk("vdb"))
        let new = try Self.devices(Self.disk("vdb"))
        let p = DevicePairing(old: old, new: new)
        #expect(p.oldToNew[0] == nil)
        #expect(p.oldToNew[1] == 0)
        #expect(p.how[1] == "disk target 'vdb'")
    }

    @Test("interfaces pair by MAC whatever their order, in any letter case")
    func macs() throws {
        let a = "<interface type='user'><mac address='52:54:00:AA:00:01'/></interface>"
        let b = "<interface type='user'><mac address='52:54:00:aa:00:02'/></interface>"
        let p = DevicePairing(old: try Self.devices(a + b), new: try Self.devices(b.lowercased() + a.lowercased()))
        #expect(p.oldToNew[0] == 1)
        #expect(p.oldToNew[1] == 0)
    }

    @Test("USB2 companion controllers pair by type, index and model; host devices by source address")
    func controllersAndHostdevs() throws {
        let set = ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2"].map { "<controller type='usb' index='0' model='\($0)'/>" }
        let hd = "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0x3' slot='0' function='1'/></source></hostdev>"
        let old = try Self.devices(set.joined() + hd)
        let new = try Self.devices(hd + set.reversed().joined())
        let p = DevicePairing(old: old, new: new)
        for i in 0..<3 { #expect(p.oldToNew[i].map { new[$0].model } == old[i].model) }
        #expect(p.how[3] == "hostdev pci 0000:03:00.1")
    }

    @Test("devices without a name of their own pair by their element, never by position; --keep's pairing pairs the rest in order")
    func weakDevices() throws {
        let old = try Self.devices("<video><model type='vga'/></video><watchdog model='i6300esb'/>")
        let new = try Self.devices("<watchdog model='i6300esb'/><video><model type='qxl'/></video>")
        let p = DevicePairing(old: old, new: new)
        #expect(p.oldToNew[1] == 0)
        #expect(p.how[1] == "same element: watchdog <watchdog model=i6300esb></watchdog>")
        #expect(p.oldToNew[0] == nil, "a vga and a qxl video without addresses are not paired by position")
        let keep = DevicePairing(old: old, new: new, positional: true)
        #expect(keep.oldToNew[0] == 1)
        #expect(keep.how[0] == "class and ordinal: video #1")
    }

    @Test("a user alias wins over a MAC: two VFs whose pool swapped their MACs stay the guest's NICs")
    func userAliasBeatsMAC() throws {
        func nic(_ alias: String, _ mac: String) -> String {
            "<interface type='user'><mac address='\(mac)'/><model type='virtio'/><alias name='\(alias)'/></interface>"
        }
        let old = try Self.devices(nic("ua-a", "52:54:00:00:00:01") + nic("ua-b", "52:54:00:00:00:02"))
        let new = try Self.devices(nic("ua-a", "52:54:00:00:00:02") + nic("ua-b", "52:54:00:00:00:01"))
        let p = DevicePairing(old: old, new: new)
        #expect(p.oldToNew[0] == 0 && p.oldToNew[1] == 1)
        #expect(p.how[0] == "user alias 'ua-a'")
    }

    @Test("a virtio mouse never pairs with a PS/2 mouse, not even in --keep's order")
    func inputBus() throws {
        let old = try Self.devices("<input type='mouse' bus='virtio'/><input type='tablet' bus='usb'/>")
        let new = try Self.devices("<input type='mouse' bus='ps2'/><input type='tablet' bus='usb'/>")
        let p = DevicePairing(old: old, new: new, positional: true)
        #expect(old[0].bus == "virtio" && p.oldToNew[0] == nil && p.newToOld[0] == nil)
        #expect(p.oldToNew[1] == 1)
    }
}

@Suite("diff reports every guest-visible PCI change with its severity")
struct DiffTests {
    static func diff(_ old: SourceFile, _ new: SourceFile, _ options: PlanOptions = PlanOptions()) throws -> DiffOutcome {
        let o = Pipeline.diff(old: old, new: new, options: options)
        #expect(o.planned != nil, "\(DiagnosticPrinter(files: [old, new]).render(o.diagnostics))")
        return o
    }

    @Test("the seed scenario: the derived multifunction bit drops with function 1, reported as breaking with the reason")
    func seedFlip() throws {
        let planned = ABIFixture.rendered(try ABIFixture.planned("mf-seed/old.xml"), as: "planned.xml")
        let o = try Self.diff(planned, try ABIFixture.load("mf-seed/new.xml"))
        let flip = try #require(o.changes.first { $0.kind == .multifunction })
        #expect(flip.severity == .breaking)
        #expect(flip.message.contains("disk 'vda' (virtio-disk0) at 0000:00:04.0 loses multifunction='on'"))
        #expect(flip.message.contains("function 1 of slot 0000:00:04 is gone (disk 'vdb' (virtio-disk1) removed in mf-seed/new.xml), so the derived bit would drop"))
        #expect(!flip.libvirtChecks)
        #expect(flip.at.file == "planned.xml")
        #expect(flip.notes.contains { $0.message.contains("function 1 was disk 'vdb'") && $0.at?.file == "planned.xml" })
        #expect(o.changes.map(\.kind) == [.multifunction, .removed])
        #expect(o.hasBreaking)
    }

    @Test("libvirt 9.0 itself sets the bit for the old file and not for the new one (recorded)")
    func seedMatchesLibvirt() throws {
        #expect(try ABIFixture.libvirtDifferences("mf-seed/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("mf-seed/new.xml") == [])
        let old = try ABIFixture.planned("mf-seed/old.xml")
        let vda = try #require(old.devices.firstIndex { $0.alias == "virtio-disk0" })
        #expect(old.placements[vda]?.multifunctionDerivedFrom == PCIAddress(bus: 0, slot: 4, function: 1))
    }

    @Test("diffing against the original input names the function the bit was derived from")
    func seedAgainstInput() throws {
        let o = try Self.diff(try ABIFixture.load("mf-seed/old.xml"), try ABIFixture.load("mf-seed/new.xml"))
        let flip = try #require(o.changes.first { $0.kind == .multifunction })
        #expect(flip.notes.contains { $0.message == "mf-seed/old.xml derived multifunction='on' from function 1" })
    }

    @Test("with --multifunction=explicit the flip says nothing derives the bit")
    func explicitPolicy() throws {
        var options = PlanOptions()
        options.multifunction = .explicit
        let o = try Self.diff(try ABIFixture.load("mf-seed/old.libvirt.xml"), try ABIFixture.load("mf-seed/new.xml"), options)
        let flip = try #require(o.changes.first { $0.kind == .multifunction })
        #expect(flip.message.contains("does not write multifunction='on', and --multifunction=explicit derives nothing"))
        #expect(flip.message.contains("function 1 of slot 0000:00:04 is gone"))
        #expect(flip.notes.contains { $0.message == "mf-seed/old.libvirt.xml writes multifunction='on'" })
    }

    @Test("after a removal the later devices refill the hole: each move is breaking and names the old holder")
    func holeRefill() throws {
        #expect(try ABIFixture.libvirtDifferences("hole-refill/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("hole-refill/new.xml") == [])
        let o = try Self.diff(try ABIFixture.load("hole-refill/old.xml"), try ABIFixture.load("hole-refill/new.xml"))
        let moves = o.changes.filter { $0.kind == .moved }.map(\.message)
        #expect(moves == [
            "disk 'vdb' (virtio-disk1) moved from 0000:00:05.0 to 0000:00:04.0",
            "disk 'vdc' (virtio-disk2) moved from 0000:00:06.0 to 0000:00:05.0",
            "memballoon 'virtio' (balloon0) moved from 0000:00:07.0 to 0000:00:06.0",
        ])
        let vdb = try #require(o.changes.first { $0.kind == .moved })
        #expect(vdb.notes.contains { $0.message == "0000:00:04.0 was disk 'vda' (virtio-disk0) in hole-refill/old.xml, removed in hole-refill/new.xml" })
        #expect(vdb.notes.contains { $0.message.contains("virtio disks come after controllers") && $0.at?.file == "hole-refill/new.xml" })
        #expect(o.count(.breaking) == 3 && o.count(.info) == 1)
    }

    @Test("a new device on an address a removed one had is a displaced warning")
    func displaced() throws {
        let o = try Self.diff(try ABIFixture.load("hole-refill/old.xml"), try ABIFixture.load("hole-refill/new-nic.xml"))
        #expect(try ABIFixture.libvirtDifferences("hole-refill/new-nic.xml") == [])
        let d = try #require(o.changes.first { $0.kind == .displaced })
        #expect(d.severity == .warning)
        #expect(d.message == "interface 52:54:00:00:00:02 (net1) takes 0000:00:04.0, which disk 'vda' (virtio-disk0) had in hole-refill/old.xml (removed in hole-refill/new-nic.xml)")
        #expect(!o.hasBreaking)
    }

    @Test("a legacy e1000 on q35 pulls in a pcie-to-pci-bridge and moves everything planned after it")
    func q35LegacyNIC() throws {
        #expect(try ABIFixture.libvirtDifferences("q35-legacy-nic/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("q35-legacy-nic/new.xml") == [])
        let o = try Self.diff(try ABIFixture.load("q35-legacy-nic/old.xml"), try ABIFixture.load("q35-legacy-nic/new.xml"))
        let messages = o.changes.map(\.message)
        #expect(messages.contains("interface 52:54:00:00:00:11 (net0) moved from 0000:01:00.0 to 0000:02:00.0"))
        #expect(messages.contains("disk 'vda' (virtio-disk0) moved from 0000:03:00.0 to 0000:05:00.0"))
        #expect(messages.contains("pcie-root-port 'pci.3' changes model from 'pcie-root-port' to 'pcie-to-pci-bridge', and sits at 0000:01:00.0 instead of 0000:00:01.2"))
        #expect(!messages.contains { $0.hasPrefix("pcie-root-port 'pci.3' moved") })
        #expect(messages.contains("interface 52:54:00:00:00:12 (net1) at 0000:03:01.0 is added"))
        #expect(o.changes.contains { $0.kind == .controllerTarget && $0.message == "pcie-root-port 'pci.4' changes port 0xb → 0xa" })
    }

    @Test("virtio-transitional to non-transitional changes the connect kind from PCI to PCIe")
    func transitional() throws {
        #expect(try ABIFixture.libvirtDifferences("transitional/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("transitional/new.xml") == [])
        let o = try Self.diff(try ABIFixture.load("transitional/old.xml"), try ABIFixture.load("transitional/new.xml"))
        let k = try #require(o.changes.first { $0.kind == .connectKind })
        #expect(k.message == "disk 'vda' (virtio-disk0) changes from a conventional PCI device to a PCI Express device (model 'virtio-transitional' → 'virtio-non-transitional')")
        let move = try #require(o.changes.first { $0.kind == .moved && $0.message.hasPrefix("disk 'vda'") })
        #expect(move.notes.contains { $0.message == "it now needs a PCI Express slot" })
    }

    @Test("chassis and port changes are warnings that libvirt's own check ignores")
    func controllerTarget() throws {
        #expect(try ABIFixture.libvirtDifferences("controller-target/new-chassis.xml") == [])
        let o = try Self.diff(try ABIFixture.load("controller-target/old.xml"), try ABIFixture.load("controller-target/new-chassis.xml"))
        #expect(o.changes.map(\.kind) == [.controllerTarget])
        let c = try #require(o.changes.first)
        #expect(c.message == "pcie-root-port 'pci.1' changes chassis 1 → 5, port 0x8 → 0x1f")
        #expect(c.severity == .warning && !c.libvirtChecks)
        #expect(c.notes.contains { $0.message.hasPrefix("libvirt's own ABI check ignores chassis and port") })
        #expect(!o.hasBreaking)
    }

    @Test("a changed <model name> is breaking although libvirt's own check ignores it")
    func modelName() throws {
        #expect(try ABIFixture.libvirtDifferences("controller-target/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("controller-target/new-modelname.xml") == [])
        let o = try Self.diff(try ABIFixture.load("controller-target/old.xml"), try ABIFixture.load("controller-target/new-modelname.xml"))
        let c = try #require(o.changes.first)
        // The USB controller behind the port keeps its address, but QEMU's path to it now runs
        // through an ioh3420: its guest view changed too.
        #expect(o.changes.map(\.kind) == [.controller, .upstream])
        #expect(o.changes.last?.notes.contains { $0.message.hasSuffix("pcie-root-port (ioh3420) index 1 at 0000:00:01.0 ← pcie-root index 0") } == true)
        #expect(c.kind == .controller && c.severity == .breaking && !c.libvirtChecks)
        #expect(c.message == "pcie-root-port 'pci.1' changes its QEMU device (<model name>) from 'pcie-root-port' to 'ioh3420'")
    }

    @Test("a bus whose controller chain changed is reported for the devices that kept their address")
    func upstream() throws {
        func domain(_ bridgeSlot: Int) -> SourceFile {
            SourceFile(name: "u\(bridgeSlot).xml", text: """
                <domain type='qemu'><name>u</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
                <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='\(bridgeSlot)'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='1' slot='3'/></disk>
                </devices></domain>
                """)
        }
        let o = try Self.diff(domain(5), domain(6))
        let u = try #require(o.changes.first { $0.kind == .upstream })
        #expect(u.message == "disk 'vda' (virtio-disk0) keeps 0000:01:03.0, but bus 1 is now behind a different controller chain")
        #expect(u.notes.map(\.message) == ["u5.xml: pci-bridge index 1 at 0000:00:05.0 ← pci-root index 0",
                                            "u6.xml: pci-bridge index 1 at 0000:00:06.0 ← pci-root index 0"])
    }

    @Test("a definition compared with itself, or with what libvirt stored for it, has no breaking change",
          arguments: ["mf-seed/old.xml", "hole-refill/old.xml", "q35-legacy-nic/new.xml", "transitional/old.xml", "controller-target/new-chassis.xml"])
    func stable(_ name: String) throws {
        let f = try ABIFixture.load(name)
        #expect(try Self.diff(f, f).changes.isEmpty)
        let stored = try ABIFixture.load(name.replacingOccurrences(of: ".xml", with: ".libvirt.xml"))
        let o = try Self.diff(f, stored)
        #expect(!o.hasBreaking, "\(DiffRenderer.text(o))")
    }

    @Test("text output reads like a compiler's, with locations in both files")
    func textFormat() throws {
        let o = try Self.diff(try ABIFixture.load("hole-refill/old.xml"), try ABIFixture.load("hole-refill/new.xml"))
        let lines = DiffRenderer.text(o).split(separator: "\n").map(String.init)
        #expect(lines.contains("hole-refill/old.xml:19:5: breaking: disk 'vdb' (virtio-disk1) moved from 0000:00:05.0 to 0000:00:04.0 [diff.moved]"))
        #expect(lines.contains { $0.hasPrefix("hole-refill/new.xml:14:5: note: in hole-refill/new.xml libvirt's first fit") })
        #expect(lines.last == "hole-refill/old.xml → hole-refill/new.xml: 3 breaking, 0 warnings, 1 info")
    }

    @Test("JSON output carries ids, severities, both sides and a summary")
    func jsonFormat() throws {
        let o = try Self.diff(try ABIFixture.load("controller-target/old.xml"), try ABIFixture.load("controller-target/new-chassis.xml"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(DiffRenderer.json(o).utf8)) as? [String: Any])
        #expect(obj["schema"] as? Int == 1)
        #expect(obj["breaking"] as? Bool == false)
        #expect((obj["summary"] as? [String: Int]) == ["breaking": 0, "warning": 1, "info": 0])
        let change = try #require((obj["changes"] as? [[String: Any]])?.first)
        #expect(change["id"] as? String == "diff.controllerTarget")
        #expect((change["old"] as? [String: Any])?["address"] as? String == "0000:00:01.0")
        #expect(((change["location"] as? [String: Any])?["line"] as? Int) == 10)
    }
}
