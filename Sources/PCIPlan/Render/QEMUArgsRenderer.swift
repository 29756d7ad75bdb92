/// Placeholder until implemented.
public enum QEMUArgsRenderer {
    public static func render(_ plan: PlannedDomain) -> String { "" }
}
