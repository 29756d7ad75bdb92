import Foundation
import Testing

/// For every golden input libvirt 9.0 refused, `pciplan check` refuses it too and quotes
/// libvirt's own message in a note (`note: libvirt 9.0 rejects this definition: <message>`), so a
/// user can search for what virsh would have said. The message is the second line of the
/// recorded `expected.err` (`error: <message>`), without libvirt's error-class prefix.
@Suite("check quotes libvirt's message for each input libvirt refuses")
struct LibvirtRejectionTests {
    /// A case whose diagnostics do not quote libvirt's message: why, and what pciplan prints
    /// instead (checked, so the entry has to go once the message is quoted).
    struct KnownDifference: Sendable {
        var reason: String
        var instead: String
    }

    static let knownDifferences: [String: KnownDifference] = [
        "pc-err-function-8": KnownDifference(
            reason: "the error is libvirt's message itself with the first letter lowercased (our message style), and there is no libvirt note",
            instead: "input.xml:15:76: error: invalid PCI address function=0x8, must be <= 7 [address.outOfRange]"),
        "pc-err-slot-0x20": KnownDifference(
            reason: "the error is libvirt's message itself with the first letter lowercased (our message style), and there is no libvirt note",
            instead: "input.xml:15:60: error: invalid PCI address slot='0x20', must be <= 0x1F [address.outOfRange]"),
    ]

    /// virsh prints libvirt's error class before the message (virErrorMsg in libvirt's
    /// virerror.c); pciplan quotes the message alone.
    static let errorClasses = [
        "internal error: ", "XML error: ", "unsupported configuration: ", "operation failed: ", "invalid argument: ",
        "Requested operation is not valid: ", "XML document failed to validate against schema: ",
    ]

    static let root = GoldenOutputTests.root

    static var cases: [String] { GoldenOutputTests.cases.filter(GoldenOutputTests.rejected) }

    /// libvirt's message from virsh's two lines: `error: Failed to define domain from …`, then
    /// `error: <class>: <message>`.
    static func libvirtMessage(_ recorded: String) -> String? {
        let lines = recorded.split(separator: "\n").map(String.init)
        guard lines.count == 2, lines[0].hasPrefix("error: Failed to define domain"), lines[1].hasPrefix("error: ") else { return nil }
        let message = String(lines[1].dropFirst("error: ".count))
        guard let prefix = errorClasses.first(where: message.hasPrefix) else { return message }
        return String(message.dropFirst(prefix.count))
    }

    @Test("there are refused inputs to compare")
    func casesExist() {
        #expect(Self.cases.count >= 20)
    }

    @Test("check refuses the input and quotes libvirt's message", arguments: cases)
    func quotesLibvirt(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let recorded = try String(contentsOf: dir.appendingPathComponent("expected.err"), encoding: .utf8)
        let message = try #require(Self.libvirtMessage(recorded), "\(name)/expected.err is not virsh's two error lines:\n\(recorded)")
        let r = try PCIPlanBinary.run(["check", "input.xml"], in: dir)
        #expect(r.status == 1, "libvirt refuses \(name), pciplan check exits \(r.status):\n\(r.stderr)")
        let quoted = r.stderr.split(separator: "\n").contains { $0.hasSuffix(": note: libvirt 9.0 rejects this definition: \(message)") }
        if let known = Self.knownDifferences[name] {
            #expect(!quoted, "\(name) quotes libvirt's message now: remove it from knownDifferences")
            #expect(r.stderr.contains(known.instead), "\(name): the known difference changed; pciplan check prints:\n\(r.stderr)")
        } else {
            #expect(quoted, "\(name): libvirt says \"\(message)\"; pciplan check prints:\n\(r.stderr)")
        }
    }

    @Test("every known difference is a case libvirt refuses")
    func knownDifferencesExist() {
        let stale = Set(Self.knownDifferences.keys).subtracting(Self.cases).sorted()
        #expect(stale.isEmpty, "knownDifferences names cases that are not refused golden cases: \(stale.joined(separator: ", "))")
    }
}
