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
        /// The device's PCI address changed, or it gained or lost one of the same kind (breaking).
        case moved
        /// Same address, but the bus it names hangs off another controller chain, so the guest's
        /// device path changed (breaking).
        case upstream
        /// Function 0 of a slot gains or loses `multifunction='on'`, which QEMU builds into the device
        /// (breaking; libvirt's own ABI check ignores it).
        case multifunction
        /// The device changes between conventional PCI and PCI Express (breaking).
        case connectKind
        /// Same place, but the guest sees another device: QEMU device, vendor/device or subsystem
        /// ids, or class code (breaking).
        case deviceChanged
        /// A controller's model, or a PCI controller's QEMU device (`<model name>`), changed (breaking).
        case controller
        /// A PCI controller's chassisNr, chassis, port or busNr changed (warning).
        case controllerTarget
        /// A new device takes an address a removed or moved device had (warning).
        case displaced
        /// Same libvirt address, but the guest sees the device at another address, because the
        /// firmware numbers a bus differently (a bridge or port added, moved or removed before
        /// it): the guest renames it (breaking).
        case guestRenamed
        /// A device is added, or becomes a PCI device (info).
        case added
        /// A device is removed, or stops being a PCI device (info).
        case removed

        /// The catalogue's rule for this kind.
        public var id: DiagnosticID {
            switch self {
            case .moved: .diffMoved
            case .upstream: .diffUpstream
            case .multifunction: .diffMultifunction
            case .connectKind: .diffConnectKind
            case .deviceChanged: .diffDeviceChanged
            case .controller: .diffController
            case .controllerTarget: .diffControllerTarget
            case .displaced: .diffDisplaced
            case .added: .diffAdded
            case .removed: .diffRemoved
            case .guestRenamed: .diffGuestRenamed
            }
        }

        /// The kind whose identifier is `rawValue` (`diff.moved`), or nil.
        public init?(rawValue: String) {
            guard let k = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = k
        }

        /// The identifier printed in brackets, the catalogue rule's (`diff.moved`).
        public var rawValue: String { id.rawValue }

        /// The fixed severity of this kind of change, from the catalogue (Docs/abi.md gives the
        /// reasoning).
        public var severity: Severity { id.changeSeverity }

        /// Whether libvirt's own ABI check (`virDomainDefCheckABIStability`) refuses such a
        /// change (device counts, addresses, controller models); a change may override it.
        public var libvirtChecks: Bool {
            switch self {
            case .moved, .controller, .added, .removed: true
            case .upstream, .multifunction, .connectKind, .deviceChanged, .controllerTarget, .displaced, .guestRenamed: false
            }
        }
    }

    /// A place in one of the two files; `offset` is nil for a device libvirt adds (it has no
    /// element), and the file name alone is printed.
    public struct Location: Sendable, Hashable {
        /// The file's name, as `SourceFile.name`.
        public var file: String
        /// Byte offset of the device's start tag; nil for a device libvirt adds.
        public var offset: Int?
        /// The place at `offset` in the file named `file`.
        public init(file: String, offset: Int?) {
            self.file = file
            self.offset = offset
        }
    }

    /// A secondary message of a change: what the address was, why the new one was chosen, a fix.
    public struct Note: Sendable, Hashable {
        /// The note's text, printed as `note: …`.
        public var message: String
        /// Where the note points, in either file; nil prints the note without a position.
        public var at: Location?
        /// A note saying `message`, at `at` when given.
        public init(_ message: String, at: Location? = nil) {
            self.message = message
            self.at = at
        }
    }

    /// The device's state on one side, for JSON.
    public struct Side: Sendable, Hashable {
        /// The device's label (`disk 'vda' (virtio-disk0)`).
        public var name: String
        /// libvirt's alias for the device, if it has one.
        public var alias: String?
        /// Its PCI address on this side; nil when it has none.
        public var address: PCIAddress?
        /// The `multifunction` value its address has on this side.
        public var multifunction: Tristate
        /// Where the device is in this side's file.
        public var at: Location
        /// What QEMU shows the guest of it on this side; nil without a PCI address.
        public var guest: QEMUFunctionView? = nil
    }

    /// What changed; the raw value is the printed identifier.
    public var kind: Kind
    /// The severity, fixed by `kind`.
    public var severity: Severity { kind.severity }
    /// One line saying what changed, with both addresses where there are two.
    public var message: String
    /// Where the change is reported: the device in the old file, or in the new one when it is new.
    public var at: Location
    /// Why, where the other side is, and a fix when one is likely.
    public var notes: [Note]
    /// The device in the old definition; nil when it is new.
    public var old: Side?
    /// The device in the new definition; nil when it is gone.
    public var new: Side?
    /// Whether libvirt's own ABI check would refuse this change too.
    public var libvirtChecks: Bool

    /// A change of `kind`; `libvirtChecks` defaults to `Kind.libvirtChecks`.
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
    /// The old definition's file.
    public var old: SourceFile
    /// The new definition's file.
    public var new: SourceFile
    /// Both planned domains, when both could be planned.
    public var planned: (old: PlannedDomain, new: PlannedDomain)?
    /// Every guest-visible change, old devices first, in device order; empty when nothing changed or
    /// nothing could be compared.
    public var changes: [ABIChange]
    /// Diagnostics of planning either file (an error means nothing was compared).
    public var diagnostics: [Diagnostic]
    /// Every device present in both definitions and the rule that paired it.
    public var pairs: [ABIPair] = []

    /// An outcome of comparing `old` with `new`.
    public init(old: SourceFile, new: SourceFile, planned: (old: PlannedDomain, new: PlannedDomain)? = nil,
                changes: [ABIChange], diagnostics: [Diagnostic]) {
        self.old = old
        self.new = new
        self.planned = planned
        self.changes = changes
        self.diagnostics = diagnostics
    }

    /// Whether any change is breaking: what makes `pciplan diff` exit 1.
    public var hasBreaking: Bool { changes.contains { $0.severity == .breaking } }

    /// How many changes have severity `s`.
    public func count(_ s: ABIChange.Severity) -> Int { changes.filter { $0.severity == s }.count }
}
