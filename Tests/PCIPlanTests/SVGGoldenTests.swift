import Foundation
import Testing

/// `plan --format svg` for a few golden inputs (`Fixtures/golden/<case>/expected.svg`): one of
/// each shape the drawing must handle — pc with derived multifunction, q35 root ports with a
/// pcie-to-pci-bridge and free slots, no free port, a PCIe switch, an expander bus, spare
/// ports. Recorded like the other goldens (`PCIPLAN_RECORD=1`, see Fixtures/golden/README.md).
@Suite("plan --format svg matches its recorded drawing for a few golden inputs")
struct SVGGoldenTests {
    static let cases = [
        "example-pc-multifunction", "example-q35-desktop", "example-q35-no-free-port",
        "q35-pcie-switch", "pc-pci-expander-bus", "spares-q35-ports4",
    ]

    @Test("each chosen golden input gives its recorded drawing", arguments: cases)
    func drawing(_ name: String) throws {
        let dir = GoldenOutputTests.root.appendingPathComponent(name)
        let r = try PCIPlanBinary.run(["plan", "input.xml", "--format", "svg"], in: dir)
        #expect(!r.crashed && r.status == 0, "\(r.stderr)")
        Golden.expect(r.stdout, matches: dir.appendingPathComponent("expected.svg"))
    }
}
