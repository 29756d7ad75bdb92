import Foundation
import Testing
@testable import PCIPlan

/// Input bytes never break a line of text output: control, separator and bidi characters in
/// values and file names are escaped (`String.escapedForLine`); JSON carries them as they are.
@Suite("text output: one line per diagnostic, whatever the input holds")
struct LineSafetyTests {
    @Test("escapes what could end a line or reorder it, and nothing else", arguments: [
        ("plain ascii, 'quotes' and \\ stay", "plain ascii, 'quotes' and \\ stay"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("nul \u{0} esc \u{1B} del \u{7F} nel \u{85} c1 \u{9F}", "nul \\u{0} esc \\u{1B} del \\u{7F} nel \\u{85} c1 \\u{9F}"),
        ("ls \u{2028} ps \u{2029}", "ls \\u{2028} ps \\u{2029}"),
        ("\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}", "\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{202E}"),
        ("\u{2066}\u{2067}\u{2068}\u{2069}\u{200E}\u{200F}\u{061C}", "\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{200E}\\u{200F}\\u{61C}"),
        ("café → 0000:00:05.0 – ü 中", "café → 0000:00:05.0 – ü 中"),
    ])
    func escape(_ input: String, _ expected: String) {
        #expect(input.escapedForLine == expected)
    }

    @Test("the printer escapes messages, notes, fix-its and file names")
    func printer() {
        let file = SourceFile(name: "a\nb.xml", text: "<domain/>\n")
        let r = SourceRange(file: file.name, start: 0, end: 1)
        let d = Diagnostic(.inputXML, .error, "bad\nx.xml:1:1: error: forged", at: r,
                           notes: [.init("note\u{202E}", at: r)], fixIts: [FixIt("fix\r")])
        #expect(DiagnosticPrinter(files: [file]).render(d) == """
            a\\nb.xml:1:1: error: bad\\nx.xml:1:1: error: forged [input.xml]
            a\\nb.xml:1:1: note: note\\u{202E}
            a\\nb.xml:1:1: note: fix: fix\\r

            """)
    }

    static let forged = Marked.domain("pc-i440fx-7.2", """
            <controller type='scsi' index='1&#10;file:1:1: error: forged'/>
            <controller type='pci' index='1' model='&#x202E;egdirb-icp'/>
        """)

    @Test("an attribute with &#10; and a file name with a newline cannot forge error lines")
    func forgedLines() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = "vm\nfile:1:1: error: forged.xml"
        try Data(Self.forged.utf8).write(to: dir.appendingPathComponent(name))
        let r = try PCIPlanBinary.run(["check", name], in: dir)
        #expect(!r.crashed && r.status == 1, "\(r.stderr)")
        // Two real diagnostics (the index, the model), so exactly two error lines; every line
        // starts with the escaped file name and a position.
        let prefix = "vm\\nfile:1:1: error: forged.xml:"
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { $0.hasPrefix(prefix) }, "\(r.stderr)")
        let severities = lines.map { $0.dropFirst(prefix.count).drop { $0.isNumber || $0 == ":" }.prefix { $0 != ":" } }
        #expect(severities == [" error", " note", " error"], "\(r.stderr)")
        #expect(r.stderr.contains("index='1\\nfile:1:1: error: forged'"), "\(r.stderr)")
        #expect(r.stderr.contains("model '\\u{202E}egdirb-icp'") && !r.stderr.contains("\u{202E}"), "\(r.stderr)")
    }

    @Test("JSON keeps the exact text")
    func json() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = "vm\nforged.xml"
        try Data(Self.forged.utf8).write(to: dir.appendingPathComponent(name))
        let r = try PCIPlanBinary.run(["check", "--diagnostics-format", "json", name], in: dir)
        // check's document (Docs/json.md): {"files": [{"file", "diagnostics": [{…, "range": {"file", …}}]}], …}
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let files = try #require(obj["files"] as? [[String: Any]])
        #expect(files.compactMap { $0["file"] as? String } == [name])
        let diags = files.flatMap { $0["diagnostics"] as? [[String: Any]] ?? [] }
        let messages = diags.compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("index='1\nfile:1:1: error: forged'") }, "\(messages)")
        #expect(messages.contains { $0.contains("\u{202E}egdirb-icp") }, "\(messages)")
        let ranged = diags.compactMap { ($0["range"] as? [String: Any])?["file"] as? String }
        #expect(!ranged.isEmpty && ranged.allSatisfy { $0 == name }, "\(diags)")
    }

    @Test("diff's text output escapes file names too")
    func diff() throws {
        let text = Marked.domain("pc-i440fx-7.2", "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>")
        let o = Pipeline.diff(old: SourceFile(name: "old\n.xml", text: text), new: SourceFile(name: "new\u{2028}.xml", text: Marked.domain("pc-i440fx-7.2", "")))
        let out = DiffRenderer.text(o)
        #expect(out.split(separator: "\n").count == o.changes.count + o.changes.map(\.notes.count).reduce(0, +) + 1, "\(out)")
        #expect(out.hasSuffix("old\\n.xml → new\\u{2028}.xml: 1 breaking, 0 warnings, 1 info\n"), "\(out)")
    }
}
