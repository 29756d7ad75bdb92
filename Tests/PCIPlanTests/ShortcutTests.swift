import Foundation
@testable import PCIPlan
@testable import PCIPlanOutput
@testable import PCIPlanModel
@testable import PCIPlanPlanner
import Testing

/// The fast paths the speed work added give exactly the answers of the slow ones they replace.
@Suite("shortcuts agree with the slow paths")
struct ShortcutTests {
    @Test("ControllerModel(libvirtName:) is init(rawValue:)")
    func controllerModelNames() {
        for m in ControllerModel.allCases {
            #expect(ControllerModel(libvirtName: m.rawValue) == m)
        }
        // Same lengths as real names, and near misses.
        for name in ["pci-rooX", "pcie-roox", "pci-bridgE", "xmi-to-pci-bridge", "pcie-expander-buz", "pcie-root-por",
                     "", "pci", "PCI-ROOT", "pcie-switch-upstream-porT", "pcie-switch-downstream-porX"] {
            #expect(ControllerModel(libvirtName: name) == nil, "\(name)")
            #expect(ControllerModel(rawValue: name) == nil, "\(name)")
        }
    }

    @Test("ByteText writes numbers as String(_:radix:) does", arguments: [0, 1, 9, 10, 15, 16, 255, 256, 4095, 65_536, Int(UInt32.max), Int.max, -1, -255, Int.min])
    func byteTextNumbers(_ n: Int) {
        var t = ByteText()
        t.append(decimal: n)
        #expect(t.string == String(n))
        for width in [1, 2, 4] {
            var h = ByteText()
            h.append(hex: n, width: width)
            let plain = String(n.magnitude, radix: 16)
            let padded = String(repeating: "0", count: max(0, width - plain.count)) + plain
            #expect(h.string == (n < 0 ? "-" : "") + padded)
        }
        #expect(PCIAddress(domain: 0, bus: 1, slot: 0x1f, function: 7).xml(multifunction: .on)
                == "<address type='pci' domain='0x0000' bus='0x01' slot='0x1f' function='0x7' multifunction='on'/>")
    }

    /// `SourceFile` finds line feeds eight bytes at a time and indentation by looking back: both
    /// agree with a byte-by-byte count at every offset (lines of 0–20 bytes, CR LF, a file that
    /// does or does not end in a line feed, one shorter than a word).
    @Test("line and column, and a line's indentation, at every offset", arguments: [
        "", "x", "\n", "a\nb", "  <a>\n\t<b/>\r\n\n   </a>\n", String(repeating: "\n", count: 19),
        (0..<40).map { String(repeating: $0 % 3 == 0 ? " " : "y", count: $0 % 21) }.joined(separator: "\n"),
    ])
    func lineColumnAtEveryOffset(_ text: String) {
        let file = SourceFile(name: "t.xml", text: text)
        let bytes = Array(text.utf8)
        var line = 1, lineStart = 0
        for offset in 0...bytes.count {
            if offset > 0, bytes[offset - 1] == 0x0A {
                line += 1
                lineStart = offset
            }
            let (l, c) = file.lineColumn(of: offset)
            #expect(l == line && c == offset - lineStart + 1, "offset \(offset)")
            let indent = bytes[lineStart...].prefix { $0 == 0x20 || $0 == 0x09 }
            #expect(file.indentation(ofLineContaining: offset) == String(decoding: indent, as: UTF8.self), "offset \(offset)")
        }
    }

    /// `PCIAddress.appendXML` writes the usual address from a stack buffer and anything else
    /// piece by piece: both ways write what libvirt writes, at and beyond the fast path's edges.
    @Test("an address's XML is libvirt's, on both sides of the writer's fast path", arguments: [
        (0, 0, 0, 0), (0, 0xff, 0x1f, 7), (0xffff, 0x10, 0x0a, 9), (0x10000, 1, 2, 3), (0, 0x100, 0, 0),
        (0, 0, 0x100, 0), (0, 0, 0, 10), (0, -1, 0, 0), (0, 0, -2, 0), (0, 0, 0, -3),
    ])
    func addressXML(_ a: (Int, Int, Int, Int)) {
        func hex(_ v: Int, _ width: Int) -> String {
            let digits = String(v.magnitude, radix: 16)
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let address = PCIAddress(domain: UInt32(a.0), bus: a.1, slot: a.2, function: a.3)
        for (multi, tail) in [(Tristate.absent, ""), (.on, " multifunction='on'"), (.off, " multifunction='off'")] {
            var text = ByteText(capacity: 8)
            text.append("<!-- before -->")
            address.appendXML(multifunction: multi, to: &text)
            #expect(text.string == "<!-- before --><address type='pci' domain='0x\(hex(a.0, 4))' bus='0x\(hex(a.1, 2))' slot='0x\(hex(a.2, 2))' function='0x\(a.3)'\(tail)/>")
        }
    }

    /// `guest.nextControllerRenumbers` skips its dry run when the next controller surely comes
    /// after every bridge of the root bus: on every domain of the corpus where it does, the dry
    /// run finds nothing, and the skip happens often enough to matter.
    @Test("the next controller's dry run is skipped only where it would find nothing",
          .enabled(if: ConformanceCheckTests.available, "../shared/conformance is not beside the checkout"))
    func nextControllerShortcut() throws {
        var skipped = 0, needed = 0, renumbering = 0
        for c in ConformanceCheckTests.cases() where c.accepted {
            let bytes = try [UInt8](Data(contentsOf: c.input))
            guard let plan = Pipeline.plan(SourceFile(name: c.name, bytes: bytes)).planned else { continue }
            let view = GuestView(plan)
            guard view.busNumbers.keys.contains(where: { $0 != 0 }) else { continue }
            let model = plan.family.descriptor.nextBusController
            let found = GuestDiagnostics.dryRunRenumbering(plan, model: model, before: view, options: PlanOptions())
            if GuestDiagnostics.nextControllerComesLast(plan, model: model) {
                skipped += 1
                #expect(found.isEmpty, "\(c.name): skipped, but the dry run renumbers")
            } else {
                needed += 1
                if !found.isEmpty { renumbering += 1 }
            }
        }
        #expect(skipped > 100, "skipped \(skipped), dry run \(needed) (\(renumbering) renumbering)")
        #expect(renumbering > 0)
    }

    /// `check`'s "no free hot-pluggable port" warning skips counting the headroom when a port
    /// is empty: wherever it does, the count finds PCI Express headroom; and where the count
    /// finds none, no port is empty.
    @Test("an empty hot-pluggable port means PCI Express headroom",
          .enabled(if: ConformanceCheckTests.available, "../shared/conformance is not beside the checkout"))
    func emptyPortShortcut() throws {
        var skipped = 0, counted = 0
        for c in ConformanceCheckTests.cases() where c.accepted {
            let bytes = try [UInt8](Data(contentsOf: c.input))
            guard let plan = Pipeline.plan(SourceFile(name: c.name, bytes: bytes)).planned, plan.family.descriptor.pciExpress else { continue }
            let headroom = Planner.headroom(plan).pcieHotplug
            if Checker.hasEmptyHotplugPort(plan) {
                skipped += 1
                #expect(headroom > 0, "\(c.name): an empty port, yet no headroom")
            } else {
                counted += 1
            }
        }
        #expect(skipped > 100 && counted > 10, "skipped \(skipped), counted \(counted)")
    }

    /// `check`'s guest diagnostics skip building the guest view where none can arise: on every
    /// domain of the corpus they say exactly what the whole computation says.
    @Test("check's guest diagnostics equal the whole computation's",
          .enabled(if: ConformanceCheckTests.available, "../shared/conformance is not beside the checkout"))
    func guestDiagnosticsShortcut() throws {
        var found = 0
        for c in ConformanceCheckTests.cases() where c.accepted {
            let bytes = try [UInt8](Data(contentsOf: c.input))
            guard let plan = Pipeline.plan(SourceFile(name: c.name, bytes: bytes)).planned else { continue }
            let view = GuestView(plan)
            let whole = GuestDiagnostics.afterPlan(plan, view: view)
                + GuestDiagnostics.nextController(plan, before: view, options: PlanOptions())
            let fast = GuestDiagnostics.forCheck(plan, options: PlanOptions())
            #expect(fast.map(\.message) == whole.map(\.message), "\(c.name)")
            found += whole.count
        }
        #expect(found > 10)
    }

    /// `PlanOptions.explanations` off (check, XML output) changes no address, controller,
    /// alias or finding — only the sentences go: on every domain of the corpus, accepted or not.
    @Test("the planner without explanations plans and finds the same",
          .enabled(if: ConformanceCheckTests.available, "../shared/conformance is not beside the checkout"))
    func plannerWithoutExplanations() throws {
        var planned = 0, refused = 0, added = 0
        var quiet = PlanOptions()
        quiet.explanations = false
        for c in ConformanceCheckTests.cases() {
            let bytes = try [UInt8](Data(contentsOf: c.input))
            guard let n = Pipeline.load(SourceFile(name: c.name, bytes: bytes)).normalized else { continue }
            let (full, fullDiags) = Planner.plan(n)
            let (fast, fastDiags) = Planner.plan(n, options: quiet)
            #expect(fastDiags == fullDiags, "\(c.name)")
            guard let full else {
                refused += 1
                #expect(fast == nil, "\(c.name): refused only with explanations")
                continue
            }
            guard let fast else { Issue.record("\(c.name): refused only without explanations"); continue }
            planned += 1
            #expect(fast.devices.map(\.name) == full.devices.map(\.name), "\(c.name)")
            #expect(fast.devices.map(\.alias) == full.devices.map(\.alias), "\(c.name)")
            #expect(fast.normalized.controllerOrder == full.normalized.controllerOrder, "\(c.name)")
            #expect(fast.placements.mapValues(\.address) == full.placements.mapValues(\.address), "\(c.name)")
            #expect(fast.placements.mapValues(\.multifunction) == full.placements.mapValues(\.multifunction), "\(c.name)")
            #expect(XMLWriter.render(fast) == XMLWriter.render(full), "\(c.name)")
            // (a plan that finds something is made again with the sentences)
            if fastDiags.isEmpty { #expect(fast.steps.isEmpty, "\(c.name)") }
            if full.devices.contains(where: { if case .added = $0.origin { true } else { false } }) {
                added += 1
                #expect(!full.steps.isEmpty, "\(c.name)")
            }
        }
        #expect(planned > 300 && refused > 20 && added > 100, "planned \(planned), refused \(refused), with added controllers \(added)")
    }

    /// NIC models are matched as libvirt's STRCASEEQ does: ASCII letters in any case (the exact
    /// spelling is looked up first). The stored spelling is the golden fix-q35-nic-model-case.
    /// `check`, and `plan` with `PlanOptions.aliases` off, name devices only when they find
    /// something: on every domain of the corpus they find, word and write exactly what they do
    /// with every device named from the start.
    @Test("naming devices only when something is found changes no finding and no byte",
          .enabled(if: ConformanceCheckTests.available, "../shared/conformance is not beside the checkout"))
    func namesOnlyWhenFound() throws {
        var clean = 0, found = 0
        var unnamed = PlanOptions()
        unnamed.explanations = false
        unnamed.aliases = false
        var named = unnamed
        named.aliases = true
        for c in ConformanceCheckTests.cases() {
            let file = SourceFile(name: c.name, bytes: try [UInt8](Data(contentsOf: c.input)))
            let fast = Pipeline.plan(file, options: unnamed)
            let full = Pipeline.plan(file, options: named)
            #expect(fast.diagnostics == full.diagnostics, "\(c.name)")
            #expect(fast.planned.map(XMLWriter.render) == full.planned.map(XMLWriter.render), "\(c.name)")
            // The check with names from the start, as `check` was before.
            let (read, reading) = Pipeline.read(file)
            let reference = read.map { def in
                let (n, more) = Define.normalize(def)
                return Pipeline.check(n, earlier: reading + more, options: PlanOptions())
            } ?? reading
            let checked = Pipeline.check(file)
            #expect(checked == reference, "\(c.name)")
            if checked.isEmpty { clean += 1 } else { found += 1 }
        }
        #expect(clean > 200 && found > 200, "clean \(clean), with findings \(found)")
    }

    @Test("NIC models match case-insensitively in ASCII only")
    func netModelCase() {
        #expect(canonicalNetModel("virtio") == "virtio")
        #expect(canonicalNetModel("ViRtIo") == "virtio")
        #expect(canonicalNetModel("E1000E") == "e1000e")
        #expect(canonicalNetModel("am79c973") == "Am79C973")
        #expect(canonicalNetModel("virtio-foo") == "virtio-foo")
    }

    /// `virDiskNameToIndex` by bytes (ASCII names) gives what the walk by Character gives,
    /// written out here on its own: letters after the prefix in base 26, 32-bit wrapping.
    @Test("disk names to drive indexes by bytes", arguments: [
        "vda", "vdz", "vdaa", "vdba", "sdzz", "hdb", "fda", "xvdc", "ubdd", "vd", "vd1", "vdb1c", "sdamultifunata",
        "vdé", "vdaé", "qda", "", "v",
    ])
    func diskNameIndex(name: String) {
        var expected: Int32 = 0
        if let p = ["fd", "hd", "vd", "sd", "xvd", "ubd"].first(where: { name.hasPrefix($0) }) {
            for (i, ch) in name.dropFirst(p.count).enumerated() {
                guard let a = ch.asciiValue, a >= 97, a <= 122 else { break }
                expected = (expected &+ (i == 0 ? 0 : 1)) &* 26 &+ Int32(a - 97)
            }
        }
        #expect(Aliases.diskNameToIndex(name) == Int(expected))
        if name == "vdaa" { #expect(expected == 26) }
        if name == "vdba" { #expect(expected == 52) }
    }

    /// Aliases written in one go spell what concatenation and `String(n)` spell, on both sides
    /// of the 15-byte small-string limit and for libvirt's negative (wrapped) disk indexes.
    @Test("numbered aliases as concatenation spells them", arguments: [
        ("virtio", "-disk", 0), ("virtio", "-disk", 12), ("sata", "-disk", -7), ("net", "", 1_000_000),
        ("a-rather-long-bus-name", "-disk", 42), ("hostdev", "", Int.max), ("vd", "", Int.min + 1), ("", "", 5),
        ("vidéo", "", 3),
    ] as [(String, String, Int)])
    func numberedAlias(prefix: String, infix: String, n: Int) {
        let built: String = switch infix {
        case "-disk": Aliases.numbered(prefix, "-disk", n)
        default: Aliases.numbered(prefix, "", n)
        }
        #expect(built == prefix + infix + String(n))
        #expect(built.utf8.count == prefix.utf8.count + infix.utf8.count + String(n).utf8.count)
    }
}
