/// Checks of explicit addresses and controllers (stage 4, beside the planner).
public enum Checker {
    /// Checks that must pass before planning (controller sanity).
    public static func preflight(_ n: NormalizedDomain) -> [Diagnostic] {
        var diags: [Diagnostic] = []
        let file = n.definition.file
        func range(_ i: Int) -> SourceRange? {
            n.devices[i].element.map { SourceRange(file: file.name, start: $0.startTag.lowerBound, end: $0.startTag.upperBound) }
        }
        for i in n.controllerOrder {
            guard let c = n.devices[i].controller, c.type == "pci" else { continue }
            if c.index == 0, let m = c.model, m != n.family.rootModel.rawValue {
                diags.append(Diagnostic(.controllerWrongRoot, .error,
                    "the PCI controller with index 0 must be model='\(n.family.rootModel.rawValue)' on a \(n.family == .q35 ? "q35" : "pc (i440fx)") machine, but it is model='\(m)'",
                    at: range(i), notes: [.init("libvirt 9.0 rejects this definition: The PCI controller with index='0' must be model='\(n.family.rootModel.rawValue)' for this machine type, but model='\(m)' was found instead")]))
            }
        }
        return diags
    }

    /// Every check of `pciplan check` that does not need a plan.
    public static func check(_ n: NormalizedDomain, options: PlanOptions) -> [Diagnostic] {
        preflight(n)
    }

    /// Checks on the planned result (multifunction policy, QEMU's multifunction rule).
    public static func afterPlan(_ p: PlannedDomain, options: PlanOptions) -> [Diagnostic] {
        []
    }
}
