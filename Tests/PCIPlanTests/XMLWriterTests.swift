import Foundation
import Testing
@testable import PCIPlan

/// The XML write-back where the input gives it little to hold on to.
@Suite("XMLWriter on sparse input")
struct XMLWriterTests {
    static func domain(_ machine: String, devices: String) -> String {
        """
        <domain type='kvm'>
          <name>vm</name>
          <os>
            <type arch='x86_64' machine='\(machine)'>hvm</type>
          </os>
        \(devices)
        </domain>

        """
    }

    static func plan(_ text: String) throws -> String {
        let file = SourceFile(name: "vm.xml", text: text)
        let outcome = Pipeline.plan(file)
        let planned = try #require(outcome.planned, "\(DiagnosticPrinter(files: [file]).render(outcome.diagnostics))")
        return String(decoding: XMLWriter.render(planned), as: UTF8.self)
    }

    @Test("a self-closing <devices/> is opened and holds what libvirt adds, indented like its neighbours",
          arguments: ["pc", "q35"])
    func selfClosingDevices(_ machine: String) throws {
        let output = try Self.plan(Self.domain(machine, devices: "  <devices/>"))
        #expect(!output.contains("<devices/>"))
        #expect(output.contains("  </os>\n  <devices>\n    <controller type="), "\(output)")
        #expect(output.hasSuffix("  </devices>\n</domain>\n"), "\(output)")
        let root = try XMLReader.parse(SourceFile(name: "planned.xml", text: output))
        #expect(root.children.map(\.name) == ["name", "os", "devices"], "added elements ended up outside <devices>")
        let added = try #require(root.child("devices")).children
        #expect(added.contains { $0.name == "controller" } && added.contains { $0.name == "memballoon" })
        // Every added line is indented one step (two spaces) per level below <devices>.
        for line in output.split(separator: "\n") where line.contains("<controller") || line.contains("<memballoon") {
            #expect(line.hasPrefix("    <") && !line.hasPrefix("     "), "\(line)")
        }
    }

    @Test("planning the output of a self-closing <devices/> again changes nothing", arguments: ["pc", "q35"])
    func selfClosingDevicesIdempotent(_ machine: String) throws {
        for devices in ["  <devices/>", "  <devices />", "<devices\n/>"] {
            let once = try Self.plan(Self.domain(machine, devices: devices))
            let twice = try Self.plan(once)
            #expect(twice == once, "\(devices): the second plan changed the output:\n\(twice)")
        }
    }

    /// `render` applies the edits from one shared buffer (`EditList`); applied instead one at a
    /// time from the end of the file with `replaceSubrange` (insertions at one offset in their
    /// given order, each after the edits before it), the public `edits` must give the same bytes.
    @Test("the edits, applied one by one from the end, give the rendered file; some come out of file order",
          .enabled(if: ConformanceCheckTests.available, "../shared/conformance is not beside the checkout"))
    func editsReplayed() throws {
        var planned = 0, unordered = 0
        for c in ConformanceCheckTests.cases() {
            let file = SourceFile(name: c.name, bytes: try [UInt8](Data(contentsOf: c.input)))
            guard let plan = Pipeline.plan(file).planned else { continue }
            let edits = XMLWriter.edits(plan)
            // An edit at the offset where an earlier one ends or inside it goes after it (a
            // device's line removed, the added controllers inserted where it began).
            var at = [Int](repeating: 0, count: edits.count)
            var end = 0
            for k in edits.indices.sorted(by: { (edits[$0].range.lowerBound, $0) < (edits[$1].range.lowerBound, $1) }) {
                at[k] = max(edits[k].range.lowerBound, end)
                end = max(end, edits[k].range.upperBound)
            }
            var bytes = file.bytes
            for k in edits.indices.sorted(by: { (at[$0], $0) > (at[$1], $1) }) {
                bytes.replaceSubrange(at[k]..<max(at[k], edits[k].range.upperBound), with: edits[k].replacement)
            }
            #expect(bytes == XMLWriter.render(plan), "\(c.name)")
            planned += 1
            if zip(edits, edits.dropFirst()).contains(where: { $0.range.lowerBound > $1.range.lowerBound }) { unordered += 1 }
        }
        #expect(planned > 300 && unordered > 10, "planned \(planned), edits out of file order in \(unordered)")
    }
}
