import Foundation
import PCIPlan
import Testing

// The code of the DocC guide "Using pciplan from Swift"
// (Sources/PCIPlan/PCIPlan.docc/UsingPCIPlanFromSwift.md). Every ```swift block of the guide
// appears verbatim in this file (`LibraryGuideTests` checks it), so the guide compiles, runs and
// cannot drift from the API. It imports `PCIPlan` without @testable: public API only.

func loadDomain(atPath path: String) throws -> SourceFile {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    return SourceFile(name: path, bytes: Array(bytes))
}

func planDomain(_ file: SourceFile) -> (xml: [UInt8]?, diagnostics: [Diagnostic]) {
    let outcome = Pipeline.plan(file)
    guard let planned = outcome.planned else { return (nil, outcome.diagnostics) }
    return (XMLWriter.render(planned), outcome.diagnostics)
}

func printDiagnostics(_ diagnostics: [Diagnostic], files: [SourceFile], to output: inout some TextOutputStream) {
    let printer = DiagnosticPrinter(files: files)
    print(printer.render(diagnostics), terminator: "", to: &output)
}

func guestABIChanges(old: SourceFile, new: SourceFile) -> (report: String, breaking: Bool) {
    let outcome = Pipeline.diff(old: old, new: new)
    return (DiffRenderer.text(outcome), outcome.hasBreaking)
}

@Suite("the library guide")
struct LibraryGuideTests {
    static let guide = PCIPlanBinary.packageRoot.appendingPathComponent("Sources/PCIPlan/PCIPlan.docc/UsingPCIPlanFromSwift.md")
    static let example = PCIPlanBinary.packageRoot.appendingPathComponent("Examples/pc-multifunction.xml").path

    /// The ```swift blocks of a Markdown text, each as its lines.
    static func swiftBlocks(_ markdown: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current ?? [])
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Whether `block` occurs in `lines` as consecutive lines, all shifted by one indentation
    /// (a block shown at the left margin may sit inside a test function here).
    static func contains(_ lines: [String], _ block: [String]) -> Bool {
        guard let first = block.first, !first.isEmpty, lines.count >= block.count else { return false }
        for start in 0...(lines.count - block.count) where lines[start].hasSuffix(first) {
            let indent = String(lines[start].dropLast(first.count))
            guard indent.allSatisfy({ $0 == " " }) else { continue }
            let shifted = block.map { $0.isEmpty ? "" : indent + $0 }
            if Array(lines[start..<(start + block.count)]) == shifted { return true }
        }
        return false
    }

    @Test("every swift block of the guide is code of this file, verbatim")
    func guideMatchesThisFile() throws {
        let markdown = try String(contentsOf: Self.guide, encoding: .utf8)
        let blocks = Self.swiftBlocks(markdown)
        #expect(blocks.count >= 5, "the guide has lost its code blocks")
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let missing = blocks.filter { !Self.contains(lines, $0) }.map { $0.joined(separator: "\n") }
        #expect(missing.isEmpty, "guide code not in LibraryGuideTests.swift (copy the change here too):\n\(missing.joined(separator: "\n---\n"))")
    }

    @Test("the guide's walk-through plans the example, prints its diagnostics and finds the flipped multifunction bit")
    func walkThrough() throws {
        let path = Self.example
        // The edit of the guide's last step: disk 'vdb' (function 1 of slot 4) removed from the input.
        let input = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
        let vdb = try #require(input.range(of: "    <disk type='file' device='disk'>\n      <source file='/var/lib/libvirt/images/b.qcow2'/>"))
        let vdbEnd = try #require(input.range(of: "</disk>\n", range: vdb.upperBound..<input.endIndex))
        let editedPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("pciplan-guide-\(UUID().uuidString).xml").path
        try (String(input[..<vdb.lowerBound]) + String(input[vdbEnd.upperBound...])).write(toFile: editedPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: editedPath) }

        let file = try loadDomain(atPath: path)
        let (xml, diagnostics) = planDomain(file)
        var log = ""
        printDiagnostics(diagnostics, files: [file], to: &log)
        #expect(log.isEmpty, "planning the example reports nothing: \(log)")
        try #require(xml != nil)

        guard let xml else { return }
        let planned = SourceFile(name: "vm.planned.xml", bytes: xml)
        let edited = try loadDomain(atPath: editedPath)
        let (report, breaking) = guestABIChanges(old: planned, new: edited)

        let text = String(decoding: xml, as: UTF8.self)
        #expect(text.contains("slot='0x04' function='0x0' multifunction='on'/>"))
        #expect(text.contains("<controller type='pci' index='0' model='pci-root'/>"))
        #expect(breaking)
        #expect(report.contains("loses multifunction='on'"))
        #expect(report.contains("[diff.multifunction]"))
    }

    @Test("the guide's diagnostics step prints compiler-style lines with file, line and column")
    func diagnosticsStep() throws {
        let file = try loadDomain(atPath: Self.example)
        var log = ""
        printDiagnostics(Pipeline.check(file), files: [file], to: &log)
        #expect(log.contains("pc-multifunction.xml:13:7: note: libvirt sets multifunction='on' on function 0 of slot 0000:00:04"))
        #expect(log.contains("[multifunction.derived]"))
    }
}
