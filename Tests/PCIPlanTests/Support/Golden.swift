import Foundation
import Testing

/// Golden files: pciplan's own expected outputs, kept next to the inputs and compared whole.
///
/// A mismatch is reported as a unified line diff (expected `-`, pciplan `+`), never as two blobs.
/// Record mode, `PCIPLAN_RECORD=1 swift test`, writes pciplan's output over the golden file and
/// still fails the test, so nobody records by accident and CI can never pass while recording;
/// review what was written with `git diff`. Recordings of libvirt or QEMU are never written.
enum Golden {
    /// The environment variable that turns record mode on (any value but empty or `0`).
    static let recordVariable = "PCIPLAN_RECORD"

    static var recording: Bool {
        let v = ProcessInfo.processInfo.environment[recordVariable] ?? ""
        return !v.isEmpty && v != "0"
    }

    /// Whether `url` is something the real libvirt or QEMU produced, which record mode must never
    /// overwrite: `expected.xml` / `expected.err` (golden cases), `X.libvirt.xml` (ABI cases) and
    /// everything under `Fixtures/qemu/` (libvirt's own `-device` arguments).
    static func isOracleRecording(_ url: URL) -> Bool {
        let name = url.lastPathComponent
        let parts = url.standardizedFileURL.pathComponents
        let underQEMU = zip(parts, parts.dropFirst()).contains { $0 == ("Fixtures", "qemu") }
        return name == "expected.xml" || name == "expected.err" || name.hasSuffix(".libvirt.xml") || underQEMU
    }

    /// A run's exit status and one of its output streams, as one text: `exit: N` on the first
    /// line, then the stream exactly as printed.
    static func transcript(status: Int32, _ text: String) -> String {
        "exit: \(status)\n\(text)"
    }

    /// Expects `actual` to equal the golden file at `url`; in record mode writes it there instead
    /// and fails with a message saying so.
    static func expect(_ actual: String, matches url: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        let shown = relativePath(url)
        if recording {
            record(actual, to: url, shown: shown, sourceLocation: sourceLocation)
            return
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("no golden file \(shown); record it with \(recordVariable)=1 swift test, then review it with git diff",
                         sourceLocation: sourceLocation)
            return
        }
        expectEqual(actual, String(decoding: data, as: UTF8.self), expected: shown, actual: "pciplan",
                    hint: "if the new output is right: \(recordVariable)=1 swift test, then review with git diff",
                    sourceLocation: sourceLocation)
    }

    /// Expects two texts to be equal, showing a unified diff from `expected` to `actual` if not.
    static func expectEqual(
        _ actualText: String, _ expectedText: String, expected: String, actual: String, hint: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard actualText != expectedText else { return }
        let diff = LineDiff(lines(expectedText), lines(actualText)).unified(from: expected, to: actual)
        Issue.record(Comment(rawValue: "\(actual) differs from \(expected)\(hint.map { " (\($0))" } ?? ""):\n\(diff)"),
                     sourceLocation: sourceLocation)
    }

    /// In record mode: golden files that should no longer exist are removed (and the test fails,
    /// as for every recording); otherwise their existence is a failure.
    static func expectAbsent(_ urls: [URL], because reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let present = urls.filter { FileManager.default.fileExists(atPath: $0.path) }
        guard !present.isEmpty else { return }
        let shown = present.map(relativePath).joined(separator: ", ")
        guard recording else {
            Issue.record("stale golden files (\(reason)): \(shown); \(recordVariable)=1 swift test removes them", sourceLocation: sourceLocation)
            return
        }
        for url in present where !isOracleRecording(url) {
            try? FileManager.default.removeItem(at: url)
        }
        Issue.record("\(recordVariable) is set: removed \(shown) (\(reason)); review with git status, then run again without it",
                     sourceLocation: sourceLocation)
    }

    /// Splits on `\n`, keeping a last empty line when the text ends with one, so a missing final
    /// newline shows in the diff.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private static func record(_ actual: String, to url: URL, shown: String, sourceLocation: SourceLocation) {
        guard !isOracleRecording(url) else {
            Issue.record("refusing to record \(shown): it is a recording of the real libvirt / QEMU (see the README next to it)",
                         sourceLocation: sourceLocation)
            return
        }
        let old = FileManager.default.contents(atPath: url.path)
        let new = Data(actual.utf8)
        do {
            if old != new { try new.write(to: url, options: .atomic) }
            let what = old == nil ? "wrote new" : old == new ? "kept unchanged" : "rewrote"
            Issue.record("\(recordVariable) is set: \(what) \(shown); review with git diff, then run again without it",
                         sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(recordVariable) is set, but \(shown) could not be written: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The path from the package root, for messages (`Tests/PCIPlanTests/Fixtures/…`).
    static func relativePath(_ url: URL) -> String {
        let root = PCIPlanBinary.packageRoot.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}

/// A longest-common-subsequence diff of two lists of lines, printable as a unified diff.
struct LineDiff {
    enum Op: Equatable {
        case kept(String)
        case removed(String)
        case added(String)
    }

    private(set) var ops: [Op] = []

    var removed: [String] { ops.compactMap { if case .removed(let l) = $0 { l } else { nil } } }
    var added: [String] { ops.compactMap { if case .added(let l) = $0 { l } else { nil } } }
    var keptCount: Int { ops.count(where: { if case .kept = $0 { true } else { false } }) }

    /// Above this many cells (lines × lines of the part that differs) the table would be too
    /// big, and the differing part is shown as all removed, then all added: still a correct diff.
    static let maxCells = 4_000_000

    init(_ a: [String], _ b: [String]) {
        // Equal first and last lines belong to a longest common subsequence; the table only
        // covers what lies between them.
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = a[head..<(a.count - tail)], y = b[head..<(b.count - tail)]
        ops = a[..<head].map(Op.kept) + Self.middle(Array(x), Array(y)) + a[(a.count - tail)...].map(Op.kept)
    }

    private static func middle(_ x: [String], _ y: [String]) -> [Op] {
        let n = x.count, m = y.count
        guard n > 0, m > 0, n * m <= maxCells else { return x.map(Op.removed) + y.map(Op.added) }
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n && j < m {
            if x[i] == y[j] {
                ops.append(.kept(x[i]))
                i += 1
                j += 1
            } else if lcs[i + 1][j] >= lcs[i][j + 1] {
                ops.append(.removed(x[i]))
                i += 1
            } else {
                ops.append(.added(y[j]))
                j += 1
            }
        }
        return ops + x[i...].map(Op.removed) + y[j...].map(Op.added)
    }

    /// The diff as `diff -u` prints it: `--- from`, `+++ to`, then hunks with `context` lines
    /// around each change and `@@ -line,count +line,count @@` headers (1-based lines).
    func unified(from: String, to: String, context: Int = 3) -> String {
        let changed = ops.indices.filter { if case .kept = ops[$0] { false } else { true } }
        guard !changed.isEmpty else { return "(no differences)" }
        // Hunks: runs of ops within `context` of a change, merged when they touch.
        var hunks: [ClosedRange<Int>] = []
        for k in changed {
            let r = max(0, k - context)...min(ops.count - 1, k + context)
            if let last = hunks.last, r.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                hunks.append(r)
            }
        }
        // Line numbers in the old and new text where each op starts.
        var oldLine = [Int](), newLine = [Int]()
        var o = 1, n = 1
        for op in ops {
            oldLine.append(o)
            newLine.append(n)
            switch op {
            case .kept: o += 1; n += 1
            case .removed: o += 1
            case .added: n += 1
            }
        }
        var out = ["--- \(from)", "+++ \(to)"]
        for h in hunks {
            let slice = ops[h]
            let oldCount = slice.count(where: { if case .added = $0 { false } else { true } })
            let newCount = slice.count(where: { if case .removed = $0 { false } else { true } })
            // diff -u numbers an empty side by the line before it.
            let oldStart = oldCount == 0 ? oldLine[h.lowerBound] - 1 : oldLine[h.lowerBound]
            let newStart = newCount == 0 ? newLine[h.lowerBound] - 1 : newLine[h.lowerBound]
            out.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for op in slice {
                switch op {
                case .kept(let l): out.append(" \(l)")
                case .removed(let l): out.append("-\(l)")
                case .added(let l): out.append("+\(l)")
                }
            }
        }
        return out.joined(separator: "\n")
    }
}
