import Foundation
import Testing
@testable import PCIPlan
@testable import PCIPlanPlanner

/// The diagnostics catalogue (`DiagnosticID+Catalogue.swift`) against what is documented and
/// what is emitted: Docs/diagnostics.md's table is rendered from it, and every rule has a case
/// below that makes pciplan report it — an ID no code emits cannot get a passing case.
@Suite("diagnostics catalogue")
struct CatalogueTests {
    // MARK: documented

    static let doc = PCIPlanBinary.packageRoot.appendingPathComponent("Docs/diagnostics.md")
    static let begin = "<!-- BEGIN catalogue: rendered from Sources/PCIPlanSource/Source/DiagnosticID+Catalogue.swift by CatalogueTests; RECORD_GOLDEN=1 swift test rewrites it -->"
    static let end = "<!-- END catalogue -->"

    /// The table Docs/diagnostics.md must contain, one row per ID in catalogue order.
    static func table() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var rows = ["| ID | Severity | Stage | What it means | libvirt / QEMU say |", "|---|---|---|---|---|"]
        for id in DiagnosticID.allCases {
            let e = id.entry
            let severity = e.level.description + (e.otherwise.map { "; \($0.severity.rawValue) \($0.when)" } ?? "")
            let mirrors = e.mirrors.map { m -> String in
                switch m {
                case .libvirt(let t): "libvirt: `\(t)`"
                case .qemu(let t): "QEMU: `\(t)`"
                }
            }.joined(separator: "<br>")
            rows.append("| `\(id.rawValue)` | \(cell(severity)) | \(cell(e.stages)) | \(cell(e.summary)) | \(cell(mirrors)) |")
        }
        return rows.joined(separator: "\n")
    }

    @Test("Docs/diagnostics.md's table is the catalogue, row for row")
    func documented() throws {
        let text = try String(contentsOf: Self.doc, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "Docs/diagnostics.md lacks the line \(Self.begin)")
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex), "Docs/diagnostics.md lacks \(Self.end)")
        let documented = text[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let rendered = Self.table()
        guard documented != rendered else { return }
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            let updated = String(text[..<start.upperBound]) + "\n" + rendered + "\n" + String(text[stop.lowerBound...])
            try updated.write(to: Self.doc, atomically: true, encoding: .utf8)
            Issue.record("recorded the catalogue table into Docs/diagnostics.md: review it with git diff, then run again without RECORD_GOLDEN")
            return
        }
        Issue.record("""
            Docs/diagnostics.md's table differs from the catalogue (RECORD_GOLDEN=1 swift test --filter CatalogueTests rewrites it):
            \(LineDiff(Golden.lines(documented), Golden.lines(rendered)).unified(from: "Docs/diagnostics.md", to: "catalogue"))
            """)
    }

    @Test("every diff change kind is one rule of the catalogue, with its severity in Docs/abi.md")
    func diffKinds() throws {
        let ids = ABIChange.Kind.allCases.map(\.id)
        #expect(Set(ids) == Set(DiagnosticID.allCases.filter { $0.rawValue.hasPrefix("diff.") }))
        #expect(Set(ids).count == ids.count)
        let abi = try String(contentsOf: PCIPlanBinary.packageRoot.appendingPathComponent("Docs/abi.md"), encoding: .utf8)
        for k in ABIChange.Kind.allCases {
            #expect(ABIChange.Kind(rawValue: k.rawValue) == k)
            guard case .change(let s) = k.id.entry.level else {
                Issue.record("\(k.rawValue) has no change severity in the catalogue")
                continue
            }
            #expect(k.severity == s)
            #expect(abi.contains("| `\(k.rawValue)` | \(s.rawValue) |"), "\(k.rawValue) is not in Docs/abi.md's table as \(s.rawValue)")
        }
    }

    // MARK: emitted

    @Test("every rule of the catalogue has a case that emits it")
    func everyRuleHasACase() {
        let covered = Set(Self.cases.map(\.id))
        let missing = DiagnosticID.allCases.filter { !covered.contains($0) }.map(\.rawValue)
        #expect(missing.isEmpty, "no case emits: \(missing.joined(separator: ", ")) — emit them or remove them from the catalogue")
    }

    @Test("the rule is emitted at the marker, at its catalogued severity, quoting what it mirrors", arguments: Self.cases)
    func emitted(_ c: EmissionCase) throws {
        let found = try c.run()
        let matching = found.filter { $0.id == c.id }
        try #require(!matching.isEmpty, "[\(c.id.rawValue)] was not emitted; got \(found.map { "[\($0.id.rawValue)]" }.joined(separator: " "))")
        if let s = c.severity {
            #expect(s == c.id.entry.otherwise?.severity.rawValue, "[\(c.id.rawValue)] as \(s) is not in the catalogue")
        }
        let severity = c.severity ?? c.id.entry.level.description
        #expect(matching.contains { $0.severity == severity }, "[\(c.id.rawValue)] emitted as \(matching.map(\.severity)), catalogued \(severity)")
        if let want = c.marked?.position(), let m = c.marked {
            #expect(matching.contains { $0.range?.file == m.file.name && (m.position(of: $0.range).map { $0 == want } ?? false) },
                    "[\(c.id.rawValue)] is not at the marker \(want): \(matching.map { m.position(of: $0.range).map { "\($0.line):\($0.column)" } ?? "nowhere" })")
        }
        for quote in matching.flatMap(\.quotes) {
            #expect(Self.mirrors(c.id, quote), "[\(c.id.rawValue)] quotes \(quote), which is not one of its catalogued mirrors")
        }
    }

    /// Whether a quoted libvirt or QEMU message is one of the rule's mirrors (`%s`, `%d`, `%x`,
    /// … stand for any text). libvirt's quote is the whole note; QEMU's may sit inside prose.
    static func mirrors(_ id: DiagnosticID, _ quote: Finding.Quote) -> Bool {
        id.mirrors.contains { m in
            let regex: NSRegularExpression
            do { regex = try NSRegularExpression(pattern: pattern(m.text)) } catch { return false }
            switch (m, quote) {
            case (.libvirt, .libvirt(let text)):
                let whole = NSRange(text.startIndex..., in: text)
                return regex.firstMatch(in: text, options: .anchored, range: whole)?.range == whole
            case (.qemu, .qemu(let text)):
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            default:
                return false
            }
        }
    }

    /// A printf-style message as a pattern: the format specifiers match any text.
    static func pattern(_ format: String) -> String {
        let spec = try? NSRegularExpression(pattern: "%[-0-9.]*(?:zu|lu|llu|ld|lld|[sdux])")
        let ns = format as NSString
        var out = "", last = 0
        for m in spec?.matches(in: format, range: NSRange(location: 0, length: ns.length)) ?? [] {
            out += NSRegularExpression.escapedPattern(for: ns.substring(with: NSRange(location: last, length: m.range.location - last))) + ".+"
            last = m.range.location + m.range.length
        }
        return out + NSRegularExpression.escapedPattern(for: ns.substring(from: last))
    }
}

/// One finding in a form both kinds of result fit: a diagnostic or a diff change.
struct Finding {
    enum Quote: CustomStringConvertible {
        case libvirt(String), qemu(String)
        var description: String {
            switch self {
            case .libvirt(let t): "libvirt's \"\(t)\""
            case .qemu(let t): "QEMU's \"\(t)\""
            }
        }
    }

    var id: DiagnosticID
    var severity: String
    var range: SourceRange?
    var quotes: [Quote]

    init(_ d: Diagnostic) {
        id = d.id
        severity = d.severity.rawValue
        range = d.range
        quotes = d.notes.flatMap(Self.quotes)
    }

    /// The libvirt and QEMU texts a note quotes, by the forms the note helpers of
    /// `Diagnostic+Catalogue.swift` write.
    static func quotes(_ n: Diagnostic.Note) -> [Quote] {
        let m = n.message
        for (prefix, libvirt) in [("libvirt 9.0 rejects this definition: ", true),
                                  ("libvirt 9.0 accepts this definition, but QEMU 7.2 refuses to start it: ", false),
                                  ("QEMU 7.2: ", false),
                                  ("libvirt 9.0 refuses the attach: ", true),
                                  ("libvirt 9.0 refuses such an attach: ", true),
                                  ("libvirt 9.0 refuses the detach: ", true)] where m.hasPrefix(prefix) {
            let text = String(m.dropFirst(prefix.count))
            return [libvirt ? .libvirt(text) : .qemu(text)]
        }
        if m.hasPrefix("--multifunction explicit derives nothing"), let r = m.range(of: "PCI: ") { return [.qemu(String(m[r.lowerBound...]))] }
        // A hot-plug QEMU refuses: what libvirt reported first, then QEMU's monitor error.
        var found: [Quote] = []
        if let r = m.range(of: "libvirt 9.0 reports \""), let end = m.range(of: "\" but goes on", range: r.upperBound..<m.endIndex) {
            found.append(.libvirt(String(m[r.upperBound..<end.lowerBound])))
        }
        if m.hasPrefix("libvirt 9.0 "), let r = m.range(of: "unable to execute QEMU command ") { found.append(.qemu(String(m[r.lowerBound...]))) }
        return found
    }

    init(id: DiagnosticID, severity: String, range: SourceRange?, quotes: [Quote]) {
        self.id = id
        self.severity = severity
        self.range = range
        self.quotes = quotes
    }

    init(_ c: ABIChange) {
        id = c.kind.id
        severity = c.severity.rawValue
        range = nil
        quotes = []
    }
}

/// Inline input that makes pciplan report one rule (style guide rule 12: `⟨⟩` marks where).
struct EmissionCase: Sendable, CustomTestStringConvertible {
    enum Command: Sendable {
        case check(PlanOptions.MultifunctionPolicy)
        case plan(PlanOptions.MultifunctionPolicy = .libvirt)
        /// `plan NEW --keep OLD`, NEW being the marked text.
        case keep(old: String)
        /// `diff OLD NEW`, OLD being the marked text.
        case diff(new: String)
        /// The checker's address walk reporting a failure the set never produces for an
        /// explicit address (an internal invariant, which input cannot break).
        case walkReport(AddressSetError.Kind)
        /// `attach DOMAIN DEVICE`, DEVICE being the marked text (named `device.xml`).
        case attach(domain: String, AttachMode)
        /// `attach DOMAIN DEVICES --live --qmp`, DEVICES being the marked text.
        case attachQMP(domain: String)
        /// `plan --group-host-functions`.
        case planGroups
        /// The built binary: `check --format json` on these paths (relative to a fresh folder,
        /// so a missing file stays missing); the diagnostics of its document.
        case checkFiles([String])
        /// `detach DOMAIN ID`, DOMAIN being the marked text.
        case detach(id: String, AttachMode)
        /// `plan --hotplug-ports N` (`ports`) or `--hotplug-slots N`.
        case spares(ports: Int?, slots: Int?)
    }

    var id: DiagnosticID
    var text: String
    var command: Command
    /// The severity expected when it is the catalogue's `otherwise` one.
    var severity: String?

    init(_ id: DiagnosticID, _ command: Command, severity: Severity? = nil, _ text: String) {
        self.id = id
        self.text = text
        self.command = command
        self.severity = severity?.rawValue
    }

    /// A case for `check`.
    init(_ id: DiagnosticID, _ text: String) { self.init(id, .check(.libvirt), text) }

    var testDescription: String { id.rawValue }

    /// The marked input, when the text is a domain (or an attached device) with a marker.
    var marked: Marked? {
        guard text.contains("⟨⟩"), !Self.isDiff(command) else { return nil }
        return Marked(text, name: fileName)
    }

    /// The name the marked text is read as.
    var fileName: String {
        switch command {
        case .attach, .attachQMP: "device.xml"
        default: "vm.xml"
        }
    }

    static func isDiff(_ c: Command) -> Bool { if case .diff = c { true } else { false } }

    func run() throws -> [Finding] {
        let m = Marked(text, name: fileName)
        switch command {
        case .check(let policy):
            return m.check(policy).map(Finding.init)
        case .plan(let policy):
            return m.plan(policy).diagnostics.map(Finding.init)
        case .keep(let old):
            return Pipeline.plan(m.file, keeping: SourceFile(name: "old.xml", text: old)).diagnostics.map(Finding.init)
        case .diff(let new):
            let o = Pipeline.diff(old: m.file, new: SourceFile(name: "new.xml", text: new))
            return o.diagnostics.map(Finding.init) + o.changes.map(Finding.init)
        case .walkReport(let kind):
            let n = try #require(Pipeline.load(m.file).normalized)
            var walk = AddressWalk(CheckContext(n), skip: [])
            walk.run()
            let i = try #require(n.devices.indices.first { n.devices[$0].kind == .sound })
            walk.report(i, PCIAddress(bus: 0, slot: 5), AddressSetError(kind: kind, libvirtMessage: "No more available PCI slots", address: nil))
            return walk.diagnostics.map(Finding.init)
        case .attach(let domain, let mode):
            return Pipeline.attach(SourceFile(name: "vm.xml", text: domain), device: m.file, mode: mode).diagnostics.map(Finding.init)
        case .attachQMP(let domain):
            return Pipeline.attach(SourceFile(name: "vm.xml", text: domain), device: m.file, mode: .live, qmp: true).diagnostics.map(Finding.init)
        case .planGroups:
            var o = PlanOptions()
            o.groupHostFunctions = true
            return Pipeline.plan(m.file, options: o).diagnostics.map(Finding.init)
        case .checkFiles(let paths):
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-catalogue-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let r = try PCIPlanBinary.run(["check", "--format", "json"] + paths, in: dir)
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
            let document = try #require(json as? [String: Any], Comment(rawValue: r.stderr))
            let files = document["files"] as? [[String: Any]] ?? []
            return files.flatMap { $0["diagnostics"] as? [[String: Any]] ?? [] }.compactMap { d in
                guard let id = (d["id"] as? String).flatMap(DiagnosticID.init(rawValue:)), let severity = d["severity"] as? String else { return nil }
                return Finding(id: id, severity: severity, range: nil, quotes: [])
            }
        case .detach(let id, let mode):
            return Pipeline.detach(m.file, device: id, mode: mode).diagnostics.map(Finding.init)
        case .spares(let ports, let slots):
            var o = PlanOptions()
            o.hotplugPorts = ports
            o.hotplugSlots = slots
            return Pipeline.plan(m.file, options: o).diagnostics.map(Finding.init)
        }
    }
}

extension CatalogueTests {
    static func pc(_ devices: String) -> String { Marked.domain("pc-i440fx-7.2", devices) }
    static func q35(_ devices: String) -> String { Marked.domain("pc-q35-7.2", devices) }
    /// A `virt` domain of `arch` (aarch64, armv7l, riscv64) around `devices`.
    static func virt(_ arch: String, _ devices: String) -> String {
        Marked.domain("virt", devices).replacingOccurrences(of: "arch='x86_64'", with: "arch='\(arch)'")
    }
    /// `domain` with the marker on its `<devices>` start tag.
    static func markDevices(_ domain: String) -> String { domain.replacingOccurrences(of: "<devices>", with: "⟨⟩<devices>") }

    static let nic = "<interface type='user'><mac address='52:54:00:00:00:09'/><model type='virtio'/></interface>"
    static let keyboard = "<input type='keyboard' bus='virtio'/>"
    static func virtioDisks(_ names: [String], mmio: Bool) -> String {
        names.map { "<disk type='file' device='disk'><target dev='\($0)' bus='virtio'/>\(mmio ? "<address type='virtio-mmio'/>" : "")</disk>" }
            .joined(separator: "\n")
    }

    /// A pci-bridge at 00:08 (guest bus 1) with a disk behind it.
    static let bridgeAt8 = pc("""
            <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='8'/></controller>
            <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='1' slot='2'/></disk>
        """)
    static let twoDisks = pc("""
            ⟨⟩<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>
            <disk type='file' device='disk'><target dev='vdb' bus='virtio'/></disk>
        """)
    static let secondDisk = pc("""
            <disk type='file' device='disk'><target dev='vdb' bus='virtio'/></disk>
        """)

    /// One case per rule (more where a rule has templates in several stages).
    static let cases: [EmissionCase] = [
        // input
        .init(.inputUnreadable, .checkFiles(["missing.xml"]), ""),
        .init(.inputXML, "<domain><devices></domain>"),
        .init(.inputNotDomain, "⟨⟩<network/>"),
        .init(.inputMachine, "<domain type='kvm'><os><type arch='x86_64' machine='⟨⟩virt'>hvm</type></os></domain>"),
        .init(.inputMachine, "<domain type='kvm'><os><type arch='aarch64' machine='⟨⟩sbsa-ref'>hvm</type></os></domain>"),
        .init(.inputArch, "<domain type='kvm'><os><type arch='⟨⟩riscv32' machine='virt'>hvm</type></os></domain>"),
        .init(.diskDriveIndex, pc("⟨⟩<disk type='file' device='disk'><target dev='sdamultifunata' bus='scsi'/></disk>")),
        .init(.diskDriveIndex, pc("⟨⟩<disk type='file' device='disk'><target dev='sda' bus='scsi'/><address type='drive' controller='5000'/></disk>")),
        .init(.deviceDropped, q35("⟨⟩<crypto model='virtio' type='qemu'><backend model='builtin'/></crypto>")),
        .init(.interfaceModelName, pc("<interface type='user'><model/><model type='⟨⟩e1000 x'/></interface>")),

        // address syntax
        .init(.addressMissingType, pc("<sound model='ich6'>⟨⟩<address slot='0x05'/></sound>")),
        .init(.addressBadNumber, pc("<sound model='ich6'><address type='pci' slot='⟨⟩zz'/></sound>")),
        .init(.addressBadMultifunction, pc("<sound model='ich6'><address type='pci' slot='0x05' multifunction='⟨⟩yes'/></sound>")),
        .init(.addressRange, pc("<sound model='ich6'><address type='pci' slot='⟨⟩0x20'/></sound>")),
        .init(.addressAmbiguousNumber, pc("<sound model='ich6'><address type='pci' slot='⟨⟩010'/></sound>")),
        .init(.addressIgnored, pc("<sound model='ich6'>⟨⟩<address type='pci' domain='0' bus='0' slot='0' function='1'/></sound>")),

        // address set
        .init(.addressDomain, pc("<sound model='ich6'><address type='pci' domain='⟨⟩0x0001' slot='0x05'/></sound>")),
        .init(.addressDomain, .plan(), pc("<sound model='ich6'>⟨⟩<address type='pci' domain='0x0001' slot='0x05'/></sound>")),
        .init(.addressInUse, pc("""
                <sound model='ich6'><address type='pci' slot='0x05'/></sound>
                <sound model='ac97'>⟨⟩<address type='pci' slot='0x05'/></sound>
            """)),
        .init(.addressInUse, .plan(), pc("""
                <sound model='ich6'><address type='pci' slot='0x05'/></sound>
                <sound model='ac97'>⟨⟩<address type='pci' slot='0x05'/></sound>
            """)),
        .init(.addressNoBus, pc("<controller type='pci' index='6' model='pci-bridge'><address type='pci' bus='⟨⟩0x07' slot='0x01'/></controller>")),
        .init(.addressBusAdded, pc("<sound model='ich6'><address type='pci' bus='⟨⟩0x02' slot='0x01'/></sound>")),
        .init(.addressBusAdded, .plan(), q35("<sound model='ich6'>⟨⟩<address type='pci' bus='0x01' slot='0x01'/></sound>")),
        .init(.addressSlotRange, pc("""
                <controller type='pci' index='1' model='pci-bridge'/>
                <sound model='ich6'><address type='pci' bus='0x01' slot='⟨⟩0x00'/></sound>
            """)),
        .init(.addressSlotRange, .plan(), pc("""
                <controller type='pci' index='1' model='pci-bridge'/>
                <sound model='ich6'>⟨⟩<address type='pci' bus='0x01' slot='0x00'/></sound>
            """)),
        .init(.addressIncompatible, q35("""
                <controller type='pci' index='1' model='pcie-root-port'/>
                <controller type='pci' index='2' model='pcie-switch-upstream-port'><address type='pci' bus='0x01' slot='0x00'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='⟨⟩0x02' slot='0x00'/></disk>
            """)),
        .init(.addressIncompatible, .plan(), q35("""
                <controller type='usb' index='0' model='piix3-uhci'>⟨⟩<address type='pci' bus='0' slot='1' function='2'/></controller>
            """)),
        .init(.addressIntegrated, q35("""
                <controller type='pci' index='1' model='pcie-root-port'/>
                <iommu model='virtio'><address type='pci' bus='⟨⟩0x01' slot='0x00'/></iommu>
            """)),
        .init(.addressReserved, pc("<sound model='ich6'>⟨⟩<address type='pci' slot='0x01' function='0x3'/></sound>")),
        .init(.addressReserved, .plan(), pc("<sound model='ich6'>⟨⟩<address type='pci' slot='0x01' function='0x3'/></sound>")),
        .init(.addressWrongType, pc("<disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='⟨⟩drive' controller='0' bus='0' unit='0'/></disk>")),

        // multifunction
        .init(.multifunctionOff, pc("""
                <sound model='ich6'><address type='pci' slot='0x05' function='0x0' multifunction='⟨⟩off'/></sound>
                <sound model='ac97'><address type='pci' slot='0x05' function='0x1'/></sound>
            """)),
        .init(.multifunctionOff, .plan(), severity: .warning, pc("""
                <sound model='ich6'>⟨⟩<address type='pci' slot='0x05' function='0x0' multifunction='off'/></sound>
                <sound model='ac97'><address type='pci' slot='0x05' function='0x1'/></sound>
            """)),
        .init(.multifunctionNoFunctionZero, pc("<sound model='ich6'>⟨⟩<address type='pci' slot='0x05' function='0x1'/></sound>")),
        .init(.multifunctionDerived, pc("""
                <sound model='ich6'>⟨⟩<address type='pci' slot='0x05' function='0x0'/></sound>
                <sound model='ac97'><address type='pci' slot='0x05' function='0x1'/></sound>
            """)),
        .init(.multifunctionNotExplicit, .check(.explicit), pc("""
                <sound model='ich6'><address type='pci' slot='0x05' function='0x0'/></sound>
                <sound model='ac97'>⟨⟩<address type='pci' slot='0x05' function='0x1'/></sound>
            """)),
        .init(.multifunctionNotExplicit, .plan(.explicit), pc("""
                <sound model='ich6'><address type='pci' slot='0x05' function='0x0'/></sound>
                <sound model='ac97'>⟨⟩<address type='pci' slot='0x05' function='0x1'/></sound>
            """)),

        // controllers
        .init(.controllerDuplicateIndex, pc("""
                <controller type='scsi' index='0'/>
                <controller type='scsi' index='⟨⟩0'/>
            """)),
        .init(.controllerRootIndex, pc("<controller type='pci' index='⟨⟩1' model='pci-root'/>")),
        .init(.controllerWrongRoot, pc("<controller type='pci' index='0' model='⟨⟩pcie-root'/>")),
        .init(.controllerWrongRoot, pc("⟨⟩<controller type='pci' index='0'/>")),
        .init(.controllerRootAddress, pc("<controller type='pci' index='0' model='pci-root'>⟨⟩<address type='pci' slot='0x05'/></controller>")),
        .init(.controllerBadIndex, pc("<controller type='scsi' index='⟨⟩0x1'/>")),
        .init(.controllerIndexTooHigh, pc("<controller type='pci' index='⟨⟩256' model='pci-bridge'/>")),
        .init(.controllerBadModel, pc("<controller type='pci' index='1' model='⟨⟩pci-wormhole'/>")),
        .init(.controllerIndexNotAboveBus, q35("⟨⟩<controller type='pci' index='1' model='pci-bridge'/>")),
        .init(.controllerIndexNotAboveBus, pc("""
                <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='⟨⟩0x01' slot='0x01'/></controller>
            """)),
        .init(.controllerOption, q35("<controller type='pci' index='1' model='pcie-root-port'><target ⟨⟩chassisNr='1'/></controller>")),
        .init(.controllerOption, pc("<controller type='pci' index='1' model='pci-bridge'><target chassisNr='⟨⟩0'/></controller>")),
        .init(.controllerMachine, pc("<controller type='pci' index='1' model='⟨⟩pcie-root-port'/>")),
        .init(.controllerMachine, q35("<controller type='pci' index='1' model='⟨⟩pci-expander-bus'/>")),
        .init(.controllerMachine, pc("<controller type='pci' index='1' model='⟨⟩pcie-expander-bus'/>")),
        .init(.controllerMachine, q35("⟨⟩<controller type='ide' index='0'/>")),
        .init(.controllerMachine, pc("⟨⟩<disk type='file' device='disk'><target dev='hde' bus='ide'/></disk>")),
        .init(.controllerOption, pc("<controller type='pci' index='1' model='pci-expander-bus'><target busNr='100'>⟨⟩<node>1</node></target></controller>")),
        .init(.controllerUSBDisabled, pc("""
                <controller type='usb' index='0' model='none'/>
                ⟨⟩<controller type='usb' index='1' model='qemu-xhci'/>
            """)),
        .init(.controllerUSBDeviceDisabled, pc("""
                <controller type='usb' index='0' model='none'/>
                ⟨⟩<input type='tablet' bus='usb'/>
            """)),
        .init(.controllerUSBCompanionNoMaster, q35("⟨⟩<controller type='usb' index='0' model='ich9-uhci1'/>")),
        .init(.controllerUSBCompanionIndex, pc("""
                <controller type='usb' index='0' model='piix3-uhci'/>
                ⟨⟩<controller type='usb' index='1' model='ich9-uhci1'/>
            """)),
        .init(.controllerUSBDuplicateIndex, pc("""
                <controller type='usb' index='0' model='piix3-uhci'/>
                <controller type='usb' index='⟨⟩0' model='piix4-uhci'/>
            """)),
        .init(.controllerUSBDeviceDisabled, virt("aarch64", "⟨⟩<input type='tablet' bus='usb'/>")),
        .init(.controllerBusOrder, q35("""
                <controller type='pci' index='1' model='pcie-switch-upstream-port'>⟨⟩<address type='pci' bus='0x02' slot='0x00'/></controller>
                <controller type='pci' index='2' model='pcie-root-port'/>
            """)),
        .init(.controllerBusOrder, .plan(), severity: .warning, virt("aarch64", """
                ⟨⟩<controller type='pci' index='1' model='pcie-switch-upstream-port'/>
                <controller type='pci' index='2' model='pcie-root-port'/>
                <controller type='pci' index='3' model='pcie-switch-downstream-port'/>
            """)),
        .init(.controllerBusNr, pc("""
                <controller type='pci' index='1' model='pci-expander-bus'><target busNr='100'/></controller>
                <controller type='pci' index='2' model='pci-expander-bus'><target busNr='⟨⟩100'/></controller>
            """)),
        .init(.controllerBusNr, .plan(), severity: .warning, pc("""
                <controller type='pci' index='1' model='pci-expander-bus'><target busNr='100'/></controller>
                <controller type='pci' index='2' model='pci-expander-bus'><target busNr='⟨⟩100'/></controller>
            """)),
        .init(.chipsetFixed, pc("<controller type='ide' index='0'>⟨⟩<address type='pci' slot='0x05'/></controller>")),
        .init(.chipsetFixed, .plan(), pc("<controller type='ide' index='0'>⟨⟩<address type='pci' slot='0x05'/></controller>")),
        .init(.chipsetFixed, .plan(), q35("<controller type='sata' index='0'>⟨⟩<address type='pci' slot='0x05'/></controller>")),

        // devices
        .init(.deviceUnsupported, pc("⟨⟩<shmem name='legacy'/>")),
        .init(.deviceAddressType, pc("<disk type='file' device='disk'><target dev='sda' bus='sata'/><address type='⟨⟩pci' slot='0x05'/></disk>")),
        .init(.deviceAddressType, q35("<video><model type='ramfb'/>⟨⟩<address type='pci' slot='0x05'/></video>")),
        .init(.deviceAddressType, pc("<interface type='user'><model type='virtio'/><address type='pci' slot='0x05'>⟨⟩<zpci uid='0x0001' fid='0x00000000'/></address></interface>")),
        .init(.deviceAddressType, virt("aarch64", "<hostdev mode='subsystem' type='scsi_host'><source protocol='vhost' wwpn='naa.5001405df3e54061'/>⟨⟩<address type='virtio-mmio'/></hostdev>")),
        .init(.hostdevDuplicate, pc("""
                <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='3' slot='0' function='0'/></source></hostdev>
                <hostdev mode='subsystem' type='pci' managed='yes'><source>⟨⟩<address domain='0' bus='3' slot='0' function='0'/></source></hostdev>
            """)),
        .init(.deviceMachine, virt("riscv64", "⟨⟩<video><model type='ramfb'/></video>")),
        .init(.deviceMachine, .plan(), severity: .warning, virt("riscv64", "⟨⟩<video><model type='ramfb'/></video>")),

        // virtio-mmio
        .init(.virtioMMIOTransitional, virt("aarch64", """
                <disk type='file' device='disk' model='virtio-transitional'><target dev='vda' bus='virtio'/>⟨⟩<address type='virtio-mmio'/></disk>
            """)),
        .init(.virtioMMIOTransitional, .plan(), severity: .warning, virt("aarch64", """
                <disk type='file' device='disk' model='virtio-transitional'><target dev='vda' bus='virtio'/>⟨⟩<address type='virtio-mmio'/></disk>
            """)),
        .init(.virtioMMIOTooMany, virt("riscv64", virtioDisks(["vda", "vdb", "vdc", "vdd", "vde", "vdf", "vdg", "vdh"], mmio: true) + """

                <disk type='file' device='disk'><target dev='vdi' bus='virtio'/>⟨⟩<address type='virtio-mmio'/></disk>
            """)),
        .init(.virtioMMIONotVirtio, virt("aarch64", """
                <controller type='pci' index='1' model='pcie-expander-bus'/>
                <controller type='pci' index='2' model='pcie-root-port'><address type='pci' bus='0x01' slot='0x00'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='virtio-mmio'/></disk>
                <controller type='scsi' index='0' model='lsilogic'>⟨⟩<address type='virtio-mmio'/></controller>
            """)),
        .init(.virtioMMIONotVirtio, .check(.libvirt), severity: .warning, virt("aarch64", """
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='virtio-mmio'/></disk>
                <controller type='scsi' index='0' model='lsilogic'>⟨⟩<address type='virtio-mmio'/></controller>
            """)),

        // planning
        .init(.planCannotAddController, .plan(), q35("⟨⟩<controller type='pci' index='1' model='pcie-switch-downstream-port'/>")),
        .init(.planBusNr, .plan(), pc("""
                <controller type='pci' index='1' model='pci-expander-bus'><target busNr='2'/></controller>
                ⟨⟩<controller type='pci' index='2' model='pci-expander-bus'/>
            """)),
        .init(.planKeep, .keep(old: q35("")), pc("")),
        .init(.planKeep, .keep(old: twoDisks), severity: .warning, pc("""
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/>⟨⟩<address type='pci' slot='0x09'/></disk>
                <disk type='file' device='disk'><target dev='vdb' bus='virtio'/></disk>
            """)),
        .init(.planHostGroup, .planGroups, q35("""
                ⟨⟩<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='2' slot='0' function='1'/></source></hostdev>
                <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='2' slot='0' function='2'/></source></hostdev>
            """)),
        .init(.planKeep, .keep(old: bridgeAt8), pc("""
                <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='8'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/>⟨⟩<address type='pci' bus='1' slot='2'/></disk>
                <controller type='pci' index='2' model='pci-bridge'><address type='pci' bus='0' slot='5'/></controller>
            """)),
        .init(.planLock, .keep(old: "{\"schema\": 99, \"devices\": []}"), pc("")),
        .init(.planSpares, .spares(ports: 2, slots: nil), pc("")),
        .init(.planSpares, .spares(ports: 2, slots: nil), severity: .note, q35("")),
        .init(.internalError, .walkReport(.noSlot), pc("<sound model='ich6'>⟨⟩<address type='pci' slot='0x05'/></sound>")),

        // guest view
        .init(.guestBusOverflow, .plan(), pc("""
                ⟨⟩<controller type='pci' index='1' model='pci-expander-bus'/>
                <controller type='pci' index='2' model='pci-bridge'><address type='pci' bus='1' slot='1'/></controller>
            """)),
        .init(.guestBusOverflow, pc("""
                ⟨⟩<controller type='pci' index='1' model='pcie-expander-bus'/>
            """).replacingOccurrences(of: "pc-i440fx-7.2", with: "pc-q35-7.2").replacingOccurrences(of: "</devices>",
                with: "<controller type='pci' index='2' model='pcie-root-port'><address type='pci' bus='1' slot='0'/></controller><controller type='pci' index='3' model='pcie-root-port'><address type='pci' bus='1' slot='0' function='1'/></controller></devices>")),
        .init(.guestNextControllerRenumbers, pc("""
                ⟨⟩<controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='8'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='1' slot='2'/></disk>
            """)),

        // hot-plug
        .init(.hotplugNoFreePort, markDevices(q35("<controller type='pci' index='1' model='pcie-root-port'/>"))),
        .init(.attachUnsupported, .attach(domain: pc(""), .live), "⟨⟩<video><model type='vga'/></video>"),
        .init(.attachUnsupported, .attach(domain: q35(""), .config), "⟨⟩<controller type='pci' index='3' model='pcie-root-port'/>"),
        .init(.attachUnsupported, .attach(domain: q35(""), .live), "⟨⟩<disk type='file' device='floppy'><target dev='fda' bus='fdc'/></disk>"),
        .init(.attachFunction, .attach(domain: q35(""), .live),
              "<interface type='user'><model type='virtio'/>⟨⟩<address type='pci' bus='0x01' slot='0x00' function='0x1'/></interface>"),
        .init(.attachNotHotpluggable, .attach(domain: q35(""), .live),
              "<interface type='user'><model type='virtio'/>⟨⟩<address type='pci' bus='0x00' slot='0x05'/></interface>"),
        .init(.attachNoSlot, .attach(domain: q35(""), .live), "⟨⟩" + nic),
        .init(.attachQEMURefuses, .attach(domain: pc(""), .live), "⟨⟩" + nic),
        .init(.attachQEMURefuses, .attach(domain: q35(""), .live), "⟨⟩<disk type='file' device='disk'><target dev='sdb' bus='sata'/></disk>"),
        .init(.attachInput, .attach(domain: pc(""), .live), "⟨⟩<devices>\(nic)\(nic)</devices>"),
        .init(.addressInUse, .attach(domain: pc("<sound model='ich6'><address type='pci' slot='0x05'/></sound>"), .live),
              "<interface type='user'><model type='virtio'/>⟨⟩<address type='pci' slot='0x05'/></interface>"),
        .init(.attachSlot, .attachQMP(domain: q35("<controller type='pci' index='1' model='pcie-root-port'/>")),
              "<devices>" + String(repeating: keyboard, count: 8) + "⟨⟩" + keyboard + "</devices>"),
        .init(.attachQMPBackend, .attachQMP(domain: q35("<controller type='pci' index='1' model='pcie-root-port'/>")),
              "<devices>⟨⟩<interface type='network'><source network='default'/><model type='virtio'/></interface>\(keyboard)</devices>"),
        .init(.attachNoSlot, .attachQMP(domain: q35("")), "<devices>⟨⟩\(keyboard)\(keyboard)</devices>"),
        .init(.addressInUse, .attachQMP(domain: pc("<sound model='ich6'><address type='pci' slot='0x04'/></sound>")),
              "<devices><input type='keyboard' bus='virtio'>⟨⟩<address type='pci' bus='0' slot='4' function='0'/></input>\(keyboard)</devices>"),
        .init(.detachNoDevice, .detach(id: "net9", .live), pc("")),
        .init(.detachRefused, .detach(id: "video0", .live), pc("⟨⟩<video><model type='vga'/></video>")),
        .init(.detachRefused, .detach(id: "net0", .live), pc("⟨⟩" + nic)),
        .init(.detachRefused, .detach(id: "sound1", .live), pc("""
                <sound model='ich6'><address type='pci' slot='0x05' function='0x0' multifunction='on'/></sound>
                ⟨⟩<sound model='ac97'><address type='pci' slot='0x05' function='0x1'/></sound>
            """)),
        .init(.detachMultifunction, .detach(id: "sound0", .config), pc("""
                ⟨⟩<sound model='ich6'><address type='pci' slot='0x05' function='0x0' multifunction='on'/></sound>
                <sound model='ac97'><address type='pci' slot='0x05' function='0x1'/></sound>
            """)),
        .init(.detachMultifunction, .detach(id: "sound1", .config), severity: .note, pc("""
                <sound model='ich6'><address type='pci' slot='0x05' function='0x0' multifunction='on'/></sound>
                ⟨⟩<sound model='ac97'><address type='pci' slot='0x05' function='0x1'/></sound>
            """)),

        // diff
        .init(.diffMoved, .diff(new: secondDisk), twoDisks),
        .init(.diffRemoved, .diff(new: secondDisk), twoDisks),
        .init(.diffAdded, .diff(new: twoDisks), secondDisk),
        .init(.diffDisplaced, .diff(new: pc("""
                <disk type='file' device='disk'><target dev='vdb' bus='virtio'/><address type='pci' slot='0x05'/></disk>
                <disk type='file' device='disk'><target dev='vdc' bus='virtio'/></disk>
            """)), twoDisks),
        .init(.diffUpstream, .diff(new: pc("""
                <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='6'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='1' slot='3'/></disk>
            """)), pc("""
                <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='5'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='1' slot='3'/></disk>
            """)),
        .init(.diffGuestRenamed, .diff(new: pc("""
                <controller type='pci' index='1' model='pci-bridge'><address type='pci' bus='0' slot='8'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='1' slot='2'/></disk>
                <controller type='pci' index='2' model='pci-bridge'/>
            """)), bridgeAt8),
        .init(.diffMultifunction, .diff(new: pc("""
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' slot='0x05' function='0x0'/></disk>
            """)), pc("""
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' slot='0x05' function='0x0'/></disk>
                <disk type='file' device='disk'><target dev='vdb' bus='virtio'/><address type='pci' slot='0x05' function='0x1'/></disk>
            """)),
        .init(.diffConnectKind, .diff(new: q35("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000e'/></interface>")),
              q35("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000'/></interface>")),
        .init(.diffDeviceChanged, .diff(new: pc("<interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000'/></interface>")),
              pc("⟨⟩<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/></interface>")),
        .init(.diffController, .diff(new: pc("<controller type='usb' index='0' model='qemu-xhci'/>")),
              pc("<controller type='usb' index='0' model='piix3-uhci'/>")),
        .init(.diffControllerTarget, .diff(new: q35("<controller type='pci' index='1' model='pcie-root-port'><target chassis='5'/></controller>")),
              q35("<controller type='pci' index='1' model='pcie-root-port'><target chassis='1'/></controller>")),
    ]
}
