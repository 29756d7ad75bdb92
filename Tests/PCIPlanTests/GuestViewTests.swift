import Foundation
import Testing
@testable import PCIPlan

/// One booted guest of `Fixtures/guest/` (README there): a libvirt-stored domain, the domain
/// pciplan plans (the stored XML, or the input libvirt stored it from) and what the guest saw.
struct GuestRecording: Sendable, CustomTestStringConvertible {
    static let root = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures/guest")

    /// The case folder (`pc-bridges`, `pair-pc-add-bridge`).
    var folder: String
    /// `stored.xml`, `input.xml`, `old.stored.xml`, `old.xml`, …
    var xml: String
    /// `guest.json`, `guest-ovmf.json`, `old.guest.json`, …
    var guest: String

    var testDescription: String { "\(folder): \(xml) vs \(guest)" }

    /// Every planned file against every guest recording of it: each stored domain and the input
    /// libvirt stored it from (for pairs, old.xml; new.xml is an edit of old.stored.xml).
    static var all: [GuestRecording] {
        let fm = FileManager.default
        let folders = ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).filter {
            fm.fileExists(atPath: root.appendingPathComponent("\($0)/README.md").path) == false
                && (try? root.appendingPathComponent($0).resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
        }.sorted()
        var out: [GuestRecording] = []
        for f in folders {
            for stem in ["", "old.", "new."] {
                for g in ["guest.json", "guest-ovmf.json"] where fm.fileExists(atPath: root.appendingPathComponent("\(f)/\(stem)\(g)").path) {
                    let inputs = stem.isEmpty ? ["stored.xml", "input.xml"] : ["\(stem)stored.xml", "\(stem)xml"]
                    for x in inputs where fm.fileExists(atPath: root.appendingPathComponent("\(f)/\(x)").path) {
                        out.append(GuestRecording(folder: f, xml: x, guest: stem + g))
                    }
                }
            }
        }
        return out
    }

    func load(_ name: String) throws -> Data { try Data(contentsOf: Self.root.appendingPathComponent("\(folder)/\(name)")) }

    func planned() throws -> PlannedDomain {
        let f = SourceFile(name: xml, bytes: [UInt8](try load(xml)))
        let o = Pipeline.plan(f)
        return try #require(o.planned, "\(DiagnosticPrinter(files: [f]).render(o.diagnostics))")
    }

    func observed() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try load(guest)) as? [String: Any])
    }
}

/// The guest view pciplan computes against what booted Linux guests saw (SeaBIOS and OVMF):
/// every bus number, every function's address and class, every NIC's systemd names, every
/// disk's by-path names.
@Suite("the guest's view matches the booted guests")
struct GuestViewTests {
    /// Counts of compared items over all recordings, printed by the last test.
    static let recordings = GuestRecording.all

    @Test("the recordings are there (17 domains, 8 pairs, SeaBIOS and OVMF)")
    func recordingsPresent() {
        #expect(Set(Self.recordings.map(\.folder)).count == 25)
        #expect(Self.recordings.contains { $0.guest == "guest-ovmf.json" })
    }

    @Test("every bus, function, NIC name and disk path agrees with the booted guest", arguments: GuestRecording.all)
    func agrees(_ r: GuestRecording) throws {
        let plan = try r.planned()
        let view = GuestView(plan)
        let g = try r.observed()
        let result = GuestComparison(view: view, guest: g)
        #expect(result.problems.isEmpty, "\(r.testDescription):\n\(result.problems.joined(separator: "\n"))")
        #expect(result.functions > 0)
        if !view.overflows.isEmpty {
            // The firmware cannot number those buses: the guest lacks devices there.
            #expect(result.missingInOverflow > 0, "\(r.testDescription): every device of the overflowing range is visible")
        }
    }

    @Test("totals: every compared function agrees (printed)")
    func totals() throws {
        var functions = 0, buses = 0, nics = 0, disks = 0, problems = 0
        for r in Self.recordings {
            let c = GuestComparison(view: GuestView(try r.planned()), guest: try r.observed())
            functions += c.functions
            buses += c.buses
            nics += c.nics
            disks += c.disks
            problems += c.problems.count
        }
        print("guest view: \(Self.recordings.count) planned files × recordings, \(buses) buses, \(functions) functions, \(nics) NICs, \(disks) disks; \(problems) disagreements")
        #expect(problems == 0)
    }

    @Test("an expander range past bus 255 gets no numbers and a warning, in plan and check")
    func overflowWarning() throws {
        for folder in ["pc-expander-overflow", "q35-expander-overflow"] {
            let url = GuestRecording.root.appendingPathComponent("\(folder)/stored.xml")
            let f = SourceFile(name: "stored.xml", bytes: [UInt8](try Data(contentsOf: url)))
            let plan = Pipeline.plan(f)
            let p = try #require(plan.planned)
            let view = GuestView(p)
            let o = try #require(view.overflows.first)
            #expect(o.busNr == 254)
            #expect(o.needed == 256)
            for b in o.buses { #expect(view.busNumber(b) == nil) }
            #expect(plan.diagnostics.contains { $0.id == .guestBusOverflow && $0.severity == .warning })
            #expect(Pipeline.check(f).contains { $0.id == .guestBusOverflow })
        }
    }
}

/// Compares a `GuestView` with one guest-probe recording, the way
/// `Scripts/check-guest-numbering.py` does.
struct GuestComparison {
    var problems: [String] = []
    var functions = 0
    var buses = 0
    var nics = 0
    var disks = 0
    var missingInOverflow = 0

    init(view: GuestView, guest g: [String: Any]) {
        let plan = view.plan
        let pci = (g["pci"] as? [[String: Any]]) ?? []
        let byAddr = Dictionary(pci.compactMap { p in (p["addr"] as? String).map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        let overflowBuses = Set(view.overflows.flatMap(\.buses))
        // Buses: the secondary bus number the firmware wrote into each bridge, read at the
        // bridge's guest address; a pxb's internal bridge at busNr:00.0; a pxb-pcie's busNr.
        for i in plan.normalized.controllerOrder {
            guard let c = plan.controllerInfo(i), c.type == "pci", let idx = c.index, idx > 0, let m = c.pciModel,
                  !overflowBuses.contains(idx) else { continue }
            buses += 1
            let seen: Int?
            switch m {
            case .pciExpanderBus:
                seen = c.busNr.flatMap { byAddr["0000:\(hex($0, 2)):00.0"]?["secondary"] as? Int }
            case .pcieExpanderBus:
                seen = c.busNr.flatMap { n in pci.contains { $0["bus"] as? Int == n } ? n : nil }
            default:
                seen = view.address(of: i).flatMap { byAddr[$0.description]?["secondary"] as? Int }
            }
            if seen == nil || seen != view.busNumber(idx) {
                problems.append("bus pci.\(idx) (\(m.rawValue)): pciplan \(view.busNumber(idx).map(String.init) ?? "none"), guest \(seen.map(String.init) ?? "none")")
            }
        }
        // Functions: a function of the device's class at its guest address; guest-probe's alias
        // where it attached one (it cannot below a pxb or past an overflow).
        var aliasAt: [String: String] = [:]
        for p in pci { if let q = p["qdev_id"] as? String, let a = p["addr"] as? String { aliasAt[q] = a } }
        for i in plan.devices.indices {
            guard let la = plan.placements[i]?.address else { continue }
            if overflowBuses.contains(la.bus) {
                if view.address(of: i) != nil { problems.append("\(plan.devices[i].name): an address on an overflowing bus") }
                if byAddr.isEmpty || !Self.visible(plan, i, la, byAddr, g) { missingInOverflow += 1 }
                continue
            }
            guard let ga = view.address(of: i) else {
                problems.append("\(plan.devices[i].name): no guest address")
                continue
            }
            functions += 1
            guard let f = byAddr[ga.description] else {
                problems.append("\(plan.devices[i].name): nothing at \(ga) in the guest")
                continue
            }
            let cls = (f["class"] as? String) ?? ""
            if let want = Self.classPrefix(plan.devices[i]), !cls.hasPrefix(want) {
                problems.append("\(plan.devices[i].name) at \(ga): class \(cls), expected \(want)…")
            }
            if view.overflows.isEmpty, let alias = plan.devices[i].alias, let seen = aliasAt[alias], seen != ga.description,
               !Self.probeCannotAlias(plan, la) {
                problems.append("\(plan.devices[i].name) (\(alias)): pciplan \(ga), guest-probe \(seen)")
            }
        }
        // NICs, by MAC.
        for n in (g["net"] as? [[String: Any]]) ?? [] {
            guard let mac = (n["mac"] as? String)?.lowercased(),
                  let i = plan.devices.indices.first(where: { GuestView.mac(of: plan.devices[$0]) == mac }) else {
                problems.append("NIC \(n["mac"] ?? "?") is not in the plan")
                continue
            }
            nics += 1
            let names = view.nicNames(i)
            func check(_ what: String, _ ours: String?, _ key: String) {
                let theirs = n[key] as? String
                if ours != theirs { problems.append("NIC \(mac) \(what): pciplan \(ours ?? "none"), guest \(theirs ?? "none")") }
            }
            check("address", view.address(of: i)?.description, "pci")
            check("path", names?.path, "ID_NET_NAME_PATH")
            check("slot", names?.slot, "ID_NET_NAME_SLOT")
            check("mac", names?.mac, "ID_NET_NAME_MAC")
            check("onboard", names?.onboard, "ID_NET_NAME_ONBOARD")
            check("policy", names?.policy, "name_policy")
        }
        // Disks: the by-path names of all disks, as multisets (the guest's vdX/sdX names follow
        // discovery order, not libvirt's targets).
        // A plain guest-probe run (not the recording script) has no by_path_links: then the
        // prefixes are compared.
        let guestDisks = (g["disks"] as? [[String: Any]]) ?? []
        let full = guestDisks.contains { $0["by_path_links"] != nil }
        var ours: [String] = [], theirs: [String] = []
        for i in plan.devices.indices where plan.devices[i].kind == .disk {
            guard let p = view.diskPaths(i) else { continue }
            ours += full ? p.links : [p.prefix]
        }
        for d in guestDisks {
            let links = (d["by_path_links"] as? [String]) ?? []
            theirs += full ? links : [(d["by_path"] as? String) ?? "none"]
            disks += 1
            if let bp = d["by_path"] as? String, let first = links.first, !first.hasPrefix(bp) {
                problems.append("disk \(d["name"] ?? "?"): by_path \(bp) is not the prefix of \(first)")
            }
        }
        if ours.sorted() != theirs.sorted() {
            problems.append("by-path: pciplan \(ours.sorted()), guest \(theirs.sorted())")
        }
    }

    /// The class (hex prefix) the guest must show for a device, where pciplan's model knows it.
    static func classPrefix(_ d: Device) -> String? {
        switch d.kind {
        case .interface: return "0x02"
        case .disk: return "0x01"
        case .memballoon: return "0x00ff"
        case .controller:
            switch d.controller?.type {
            case "pci":
                switch d.controller?.pciModel {
                case .pciExpanderBus?, .pcieExpanderBus?: return "0x0600"
                case .pciRoot?, .pcieRoot?, nil: return nil
                default: return "0x0604"
                }
            case "usb": return "0x0c03"
            case "scsi", "sata", "ide": return "0x01"
            default: return nil
            }
        default: return nil
        }
    }

    /// guest-probe's `qdev_bus_numbers` takes busNr as a pxb's bus (one too low), so it attaches
    /// no or wrong aliases below a pci-expander-bus (README, "Known guest-probe quirk").
    static func probeCannotAlias(_ plan: PlannedDomain, _ a: PCIAddress) -> Bool {
        var b = a.bus
        var seen: Set<Int> = []
        while b != 0, !seen.contains(b), let c = plan.normalized.pciController(index: b) {
            seen.insert(b)
            if plan.devices[c].controller?.pciModel == .pciExpanderBus { return true }
            guard let up = plan.placements[c]?.address.bus else { return false }
            b = up
        }
        return false
    }

    /// Whether the guest shows device `i` of an overflowing range at all: a NIC as an interface,
    /// a disk as a disk, anything else as a function of its class anywhere on a bus ≥ busNr.
    static func visible(_ plan: PlannedDomain, _ i: Int, _ a: PCIAddress, _ byAddr: [String: [String: Any]], _ g: [String: Any]) -> Bool {
        let d = plan.devices[i]
        if d.kind == .interface, let mac = GuestView.mac(of: d) {
            return ((g["net"] as? [[String: Any]]) ?? []).contains { ($0["mac"] as? String)?.lowercased() == mac }
        }
        if d.kind == .disk { return !(((g["disks"] as? [[String: Any]]) ?? []).isEmpty) }
        guard let want = classPrefix(d) else { return true }
        return byAddr.values.contains { ($0["bus"] as? Int ?? 0) >= 254 && (($0["class"] as? String) ?? "").hasPrefix(want) }
    }
}

/// `pciplan plan X --format json`, end to end, against the booted guests: the fields the guest
/// view adds are what the guests showed.
@Suite("plan --format json carries the guest's view")
struct GuestJSONTests {
    /// One planned file per recording (the stored XML; the inputs plan to the same addresses).
    static let recordings = GuestRecording.all.filter { $0.xml.hasSuffix("stored.xml") }

    @Test("guestBus, guestAddress, mac and guestNames agree with the booted guest", arguments: recordings)
    func json(_ r: GuestRecording) throws {
        let run = try PCIPlanBinary.run(["plan", r.xml, "--format", "json"], in: GuestRecording.root.appendingPathComponent(r.folder))
        #expect(run.status == 0, "\(run.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let devices = try #require(out["devices"] as? [[String: Any]])
        let g = try r.observed()
        let pci = (g["pci"] as? [[String: Any]]) ?? []
        let byAddr = Dictionary(pci.compactMap { p in (p["addr"] as? String).map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        for d in devices {
            guard let c = d["controller"] as? [String: Any], c["type"] as? String == "pci" else { continue }
            #expect(c.keys.contains("guestBus"), "\(d["name"] ?? "?") has no guestBus")
            // A bridge's guest bus is the secondary bus number the firmware wrote into it.
            if let bus = c["guestBus"] as? Int, let at = d["guestAddress"] as? String, let model = c["model"] as? String,
               !model.hasSuffix("expander-bus") {
                #expect(byAddr[at]?["secondary"] as? Int == bus, "\(r.testDescription): \(d["name"] ?? "?") at \(at)")
            }
        }
        for d in devices where d["address"] is [String: Any] {
            #expect(d.keys.contains("guestAddress"), "\(d["name"] ?? "?") has no guestAddress")
        }
        for n in (g["net"] as? [[String: Any]]) ?? [] {
            let mac = (n["mac"] as? String)?.lowercased()
            let d = try #require(devices.first { $0["mac"] as? String == mac }, "\(r.testDescription): no device with mac \(mac ?? "?")")
            #expect(d["guestAddress"] as? String == n["pci"] as? String)
            let names = try #require(d["guestNames"] as? [String: Any])
            for (ours, theirs) in [("path", "ID_NET_NAME_PATH"), ("slot", "ID_NET_NAME_SLOT"), ("mac", "ID_NET_NAME_MAC"),
                                   ("onboard", "ID_NET_NAME_ONBOARD"), ("policy", "name_policy")] {
                #expect(names[ours] as? String == n[theirs] as? String, "\(r.testDescription): \(mac ?? "?") \(ours)")
            }
        }
    }
}

@Suite("explain and the tree say where the guest sees a device")
struct GuestExplainTests {
    static func file(_ folder: String) throws -> SourceFile {
        SourceFile(name: "stored.xml", bytes: [UInt8](try Data(contentsOf: GuestRecording.root.appendingPathComponent("\(folder)/stored.xml"))))
    }

    @Test("a NIC behind a pxb: the internal bridge, busNr + 1, and why it has no slot name")
    func pxb() throws {
        let o = Pipeline.explain(try Self.file("pc-expander"), device: "52:54:00:6e:03:01")
        let e = try #require(o.explanations?.first)
        #expect(e.guestAddress?.description == "0000:65:02.0")
        #expect(e.sentences.contains("The guest sees it at 0000:65:02.0: pci-expander-bus 'pci.1' is QEMU's pxb with busNr 100: it puts an internal pci-bridge at 0000:64:00.0, and libvirt's bus 1 is the bus behind that bridge, 101."))
        #expect(e.sentences.contains { $0.hasPrefix("systemd v252 names it enp101s2 (path), no slot name (nothing on or below a pci-expander-bus has hotplug slots)") })
    }

    @Test("a bridge's bus: the n-th bridge in the depth-first walk; an onboard name wins")
    func bridgeAndOnboard() throws {
        let o = Pipeline.explain(try Self.file("q35-dmi-bridge"), device: "pci.2")
        let e = try #require(o.explanations?.first)
        #expect(e.sentences.contains { $0.hasPrefix("The guest numbers the bus it provides 6: the firmware numbers libvirt's bus 2 (pci-bridge 'pci.2') 6, because it is the 6th bridge or port") })
        let a = Pipeline.explain(try Self.file("pc-acpi-index"))
        let texts = try #require(a.explanations).flatMap(\.sentences)
        #expect(texts.contains { $0.contains("eno7 (onboard, from <acpi index>)") && $0.hasSuffix("picks eno7.") })
    }

    @Test("the tree shows guest bus numbers and guest addresses")
    func tree() throws {
        let p = try #require(Pipeline.plan(try Self.file("q35-switch")).planned)
        let t = TreeRenderer.render(p)
        #expect(t.contains("├─ 10.0 pcie-root-port index=1 chassis=1 port=0x80 → bus 1 (guest bus 4) [explicit]"))
        #expect(t.contains("00.0 interface 52:54:00:6e:07:01 (net0) [explicit] → guest 0000:06:00.0 enp6s0"))
    }
}
