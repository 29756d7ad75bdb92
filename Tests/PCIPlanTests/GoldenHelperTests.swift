import Foundation
import Testing

/// The golden-file helper itself: its diff reads like `diff -u`, and record mode cannot touch
/// what libvirt or QEMU recorded.
@Suite("golden helper")
struct GoldenHelperTests {
    @Test("a mismatch is shown as unified hunks with line numbers and context")
    func unified() {
        let a = (1...12).map { "line \($0)" }
        var b = a
        b[1] = "line two"
        b.insert("new line", at: 10)
        let text = LineDiff(a, b).unified(from: "expected", to: "pciplan", context: 1)
        #expect(text == """
            --- expected
            +++ pciplan
            @@ -1,3 +1,3 @@
             line 1
            -line 2
            +line two
             line 3
            @@ -10,2 +10,3 @@
             line 10
            +new line
             line 11
            """)
    }

    @Test("equal first and last lines are kept, and only the middle differs")
    func ops() {
        let d = LineDiff(["a", "b", "c", "d"], ["a", "x", "c", "d"])
        #expect(d.ops == [.kept("a"), .removed("b"), .added("x"), .kept("c"), .kept("d")])
        #expect(d.keptCount == 3 && d.removed == ["b"] && d.added == ["x"])
    }

    @Test("a missing final newline shows as a removed empty line")
    func finalNewline() {
        let d = LineDiff(Golden.lines("a\n"), Golden.lines("a"))
        #expect(d.removed == [""] && d.added.isEmpty)
    }

    @Test("libvirt's and QEMU's recordings are never recorded over", arguments: [
        ("Tests/PCIPlanTests/Fixtures/golden/pc-minimal/expected.xml", true),
        ("Tests/PCIPlanTests/Fixtures/golden/pc-err-slot-0x20/expected.err", true),
        ("Tests/PCIPlanTests/Fixtures/abi/mf-seed/old.libvirt.xml", true),
        ("Tests/PCIPlanTests/Fixtures/qemu/q35-minimal/expected.args", true),
        ("Tests/PCIPlanTests/Fixtures/golden/q35-minimal/expected.args", false),
        ("Tests/PCIPlanTests/Fixtures/golden/q35-minimal/expected.diagnostics", false),
        ("Tests/PCIPlanTests/Fixtures/abi/mf-seed/expected.old-to-new.diff", false),
    ])
    func oracleRecordings(_ path: String, _ oracle: Bool) {
        #expect(Golden.isOracleRecording(PCIPlanBinary.packageRoot.appendingPathComponent(path)) == oracle)
    }
}
