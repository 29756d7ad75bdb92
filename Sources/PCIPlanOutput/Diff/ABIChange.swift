import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// One guest-visible PCI difference between two planned definitions of the same guest.
///
/// Every change has a stable identifier (`kind`) whose severity never varies, so scripts can
/// filter on either. The catalogue with the reasoning behind each severity is Docs/abi.md.
public struct ABIChange: Sendable, Hashable {
    /// How much a change matters to a guest that was installed on the old definition.
    public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        /// An edit that leaves every existing device alone (a device added or removed).
        case info
        /// Guest-visible, accepted by libvirt, usually survived by guests (renamed slots, a
        /// new device on an address another one had).
        case warning
        /// The guest sees different hardware where it had a device: drivers rebind, NICs and
        /// disks are renamed, a saved or migrated guest breaks.
        case breaking

        private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// What changed. The raw value is the identifier printed in brackets.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case moved = "diff.moved"
        case upstream = "diff.upstream"
        case multifunction = "diff.multifunction"
        case connectKind = "diff.connectKind"
        case controller = "diff.controller"
        case controllerTarget = "diff.controllerTarget"
        case displaced = "diff.displaced"
        case added = "diff.added"
        case removed = "diff.removed"

        public var severity: Severity {
            switch self {
            case .moved, .upstream, .multifunction, .connectKind, .controller: .breaking
            case .controllerTarget, .displaced: .warning
            case .added, .removed: .info
            }
        }

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
