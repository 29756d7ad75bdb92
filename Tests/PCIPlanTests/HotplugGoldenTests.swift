import Foundation
import Testing

/// `attach` and `detach` against what the real libvirt 9.0 (with QEMU 7.2) did for the same
/// domain and device (`Fixtures/attach`, `Fixtures/detach`, recorded by
/// `Scripts/record-attach-goldens` and `Scripts/record-detach`; see their READMEs). The binary
/// runs end to end on `before.xml`, the XML libvirt attached to (the live XML for `--live`).
@Suite("attach and detach agree with the recorded libvirt 9.0")
struct HotplugGoldenTests {
    static let fixtures = PCIPlanBinary.packageRoot.appendingPathComponent("Tests/PCIPlanTests/Fixtures")

    static func cases(_ kind: String) -> [String] {
        let dir = fixtures.appendingPathComponent(kind)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent("\($0)/before.xml").path) }
            .sorted()
    }

    static func read(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    /// Every `<address type='pci' …/>` of a text, blanks folded, in order.
    static func pciAddresses(_ xml: String) -> [String] {
        var out: [String] = []
        var rest = Substring(xml)
        while let r = rest.range(of: "<address type='pci'") {
            let end = rest[r.lowerBound...].firstIndex(of: ">") ?? rest.endIndex
            out.append(rest[r.lowerBound..<end].split(whereSeparator: \.isWhitespace).joined(separator: " "))
            rest = rest[end...]
        }
        return out
    }

    /// libvirt's message without virsh's `error:` prefixes and its error class
    /// (`internal error:`, `XML error:`, `Operation not supported:` …).
    static func libvirtMessage(_ err: String) -> String {
        let last = err.split(separator: "\n").last.map(String.init) ?? err
        var m = last.hasPrefix("error: ") ? String(last.dropFirst(7)) : last
        for prefix in ["internal error: ", "XML error: ", "Operation not supported: ", "operation failed: ",
                       "unsupported configuration: ", "Requested operation is not valid: ", "device not found: "]
        where m.hasPrefix(prefix) {
            m = String(m.dropFirst(prefix.count))
        }
        return m
    }

    @Test("there are recorded attach and detach cases")
    func casesExist() {
        #expect(Self.cases("attach").count >= 50)
        #expect(Self.cases("detach").count >= 10)
    }

    @Test("attach puts the device where libvirt does, or refuses with libvirt's message", arguments: cases("attach"))
    func attach(_ name: String) throws {
        let dir = Self.fixtures.appendingPathComponent("attach/\(name)")
        let mode = (Self.read(dir.appendingPathComponent("mode")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try PCIPlanBinary.run(["attach", "before.xml", "device.xml", "--\(mode)", "--format", "device"], in: dir)
        #expect(!r.crashed)
        if let expected = Self.read(dir.appendingPathComponent("expected-device.xml")) {
            #expect(r.status == 0, "\(name): libvirt attached it; pciplan said:\n\(r.stderr)")
            #expect(Self.pciAddresses(r.stdout) == Self.pciAddresses(expected), "\(name): libvirt stored \(Self.pciAddresses(expected))")
        } else if let err = Self.read(dir.appendingPathComponent("expected.err")) {
            #expect(r.status == 1, "\(name): libvirt refused (\(Self.libvirtMessage(err))); pciplan exited \(r.status)\n\(r.stdout)")
            #expect(r.stderr.contains(Self.libvirtMessage(err)), "\(name): libvirt said \(Self.libvirtMessage(err)); pciplan said:\n\(r.stderr)")
        }
    }

    /// The device a detach case names: its alias, or the MAC, disk target or controller alias
    /// of its device element.
    static func deviceID(_ dir: URL) -> String? {
        if let alias = read(dir.appendingPathComponent("alias")) { return alias.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let device = read(dir.appendingPathComponent("device.xml")) else { return nil }
        func attribute(_ element: String, _ name: String) -> String? {
            guard let e = device.range(of: "<\(element) ") ?? device.range(of: "<\(element)>") else { return nil }
            let tail = device[e.lowerBound...]
            guard let a = tail.range(of: "\(name)='") else { return nil }
            return String(tail[a.upperBound...].prefix { $0 != "'" })
        }
        if let mac = attribute("mac", "address") { return mac }
        if let dev = attribute("target", "dev") { return dev }
        if device.hasPrefix("<controller"), let index = attribute("controller", "index") { return "pci.\(index)" }
        return nil
    }

    @Test("detach leaves what libvirt leaves, or refuses with libvirt's message", arguments: cases("detach"))
    func detach(_ name: String) throws {
        let dir = Self.fixtures.appendingPathComponent("detach/\(name)")
        let mode = (Self.read(dir.appendingPathComponent("mode")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let id = try #require(Self.deviceID(dir), "\(name): no alias file and no MAC, target or controller in device.xml")
        let r = try PCIPlanBinary.run(["detach", "before.xml", id, "--\(mode)"], in: dir)
        #expect(!r.crashed)
        if var after = Self.read(dir.appendingPathComponent("after.xml")).map(Self.pciAddresses) {
            #expect(r.status == 0, "\(name): libvirt detached it; pciplan said:\n\(r.stderr)")
            if mode == "live", let before = Self.read(dir.appendingPathComponent("before.xml")).map(Self.pciAddresses) {
                // The recording guest is paused, so it never acknowledges the unplug and the
                // live XML still lists the device: take out the one address pciplan removed.
                var gone = before
                for a in Self.pciAddresses(r.stdout) { if let i = gone.firstIndex(of: a) { gone.remove(at: i) } }
                #expect(gone.count <= 1, "\(name): pciplan removed more than one address: \(gone)")
                for a in gone { if let i = after.firstIndex(of: a) { after.remove(at: i) } }
            }
            #expect(Self.pciAddresses(r.stdout).sorted() == after.sorted(),
                    "\(name): the remaining PCI addresses (and multifunction bits) differ from libvirt's")
        } else if let err = Self.read(dir.appendingPathComponent("expected.err")) {
            let message = Self.libvirtMessage(err)
            #expect(r.status == 1, "\(name): libvirt refused (\(message)); pciplan exited \(r.status)")
            // "no device found …" is virsh matching a device element; pciplan names devices by id.
            if !message.hasPrefix("no device found") {
                #expect(r.stderr.contains(message), "\(name): libvirt said \(message); pciplan said:\n\(r.stderr)")
            }
        }
    }

    @Test("--hotplug-ports / --hotplug-slots give exactly what libvirt stores with the added controllers",
          arguments: ["spares-q35-ports4", "spares-q35-ports12", "spares-pc-slots40"])
    func spares(_ name: String) throws {
        let dir = Self.fixtures.appendingPathComponent("spares/\(name)")
        let args = (Self.read(dir.appendingPathComponent("args")) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        let withSpares = try PCIPlanBinary.run(["plan", "base.xml"] + args, in: dir)
        // The golden case of the same name holds base.xml with those controllers appended and
        // what libvirt stored for it (checked by GoldenPlanTests).
        let appended = try PCIPlanBinary.run(["plan", "../../golden/\(name)/input.xml"], in: dir)
        #expect(withSpares.status == 0 && appended.status == 0, "\(withSpares.stderr)\(appended.stderr)")
        #expect(withSpares.stdout == appended.stdout)
        let headroom = try PCIPlanBinary.run(["headroom", "--format", "json", "../../golden/\(name)/input.xml"], in: dir)
        let want = Int(args.last ?? "") ?? 0
        let key = args.first == "--hotplug-ports" ? "\"pcieHotplug\":" : "\"conventionalHotplug\":"
        let count = headroom.stdout.range(of: key).flatMap { r in Int(headroom.stdout[r.upperBound...].prefix { $0.isNumber || $0 == " " }.trimmingCharacters(in: .whitespaces)) }
        #expect((count ?? -1) >= want, "headroom says \(headroom.stdout)")
    }
}
