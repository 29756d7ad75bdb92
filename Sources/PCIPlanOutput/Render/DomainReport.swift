import PCIPlanPlanner
import PCIPlanSource

/// What `pciplan report` shows of one domain: what `check` found, and when the file can be
/// planned, the machine, the topology drawing and the headroom.
public struct DomainReport: Sendable, Hashable, Codable {
    /// What `check` found in the domain's file.
    public var checked: CheckedFile
    /// The machine type (`pc-q35-7.2`), when the file could be planned.
    public var machine: String?
    /// The topology as SVG (`SVGRenderer`), when the file could be planned.
    public var topology: String?
    /// The headroom in words (`HeadroomRenderer.text`), when the file could be planned.
    public var headroom: String?

    /// A report from its parts.
    public init(checked: CheckedFile, machine: String? = nil, topology: String? = nil, headroom: String? = nil) {
        self.checked = checked
        self.machine = machine
        self.topology = topology
        self.headroom = headroom
    }

    /// The report of a domain `plan` could plan.
    public init(checked: CheckedFile, planned: PlannedDomain) {
        let headroom = Planner.headroom(planned)
        self.init(checked: checked, machine: planned.normalized.definition.machine,
                  topology: SVGRenderer.render(planned, headroom: headroom),
                  headroom: HeadroomRenderer.text(headroom, plan: planned))
    }
}
