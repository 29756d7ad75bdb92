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
}
