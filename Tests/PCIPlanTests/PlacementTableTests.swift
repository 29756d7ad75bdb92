import Testing
import PCIPlanModel
@testable import PCIPlanPlanner

/// `PlacementTable` keeps placements in arrays by device index but reads like the dictionary
/// it replaced: these cases hold it to a `[Int: Placement]` fed the same changes.
@Suite("placement table")
struct PlacementTableTests {
    static func placement(_ slot: Int, _ f: Int = 0) -> Placement {
        Placement(address: PCIAddress(bus: 0, slot: slot, function: f), multifunction: .absent, provenance: .explicit)
    }

    /// One change: store `placement` for `device`, or remove it (nil).
    typealias Change = (device: Int, placement: Placement?)

    static let runs: [[Change]] = [
        [],
        [(0, placement(1))],
        [(5, placement(3)), (2, placement(4)), (9, placement(5, 1))],
        [(3, placement(1)), (3, placement(2))],                          // replaced
        [(1, placement(1)), (4, placement(2)), (1, nil)],                 // removed
        [(1, placement(1)), (1, nil), (1, placement(7))],                 // removed and stored again
        [(7, nil), (0, placement(2)), (12, placement(3)), (12, nil), (6, placement(4))],
    ]

    @Test("reads as the dictionary given the same changes", arguments: runs.indices)
    func sameAsDictionary(_ run: Int) {
        var table = PlacementTable()
        var reference: [Int: Placement] = [:]
        for c in Self.runs[run] {
            table[c.device] = c.placement
            reference[c.device] = c.placement
        }
        #expect(table.count == reference.count)
        #expect(table.isEmpty == reference.isEmpty)
        #expect(table.dictionary == reference)
        #expect(table.keys == reference.keys.sorted())
        #expect(table.values == reference.keys.sorted().map { reference[$0]! })
        #expect(table.map(\.key) == reference.keys.sorted())
        for i in -1...14 {
            #expect(table[i] == reference[i], "device \(i)")
            #expect(table.contains(i) == (reference[i] != nil), "device \(i)")
            #expect(table.address(of: i) == reference[i]?.address, "device \(i)")
            #expect(table.multifunction(of: i) == reference[i]?.multifunction, "device \(i)")
        }
        #expect(table.filter { $0.value.address.slot > 1 } == reference.filter { $0.value.address.slot > 1 })
        #expect(table.mapValues(\.address) == reference.mapValues(\.address))
        #expect(PlacementTable(reference) == table)
        #expect(table == table)
    }

    @Test("equal only with the same devices at the same addresses")
    func equality() {
        let a: PlacementTable = [1: Self.placement(3), 4: Self.placement(5)]
        var b = PlacementTable()
        b[4] = Self.placement(5)
        b[1] = Self.placement(3)
        #expect(a == b)
        b[4] = Self.placement(6)
        #expect(a != b)
        b[4] = nil
        #expect(a != b)
    }
}
