import Foundation
import Testing
@testable import PCIPlan

/// The renderers behind `check --format json|sarif`, the summary and `report`, in process.
@Suite("fleet renderers: located diagnostics, JSON and SARIF documents, summary, SVG and HTML")
struct FleetRenderTests {
    static let duplicate = Marked.pc("""
            <sound model='ich6'>
              <address type='pci' slot='0x05'/>
            </sound>
            <sound model='ac97'>
              ⟨⟩<address type='pci' slot='0x05'/>
            </sound>
        """)

    static func checked(_ m: Marked) -> CheckedFile {
        CheckedFile(m.file, diagnostics: Pipeline.check(m.file))
    }

    static func example(_ name: String) throws -> SourceFile {
        let url = PCIPlanBinary.packageRoot.appendingPathComponent("Examples/\(name)")
        return SourceFile(name: name, bytes: Array(try Data(contentsOf: url)))
    }

    @Test("a located diagnostic has both ends of its range as offset, line and column")
    func located() throws {
        let f = Self.checked(Self.duplicate)
        #expect(f.status == .errors)
        let d = try #require(f.diagnostics.first)
        let r = try #require(d.range)
        #expect(r.start.offset == Self.duplicate.offset())
        #expect(r.start.line == 12 && r.start.column == 7)
        #expect(r.end.line == 12 && r.end.offset > r.start.offset)
        #expect(d.fixIts.first?.replacement == "" && d.fixIts.first?.range != nil)
    }

    @Test("character columns count Unicode scalars where byte columns count bytes")
    func characterColumns() {
        let file = SourceFile(name: "x.xml", text: "<a>\n<é ü='1'/>\n")
        let p = SourcePosition(offset: file.bytes.firstIndex(of: UInt8(ascii: "="))!, in: file)
        #expect(p.line == 2 && p.column == 7 && p.characterColumn == 5)
        let unknown = SourcePosition(offset: 5, in: nil)
        #expect(unknown.line == nil && unknown.column == nil)
    }

    @Test("check's JSON written in pieces is exactly the document rendered at once")
    func streamedJSON() throws {
        let files = [Self.checked(Self.duplicate), CheckedFile.unreadable("gone.xml", message: "gone.xml: no such file"),
                     CheckedFile(try Self.example("q35-desktop.xml"), diagnostics: [])]
        var summary = CheckSummary()
        files.forEach { summary.add($0) }
        var streamed = CheckJSON.head
        for (n, f) in files.enumerated() { streamed += CheckJSON.file(f, first: n == 0) }
        streamed += CheckJSON.tail(summary, empty: false)
        #expect(streamed == CheckJSON.document(files: files, summary: summary))
        #expect(CheckJSON.head + CheckJSON.tail(CheckSummary(), empty: true) == CheckJSON.document(files: [], summary: CheckSummary()))
    }

    /// The SARIF log rendered in one piece from JSON values, to compare the streamed one with.
    static func sarifWhole(_ files: [CheckedFile], cwd: String) -> String {
        let results = files.flatMap { f in f.diagnostics.map { SARIFRenderer.result($0, in: f, cwd: cwd) } }
        let ids = Set(files.flatMap { $0.diagnostics.map(\.id) }).sorted()
        let driver: JSONValue = .object([
            "name": .string("pciplan"), "version": .string("9.9"), "semanticVersion": .string("9.9"),
            "rules": .array(ids.map(SARIFRenderer.rule)),
        ])
        return JSONValue.object([
            "$schema": .string(SARIFRenderer.schemaURI), "version": .string("2.1.0"),
            "runs": .array([.object([
                "columnKind": .string("unicodeCodePoints"), "results": .array(results),
                "tool": .object(["driver": driver]),
            ])]),
        ]).rendered() + "\n"
    }

    @Test("the SARIF log written in pieces is exactly the log rendered at once", arguments: [0, 1, 3])
    func streamedSARIF(_ count: Int) throws {
        let all = [Self.checked(Self.duplicate), CheckedFile(try Self.example("q35-desktop.xml"), diagnostics: []),
                   CheckedFile.unreadable("gone.xml", message: "gone.xml: no such file")]
        let files = Array(all.prefix(count))
        #expect(SARIFRenderer.document(files, cwd: "/work", version: "9.9") == Self.sarifWhole(files, cwd: "/work"))
    }

    @Test("artifact URIs: relative below the working directory, file:// elsewhere, percent-encoded, none for stdin")
    func uris() {
        #expect(SARIFRenderer.uri(for: "vms/a.xml", cwd: "/repo") == "vms/a.xml")
        #expect(SARIFRenderer.uri(for: "./vms/a.xml", cwd: "/repo") == "vms/a.xml")
        #expect(SARIFRenderer.uri(for: "/repo/vms/a.xml", cwd: "/repo") == "vms/a.xml")
        #expect(SARIFRenderer.uri(for: "/repo/vms/a.xml", cwd: "/repo/") == "vms/a.xml")
        #expect(SARIFRenderer.uri(for: "/elsewhere/a.xml", cwd: "/repo") == "file:///elsewhere/a.xml")
        #expect(SARIFRenderer.uri(for: "../other/a.xml", cwd: "/repo/sub") == "file:///repo/other/a.xml")
        #expect(SARIFRenderer.uri(for: "my vm#1 é.xml", cwd: "/repo") == "my%20vm%231%20%C3%A9.xml")
        #expect(SARIFRenderer.uri(for: "<stdin>", cwd: "/repo") == nil)
    }

    @Test("every diagnostic ID has a one-line description, the one Docs/diagnostics.md gives")
    func descriptions() throws {
        #expect(Set(DiagnosticDescriptions.byID.keys) == Set(DiagnosticID.allCases.map(\.rawValue)))
        let doc = try String(contentsOf: PCIPlanBinary.packageRoot.appendingPathComponent("Docs/diagnostics.md"), encoding: .utf8)
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let id = cells[1].replacingOccurrences(of: "`", with: "")
            #expect(DiagnosticDescriptions.byID[id] == cells[4].replacingOccurrences(of: "`", with: ""), "\(id)")
        }
    }

    @Test("the summary counts files by status, diagnostics by ID and domains without a free hot-plug port")
    func summary() throws {
        var s = CheckSummary()
        s.add(Self.checked(Self.duplicate))
        s.add(Self.checked(Self.duplicate))
        s.add(CheckedFile.unreadable("gone.xml", message: "gone.xml: no such file"))
        let noPort = try Self.example("q35-no-free-port.xml")
        s.add(CheckedFile(noPort, diagnostics: Pipeline.check(noPort)))
        #expect(s.files == 4 && s.count(.errors) == 2 && s.count(.unreadable) == 1 && s.count(.warnings) == 1)
        #expect(s.noFreeHotplugPort == 1)
        #expect(s.topIDs(2).map(\.id) == ["address.inUse", "hotplug.noFreePort"])
        #expect(s.text().hasPrefix("4 files checked\n  clean               0\n"))
    }

    @Test("the drawing: legend, planned addresses dashed, a badge for derived multifunction, free slots, byte-stable")
    func svg() throws {
        let planned = try #require(Pipeline.plan(try Self.example("pc-multifunction.xml")).planned)
        let svg = SVGRenderer.render(planned)
        #expect(svg == SVGRenderer.render(planned))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains(">MF derived</text>") && svg.contains("stroke-dasharray=\"5 3\""))
        #expect(svg.contains("00:04.0 disk &#39;vda&#39; (virtio-disk0)"))
        let q35 = try #require(Pipeline.plan(try Self.example("q35-desktop.xml")).planned)
        #expect(SVGRenderer.render(q35).contains(">30 free hot-plug slots</text>"))
        #expect((try XMLReader.parse(SourceFile(name: "t.svg", text: svg))).name == "svg")
    }

    @Test("names from the input are escaped in the drawing and the page")
    func escaping() throws {
        let hostile = Marked(Marked.domain("pc-i440fx-7.2", """
                <disk type='file' device='disk'>
                  <target dev='vd&lt;/svg&gt;&lt;script&gt;x&amp;"' bus='virtio'/>
                </disk>
            """), name: "<b>vm</b>.xml")
        let planned = try #require(Pipeline.plan(hostile.file).planned)
        let svg = SVGRenderer.render(planned)
        #expect(svg.contains("vd&lt;/svg&gt;&lt;script&gt;x&amp;&quot;"))
        #expect(!svg.contains("<script") && !svg.contains("</svg><"))
        #expect((try XMLReader.parse(SourceFile(name: "t.svg", text: svg))).name == "svg")
        var s = CheckSummary()
        let report = DomainReport(checked: CheckedFile(hostile.file, diagnostics: []), planned: planned)
        s.add(report.checked)
        let page = HTMLReportRenderer.render([report], summary: s, version: "1")
        #expect(!page.contains("<script") && !page.contains("<b>vm</b>"))
        #expect(page.contains("&lt;b&gt;vm&lt;/b&gt;.xml"))
        #expect(SVGRenderer.xml("a\u{1}b\u{FFFE}") == "a\u{FFFD}b\u{FFFD}")
    }

    @Test("the page fetches nothing: no script, no external reference, a policy that forbids them")
    func selfContained() throws {
        let file = try Self.example("q35-desktop.xml")
        let report = Pipeline.report(file, checked: Pipeline.check(file))
        var s = CheckSummary()
        s.add(report.checked)
        let page = HTMLReportRenderer.render([report], summary: s, version: "1")
        #expect(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        for banned in ["<script", "src=", "href=\"http", "@import", "url(", "<link", "@font-face"] {
            #expect(!page.contains(banned), "\(banned)")
        }
        #expect(page.contains("<svg "))
    }
}
