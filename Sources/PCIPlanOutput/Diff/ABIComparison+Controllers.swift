import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Controller checks: the model libvirt compares, and the options it fills in but does not
/// compare (`<model name>`, chassisNr, chassis, port, busNr; spec §8 and §10 #7).
extension ABIComparison {
    func controllerChanges(_ i: Int, _ j: Int) -> [ABIChange] {
        guard let oc = old.controllerInfo(i), let nc = new.controllerInfo(j) else { return [] }
        var out: [ABIChange] = []
        if oc.model != nc.model {
            let (oa, na) = (old.placements[i]?.address, new.placements[j]?.address)
            let moved = oa != na ? ", and \(na.map { "sits at \($0)" } ?? "has no PCI address")\(oa.map { " instead of \($0)" } ?? "")" : ""
            out.append(change(.controller,
                "\(label(.old, i)) changes model from '\(oc.model ?? "default")' to '\(nc.model ?? "default")'\(moved)",
                old: i, new: j,
                notes: [.init("now \(label(.new, j))", at: location(.new, j)),
                        .init("libvirt's own ABI check refuses this too: Target controller model does not match source")]))
            return out
        }
        guard oc.type == "pci" else { return out }
        if oc.modelName != nc.modelName {
            out.append(change(.controller,
                "\(label(.old, i)) changes its QEMU device (<model name>) from '\(oc.modelName ?? "none")' to '\(nc.modelName ?? "none")'",
                old: i, new: j,
                notes: [.init("now \(label(.new, j))", at: location(.new, j)),
                        .init("libvirt's own ABI check ignores <model name>, but the guest sees another vendor and device ID")],
                libvirtChecks: false))
        }
        let fields: [(String, Int?, Int?, (Int) -> String)] = [
            ("chassisNr", oc.chassisNr, nc.chassisNr, String.init),
            ("chassis", oc.chassis, nc.chassis, String.init),
            ("port", oc.port, nc.port, { "0x" + String($0, radix: 16) }),
            ("busNr", oc.busNr, nc.busNr, String.init),
        ]
        let diffs = fields.filter { $0.1 != $0.2 }.map { f in
            "\(f.0) \(f.1.map(f.3) ?? "unset") → \(f.2.map(f.3) ?? "unset")"
        }
        if !diffs.isEmpty {
            var notes: [ABIChange.Note] = [.init("now \(label(.new, j))", at: location(.new, j))]
            let filled = [new.filledDefaults[j], old.filledDefaults[i]].contains { $0 != nil }
            if filled { notes.append(.init("libvirt fills these in when the XML lacks them (chassis from the index, port from the address)")) }
            let names = fields.filter { $0.1 != $0.2 }.map(\.0)
            let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "") : names.joined()
            notes.append(.init("libvirt's own ABI check ignores \(list), but the guest sees \(names.count > 1 ? "them" : "it") (PCIe slot and bus numbers, and device names derived from them)"))
            out.append(change(.controllerTarget, "\(label(.old, i)) changes \(diffs.joined(separator: ", "))",
                              old: i, new: j, notes: notes))
        }
        return out
    }
}
