import Foundation
import Testing
@testable import PCIPlan

@Suite("plan --keep keeps the old layout")
struct KeepTests {
    /// `plan NEW --keep OLD`, then `diff OLD <(the result)`.
    static func keep(_ new: SourceFile, _ old: SourceFile, _ options: PlanOptions = PlanOptions()) -> (Pipeline.PlanOutcome, DiffOutcome?) {
        let o = Pipeline.plan(new, keeping: old, options: options)
        guard let p = o.planned else { return (o, nil) }
        return (o, Pipeline.diff(old: old, new: SourceFile(name: "kept.xml", bytes: XMLWriter.render(p)), options: options))
    }

    static func keepFixture(_ new: String, _ old: String) throws -> (PlannedDomain, DiffOutcome) {
        let (newFile, oldFile) = (try ABIFixture.load(new), try ABIFixture.load(old))
        let (o, d) = keep(newFile, oldFile)
        let p = try #require(o.planned, "\(DiagnosticPrinter(files: [newFile, oldFile]).render(o.diagnostics))")
        let diff = try #require(d)
        #expect(diff.planned != nil, "\(DiagnosticPrinter(files: [oldFile]).render(diff.diagnostics))")
        return (p, diff)
    }

    static func address(_ p: PlannedDomain, _ alias: String) -> PCIAddress? {
        p.devices.firstIndex { $0.alias == alias }.flatMap { p.placements[$0]?.address }
    }

    @Test("the seed scenario: the multifunction bit stays when function 1 is removed, and diff is then clean")
    func seed() throws {
        let planned = ABIFixture.rendered(try ABIFixture.planned("mf-seed/old.xml"), as: "planned.xml")
        let (o, d) = Self.keep(try ABIFixture.load("mf-seed/new.xml"), planned)
        let p = try #require(o.planned)
        let vda = try #require(p.devices.firstIndex { $0.alias == "virtio-disk0" })
        #expect(p.placements[vda]?.multifunction == .on)
        #expect(p.placements[vda]?.provenance.kind == "kept")
        let out = String(decoding: XMLWriter.render(p), as: UTF8.self)
        #expect(out.contains("slot='0x04' function='0x0' multifunction='on'"))
        let diff = try #require(d)
        #expect(!diff.hasBreaking)
        #expect(diff.changes.map(\.kind) == [.removed])
    }

    @Test("after a removal the hole stays; a genuinely new device may take it (a displaced warning)")
    func holeStays() throws {
        let (p, diff) = try Self.keepFixture("hole-refill/new.xml", "hole-refill/old.xml")
        #expect(Self.address(p, "virtio-disk1") == PCIAddress(bus: 0, slot: 5))
        #expect(Self.address(p, "virtio-disk2") == PCIAddress(bus: 0, slot: 6))
        #expect(Self.address(p, "balloon0") == PCIAddress(bus: 0, slot: 7))
        #expect(diff.changes.map(\.kind) == [.removed])
        let (p2, diff2) = try Self.keepFixture("hole-refill/new-nic.xml", "hole-refill/old.xml")
        #expect(Self.address(p2, "net1") == PCIAddress(bus: 0, slot: 4))
        #expect(diff2.changes.map(\.kind) == [.removed, .added, .displaced])
    }

    @Test("on q35 every root port stays and the legacy NIC gets a pcie-to-pci-bridge of its own")
    func q35Legacy() throws {
        let (p, diff) = try Self.keepFixture("q35-legacy-nic/new.xml", "q35-legacy-nic/old.xml")
        #expect(!diff.hasBreaking, "\(DiffRenderer.text(diff))")
        #expect(Self.address(p, "net0") == PCIAddress(bus: 1, slot: 0))
        #expect(Self.address(p, "virtio-disk0") == PCIAddress(bus: 3, slot: 0))
        let net1 = try #require(Self.address(p, "net1"))
        let bridge = try #require(p.normalized.pciController(index: net1.bus))
        #expect(p.devices[bridge].controller?.pciModel == .pcieToPCIBridge)
        // Controllers libvirt added to OLD come back as added devices with their old address.
        let carried = p.devices.indices.filter { p.devices[$0].keptReason != nil && p.devices[$0].element == nil && p.devices[$0].isPCIController }
        #expect(carried.count == 5)
        #expect(p.steps.contains { $0.hasPrefix("added controller pci 5 (pcie-root-port): kept from 'q35-legacy-nic/old.xml', where libvirt added it") })
    }

    @Test("libvirt 9.0 accepts the kept q35 layout unchanged (recorded)")
    func q35LegacyMatchesLibvirt() throws {
        // keep.xml is `pciplan plan new.xml --keep old.xml`; keep.libvirt.xml is what libvirt stored for it.
        let (p, _) = try Self.keepFixture("q35-legacy-nic/new.xml", "q35-legacy-nic/old.xml")
        let recorded = try ABIFixture.load("q35-legacy-nic/keep.xml")
        #expect(XMLWriter.render(p) == recorded.bytes, "regenerate keep.xml and keep.libvirt.xml (Fixtures/abi/README.md)")
        #expect(try ABIFixture.libvirtDifferences("q35-legacy-nic/keep.xml") == [])
    }

    @Test("PCI controller options OLD had (chassis, port) are carried over when NEW leaves them open")
    func controllerOptions() throws {
        let (p, diff) = try Self.keepFixture("controller-target/old.xml", "controller-target/new-chassis.xml")
        let rp = try #require(p.normalized.pciController(index: 1))
        #expect(p.controllerInfo(rp)?.chassis == 5)
        #expect(p.controllerInfo(rp)?.port == 0x1f)
        #expect(diff.changes.isEmpty, "\(DiffRenderer.text(diff))")
    }

    @Test("a kept address NEW gives to another device explicitly cannot be kept")
    func explicitConflict() throws {
        #expect(try ABIFixture.libvirtDifferences("cannot-keep/old.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("cannot-keep/new-conflict.xml") == [], "NEW alone is valid")
        let (o, _) = Self.keep(try ABIFixture.load("cannot-keep/new-conflict.xml"), try ABIFixture.load("cannot-keep/old.xml"))
        #expect(o.planned == nil)
        let e = try #require(o.diagnostics.first { $0.id == .planKeep && $0.severity == .error })
        #expect(e.message == "disk 'vdb' (virtio-disk1) cannot keep 0000:00:03.0 from 'cannot-keep/old.xml': 'cannot-keep/new-conflict.xml' puts interface 52:54:00:00:00:51 there explicitly")
        #expect(e.range?.file == "cannot-keep/new-conflict.xml")
        #expect(e.notes.contains { $0.range?.file == "cannot-keep/old.xml" })
    }

    @Test("a bus NEW gives to another controller model is gone for the devices on it")
    func busGone() throws {
        #expect(try ABIFixture.libvirtDifferences("cannot-keep/old-bridge.xml") == [])
        #expect(try ABIFixture.libvirtDifferences("cannot-keep/new-bus-gone.xml") == [], "NEW alone is valid")
        let (o, _) = Self.keep(try ABIFixture.load("cannot-keep/new-bus-gone.xml"), try ABIFixture.load("cannot-keep/old-bridge.xml"))
        #expect(o.planned == nil)
        #expect(o.diagnostics.contains { $0.severity == .warning && $0.message.hasPrefix("pci-bridge 'pci.1' is replaced by a pci-expander-bus controller") })
        let e = try #require(o.diagnostics.first { $0.id == .planKeep && $0.severity == .error })
        #expect(e.message == "bus 1 is gone: 'cannot-keep/old-bridge.xml' has pci-bridge 'pci.1' there, but 'cannot-keep/new-bus-gone.xml' makes index 1 a pci-expander-bus, so disk 'vdb' (virtio-disk1) cannot keep its place")
    }

    @Test("a machine change keeps nothing")
    func machineChange() throws {
        #expect(try ABIFixture.libvirtDifferences("cannot-keep/new-q35.xml") == [], "NEW alone is valid")
        let (o, _) = Self.keep(try ABIFixture.load("cannot-keep/new-q35.xml"), try ABIFixture.load("cannot-keep/old.xml"))
        #expect(o.planned == nil)
        #expect(o.diagnostics.contains { $0.message.hasPrefix("'cannot-keep/new-q35.xml' changes the machine from pc to q35") })
    }

    @Test("a multifunction bit that NEW's explicit function 1 would flip is refused")
    func multifunctionFlip() throws {
        func domain(_ name: String, _ devices: String) -> SourceFile {
            SourceFile(name: name, text: "<domain type='qemu'><name>m</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>\(devices)</devices></domain>")
        }
        let old = domain("old.xml", "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>")
        let new = domain("new.xml", "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>"
            + "<disk type='file' device='disk'><target dev='vdb' bus='virtio'/><address type='pci' bus='0' slot='2' function='1'/></disk>")
        let (o, _) = Self.keep(new, old)
        #expect(o.planned == nil)
        #expect(o.diagnostics.contains { $0.message == "disk 'vda' (virtio-disk0) cannot keep its multifunction bit at 0000:00:02.0: 'new.xml' puts disk 'vdb' at 0000:00:02.1 in its slot, so libvirt derives multifunction='on'" })
    }

    /// Every golden input with one device removed, and with a device added.
    static var mutations: [String] {
        let golden = ABIFixture.root.deletingLastPathComponent().appendingPathComponent("golden")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: golden.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: golden.appendingPathComponent("\($0)/expected.xml").path) }
        return names.sorted()
    }

    @Test("property: diff OLD (plan NEW --keep OLD) reports no breaking change when devices are removed or added",
          arguments: mutations)
    func property(_ name: String) throws {
        let url = ABIFixture.root.deletingLastPathComponent().appendingPathComponent("golden/\(name)/input.xml")
        let old = SourceFile(name: "old.xml", bytes: [UInt8](try Data(contentsOf: url)))
        let root = try XMLReader.parse(old)
        let children = root.child("devices")?.children.filter { $0.name != "emulator" } ?? []
        // At most ten removals per case, spread over the device list, to keep the run short.
        let step = max(1, children.count / 10)
        var variants: [SourceFile] = stride(from: 0, to: children.count, by: step).map { children[$0] }.map { c in
            SourceFile(name: "new.xml", bytes: Array(old.bytes[..<c.range.lowerBound]) + Array(old.bytes[c.range.upperBound...]))
        }
        if let end = root.child("devices")?.endTag?.lowerBound {
            for extra in ["<disk type='file' device='disk'><target dev='vdzz' bus='virtio'/></disk>",
                          "<interface type='user'><mac address='52:54:00:ab:cd:ef'/><model type='e1000'/></interface>"] {
                variants.append(SourceFile(name: "new.xml", bytes: Array(old.bytes[..<end]) + Array(extra.utf8) + Array(old.bytes[end...])))
            }
        }
        for new in variants {
            // A stable plan exists unless NEW itself turns a device into another one (the second
            // video made primary, a new model of a controller with the same index, a PCI device
            // made PCIe).
            var intrinsic: Bool { Pipeline.diff(old: old, new: new).changes.contains { $0.kind == .connectKind || $0.kind == .deviceChanged || $0.kind == .controller } }
            let (o, d) = Self.keep(new, old)
            guard let d else {
                // Only a full topology may refuse a new device.
                let full = o.diagnostics.contains { $0.id == .planCannotAddController }
                let newFails = Pipeline.plan(new).planned == nil
                // Or no place after every kept bus takes the new bridge or port (a root port on
                // q35 after the dmi-to-pci-bridge at 00:1e), and libvirt's plan renames devices.
                let renames = o.diagnostics.contains { $0.id == .planKeep && $0.message.contains("cannot keep its guest address") }
                    && Pipeline.diff(old: old, new: new).changes.contains { $0.kind == .guestRenamed }
                #expect(full || intrinsic || newFails || renames, "\(name): --keep failed: \(DiagnosticPrinter(files: [new, old]).render(o.diagnostics))")
                continue
            }
            let placement = d.changes.filter { $0.severity == .breaking && $0.kind != .connectKind && $0.kind != .deviceChanged && $0.kind != .controller }
            #expect(placement.isEmpty, "\(name): \(DiffRenderer.text(d))")
            if d.hasBreaking && !intrinsic { Issue.record("\(name): \(DiffRenderer.text(d))") }
        }
    }

    @Test("SR-IOV: two VF NICs whose pool hands out each other's VFs keep their guest places by user alias")
    func vfPoolSwap() throws {
        func domain(_ name: String, _ nics: String) -> SourceFile {
            SourceFile(name: name, text: "<domain type='kvm'><name>m</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>\(nics)</devices></domain>")
        }
        func vf(_ alias: String, _ fn: Int, slot: Int?) -> String {
            "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0' bus='0x3b' slot='0x10' function='\(fn)'/></source>"
                + "<alias name='\(alias)'/>" + (slot.map { "<address type='pci' domain='0' bus='0' slot='\($0)' function='0'/>" } ?? "") + "</interface>"
        }
        let old = domain("old.xml", vf("ua-vf0", 0, slot: 5) + vf("ua-vf1", 2, slot: 6))
        // The next start: the pool gives ua-vf0 the VF ua-vf1 had, and the other way round.
        let new = domain("new.xml", vf("ua-vf0", 2, slot: nil) + vf("ua-vf1", 0, slot: nil))
        let (o, d) = Self.keep(new, old)
        let p = try #require(o.planned, "\(DiagnosticPrinter(files: [new, old]).render(o.diagnostics))")
        let at = { (alias: String) in p.devices.indices.first { DevicePairing.userAlias(p.devices[$0]) == alias }.flatMap { p.placements[$0]?.address } }
        #expect(at("ua-vf0") == PCIAddress(bus: 0, slot: 5))
        #expect(at("ua-vf1") == PCIAddress(bus: 0, slot: 6))
        let diff = try #require(d)
        #expect(!diff.hasBreaking, "\(DiffRenderer.text(diff))")
        #expect(diff.pairs.map(\.how).filter { $0.contains("vf") }.sorted() == ["user alias 'ua-vf0'", "user alias 'ua-vf1'"])
    }

    @Test("a default controller NEW leaves to libvirt keeps OLD's model and place (USB 0)")
    func defaultControllerKeepsModel() throws {
        let (p, diff) = try Self.keepFixture("keep-default-usb/new.xml", "keep-default-usb/old.xml")
        let usb = try #require(p.devices.indices.first { p.devices[$0].controller?.type == "usb" && p.devices[$0].controller?.index == 0 })
        #expect(p.devices[usb].controller?.model == "piix4-uhci")
        #expect(p.placements[usb]?.address == PCIAddress(bus: 0, slot: 2))
        #expect(diff.changes.filter { $0.severity == .breaking }.isEmpty)
        let recorded = try ABIFixture.load("keep-default-usb/keep.xml")
        #expect(XMLWriter.render(p) == recorded.bytes)
        #expect(try ABIFixture.libvirtDifferences("keep-default-usb/keep.xml") == [])
    }
}
