import Testing
@testable import PCIPlan

/// Inline domain XML with markers where diagnostics must point (style guide rule 12).
///
/// `⟨⟩` is the unnamed marker, `⟨name⟩` a named one (for notes and fix-its); markers are
/// removed from the text before it is read, and each remembers the byte offset it stood at.
struct Marked {
    let text: String
    let file: SourceFile
    private let offsets: [String: Int]

    init(_ raw: String, name: String = "vm.xml") {
        let open: [UInt8] = Array("⟨".utf8), close: [UInt8] = Array("⟩".utf8)
        let bytes = Array(raw.utf8)
        var out: [UInt8] = []
        var marks: [String: Int] = [:]
        var i = 0
        while i < bytes.count {
            if bytes[i...].starts(with: open), let end = Self.find(close, in: bytes, from: i + open.count) {
                marks[String(decoding: bytes[(i + open.count)..<end], as: UTF8.self)] = out.count
                i = end + close.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        text = String(decoding: out, as: UTF8.self)
        file = SourceFile(name: name, bytes: out)
        offsets = marks
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard from <= hay.count - needle.count else { return nil }
        return (from...(hay.count - needle.count)).first { hay[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// A pc (i440fx) domain around `devices`.
    static func pc(_ devices: String) -> Marked { Marked(domain("pc-i440fx-7.2", devices)) }
    /// A q35 domain around `devices`.
    static func q35(_ devices: String) -> Marked { Marked(domain("pc-q35-7.2", devices)) }

    static func domain(_ machine: String, _ devices: String) -> String {
        """
        <domain type='kvm'>
          <name>vm</name>
          <memory unit='KiB'>1048576</memory>
          <os>
            <type arch='x86_64' machine='\(machine)'>hvm</type>
          </os>
          <devices>
        \(devices)
          </devices>
        </domain>

        """
    }

    func offset(_ marker: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
        guard let o = offsets[marker] else {
            Issue.record("the test text has no marker ⟨\(marker)⟩", sourceLocation: sourceLocation)
            return nil
        }
        return o
    }

    /// 1-based line and column of a marker.
    func position(_ marker: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> (line: Int, column: Int)? {
        offset(marker, sourceLocation: sourceLocation).map { file.lineColumn(of: $0) }
    }

    func position(of range: SourceRange?) -> (line: Int, column: Int)? {
        range.map { file.lineColumn(of: $0.start) }
    }

    func check(_ multifunction: PlanOptions.MultifunctionPolicy = .libvirt) -> [Diagnostic] {
        var o = PlanOptions()
        o.multifunction = multifunction
        return Pipeline.check(file, options: o)
    }

    func plan(_ multifunction: PlanOptions.MultifunctionPolicy = .libvirt) -> Pipeline.PlanOutcome {
        var o = PlanOptions()
        o.multifunction = multifunction
        return Pipeline.plan(file, options: o)
    }

    /// The text with `fix` applied (its range replaced by its replacement).
    func applying(_ fix: FixIt) -> String? {
        guard let r = fix.range, let rep = fix.replacement else { return nil }
        let b = file.bytes
        return String(decoding: b[..<r.start] + Array(rep.utf8) + b[r.end...], as: UTF8.self)
    }

    /// Asserts that exactly one diagnostic has `id`, that it has `severity` and that it points
    /// at `marker` (line and column); returns it.
    @discardableResult
    func expectOne(
        _ id: DiagnosticID, _ severity: Severity, at marker: String = "", in diags: [Diagnostic],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Diagnostic? {
        let found = diags.filter { $0.id == id }
        guard found.count == 1, let d = found.first else {
            Issue.record("expected one [\(id.rawValue)], got \(found.count):\n\(render(diags))", sourceLocation: sourceLocation)
            return nil
        }
        #expect(d.severity == severity, "\(render([d]))", sourceLocation: sourceLocation)
        expect(d.range, at: marker, "\(render([d]))", sourceLocation: sourceLocation)
        return d
    }

    /// Asserts that a range starts at a marker (compared as line and column).
    func expect(_ range: SourceRange?, at marker: String, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        guard let want = position(marker, sourceLocation: sourceLocation) else { return }
        let got = position(of: range)
        #expect(got?.line == want.line && got?.column == want.column,
                "expected \(want.line):\(want.column) (⟨\(marker)⟩), got \(got.map { "\($0.line):\($0.column)" } ?? "no location")\n\(context)",
                sourceLocation: sourceLocation)
    }

    /// Asserts that `d` has a note containing `text`, at `marker` when given.
    func expectNote(_ d: Diagnostic?, containing text: String, at marker: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let d else { return }
        guard let n = d.notes.first(where: { $0.message.contains(text) }) else {
            Issue.record("no note containing \"\(text)\":\n\(render([d]))", sourceLocation: sourceLocation)
            return
        }
        if let marker { expect(n.range, at: marker, render([d]), sourceLocation: sourceLocation) }
    }

    func render(_ diags: [Diagnostic]) -> String { DiagnosticPrinter(files: [file]).render(diags) }
}

extension Array where Element == Diagnostic {
    func with(_ id: DiagnosticID) -> [Diagnostic] { filter { $0.id == id } }
    var errors: [Diagnostic] { filter { $0.severity == .error } }
}
