import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// One guest-visible PCI difference between two planned definitions of the same guest.
///
/// Every change has a stable identifier (`kind`) whose severity never varies, so scripts can
/// filter on either. The catalogue with the reasoning behind each severity is Docs/abi.md.
public struct ABIChange: Sendable, Hashable {
    /// How much a change matters to a guest that was installed on the old definition.
    public typealias Severity = ChangeSeverity

    /// What changed: one rule of the diagnostics catalogue each (`diff.*`), whose entry gives
    /// its severity and summary. The raw value is the identifier printed in brackets.
    public enum Kind: Sendable, Hashable, CaseIterable, RawRepresentable {
        case moved, upstream, multifunction, connectKind, controller, controllerTarget, displaced, added, removed

        /// The catalogue's rule for this kind.
        public var id: DiagnosticID {
            switch self {
            case .moved: .diffMoved
            case .upstream: .diffUpstream
            case .multifunction: .diffMultifunction
            case .connectKind: .diffConnectKind
            case .controller: .diffController
            case .controllerTarget: .diffControllerTarget
            case .displaced: .diffDisplaced
            case .added: .diffAdded
            case .removed: .diffRemoved
            }
        }

        public init?(rawValue: String) {
            guard let k = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = k
        }

        public var rawValue: String { id.rawValue }

        public var severity: Severity { id.changeSeverity }

        /// Whether libvirt's own ABI check (`virDomainDefCheckABIStability`) refuses such a
        /// change (device counts, addresses, controller models); a change may override it.
        public var libvirtChecks: Bool {
            switch self {
            case .moved, .controller, .added, .removed: true
            case .upstream, .multifunction, .connectKind, .controllerTarget, .displaced: false
            }
        }
    }

    /// A place in one of the two files; `offset` is nil for a device libvirt adds (it has no
    /// element), and the file name alone is printed.
    public struct Location: Sendable, Hashable {
        public var file: String
        public var offset: Int?
        public init(file: String, offset: Int?) {
            self.file = file
            self.offset = offset
        }
    }

    public struct Note: Sendable, Hashable {
        public var message: String
        public var at: Location?
        public init(_ message: String, at: Location? = nil) {
            self.message = message
            self.at = at
        }
    }

    /// The device's state on one side, for JSON.
    public struct Side: Sendable, Hashable {
        public var name: String
        public var alias: String?
        public var address: PCIAddress?
        public var multifunction: Tristate
        public var at: Location
    }

    public var kind: Kind
    public var severity: Severity { kind.severity }
    public var message: String
    public var at: Location
    public var notes: [Note]
    public var old: Side?
    public var new: Side?
    /// Whether libvirt's own ABI check would refuse this change too.
    public var libvirtChecks: Bool

    public init(_ kind: Kind, _ message: String, at: Location, notes: [Note] = [], old: Side?, new: Side?,
                libvirtChecks: Bool? = nil)
    {
        self.kind = kind
        self.message = message
        self.at = at
        self.notes = notes
        self.old = old
        self.new = new
        self.libvirtChecks = libvirtChecks ?? kind.libvirtChecks
    }
}

/// The result of `Pipeline.diff`.
public struct DiffOutcome: Sendable {
    public var old: SourceFile
    public var new: SourceFile
    /// Both planned domains, when both could be planned.
    public var planned: (old: PlannedDomain, new: PlannedDomain)?
    public var changes: [ABIChange]
    /// Diagnostics of planning either file (an error means nothing was compared).
    public var diagnostics: [Diagnostic]

    /// An outcome of comparing `old` with `new`.
    public init(old: SourceFile, new: SourceFile, planned: (old: PlannedDomain, new: PlannedDomain)? = nil,
                changes: [ABIChange], diagnostics: [Diagnostic]) {
        self.old = old
        self.new = new
        self.planned = planned
        self.changes = changes
        self.diagnostics = diagnostics
    }

    public var hasBreaking: Bool { changes.contains { $0.severity == .breaking } }

    public func count(_ s: ABIChange.Severity) -> Int { changes.filter { $0.severity == s }.count }
}
