import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

extension QEMUArgsRenderer {
    /// Device indices in the order `qemuBuildCommandLine` emits them (see
    /// `NormalizedDomain.commandLineOrder`; the checker needs the same order).
    static func commandLineOrder(_ plan: PlannedDomain) -> [Int] {
        plan.normalized.commandLineOrder
    }
}
