import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// A PCI address as the booted guest sees it (`lspci -D`, sysfs, udev): the bus is the number
/// the firmware gave the bus while it enumerated, not libvirt's controller index.
public struct GuestPCIAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The PCI domain (segment); 0 under libvirt's QEMU driver.
    public var domain: UInt32
    /// The bus number the firmware (SeaBIOS, OVMF) gave the bus (0–255).
    public var bus: Int
    /// The slot, as in libvirt's address (0–31).
    public var slot: Int
    /// The function, as in libvirt's address (0–7).
    public var function: Int

    /// The guest address `domain:bus:slot.function`.
    public init(domain: UInt32 = 0, bus: Int, slot: Int, function: Int) {
        self.domain = domain
        self.bus = bus
        self.slot = slot
        self.function = function
    }

    /// `0000:05:00.0`, as the guest prints it (and udev's `by-path` and `KERNELS==` use it).
    public var description: String { "\(hex(Int(domain), 4)):\(hex(bus, 2)):\(hex(slot, 2)).\(function)" }

    /// Orders by domain, bus, slot, then function: the guest's `lspci` order.
    public static func < (a: GuestPCIAddress, b: GuestPCIAddress) -> Bool {
        (a.domain, a.bus, a.slot, a.function) < (b.domain, b.bus, b.slot, b.function)
    }
}

/// What the guest sees of a planned domain's PCI topology: the bus number the firmware gives
/// every libvirt bus `pci.N` and so the guest address of every PCI function, and (see
/// `GuestNames.swift`) the names Linux derives from them.
///
/// The numbering is the one SeaBIOS 1.16 and OVMF 2022.11 both apply (recorded from booted
/// guests, `Tests/PCIPlanTests/Fixtures/guest/README.md`): the root bus is 0; the root bus is
/// walked in (slot, function) order and every bridge-type controller — pci-bridge,
/// pcie-root-port, switch upstream and downstream ports, dmi-to-pci-bridge, pcie-to-pci-bridge —
/// takes the next number, and its own bus is walked at once (depth first), so a bridge's
/// subordinate number is the highest in its subtree. An expander bus starts a range of its own
/// at its `<target busNr>`: QEMU's `pxb-pcie` (pcie-expander-bus) bus *is* busNr, while QEMU's
/// `pxb` (pci-expander-bus) puts an internal pci-bridge at `busNr:00.0`, so the bus libvirt calls
/// `pci.N` is busNr + 1. The expander itself, a host bridge on bus 0, takes no number.
///
/// A range that needs numbers past 255 cannot be numbered: SeaBIOS hangs before the kernel
/// starts, OVMF boots without (most of) the expander's devices. Those buses get no number
/// (`overflows` says which), rather than an invented one.
public struct GuestView: Sendable {
    /// The plan the view is of.
    public let plan: PlannedDomain
    /// libvirt bus index → the number the firmware gives it; absent for a bus it cannot number.
    public private(set) var busNumbers: [Int: Int] = [:]
    /// libvirt bus index → how the firmware came by its number.
    public private(set) var reasons: [Int: BusReason] = [:]
    /// Expander ranges that need bus numbers past 255.
    public private(set) var overflows: [Overflow] = []
    /// The bridges and ports in the order the firmware numbers them (the root bus's range, then
    /// each expander's), as libvirt bus indexes.
    var enumeration: [Int] = []
    /// libvirt bus index → the bus index that starts its range (0 for the root bus's range).
    var rangeOf: [Int: Int] = [:]
    /// The guest buses whose slot numbers the guest registers under the bare number (see
    /// `GuestNames.swift`), as (guest bus, slot).
    var plainSlots: Set<GuestSlot> = []

    /// How a bus got its number.
    public enum BusReason: Sendable, Hashable {
        /// The root bus (pci-root, pcie-root) is bus 0.
        case root
        /// The `ordinal`-th bridge the firmware met in its depth-first walk of the range that
        /// starts at `start` (0 for the root bus, else the expander's first number).
        case bridge(ordinal: Int, start: Int)
        /// An expander bus: `busNr`, plus one behind QEMU's internal pci-bridge of a `pxb`.
        case expander(busNr: Int, internalBridge: Bool)
    }

    /// An expander's range of bus numbers that does not fit below 256.
    public struct Overflow: Sendable, Hashable {
        /// The expander's device index in the plan.
        public var expander: Int
        /// Its `busNr`.
        public var busNr: Int
        /// The highest number the range would need.
        public var needed: Int
        /// The libvirt bus indexes of the range (the expander's own bus first).
        public var buses: [Int]
    }

    /// Numbers every bus of `plan` as the guest firmware does.
    public init(_ plan: PlannedDomain) {
        self.plan = plan
        let numbering = GuestNumbering(Self.nodes(plan))
        reasons = numbering.reasons
        enumeration = numbering.order
        rangeOf = numbering.range
        for (bus, n) in numbering.numbers { busNumbers[bus] = n }
        for o in numbering.overflows {
            guard let i = plan.normalized.pciController(index: o.expander) else { continue }
            overflows.append(Overflow(expander: i, busNr: o.busNr, needed: o.needed, buses: o.buses))
            for b in o.buses { busNumbers[b] = nil }
        }
        plainSlots = Self.plainSlots(plan, busNumbers)
    }

    /// The guest bus number of libvirt's bus `index`, nil when the firmware cannot number it.
    public func busNumber(_ index: Int) -> Int? { busNumbers[index] }

    /// Where the guest sees device `i` (an index into `plan.devices`); nil without a PCI address
    /// or on a bus the firmware cannot number.
    public func address(of i: Int) -> GuestPCIAddress? {
        guard let p = plan.placements[i] else { return nil }
        return guestAddress(p.address)
    }

    /// The guest address of libvirt's address `a`.
    public func guestAddress(_ a: PCIAddress) -> GuestPCIAddress? {
        busNumbers[a.bus].map { GuestPCIAddress(domain: a.domain, bus: $0, slot: a.slot, function: a.function) }
    }

    /// The controllers providing buses, as the numbering needs them.
    static func nodes(_ plan: PlannedDomain) -> [GuestNumbering.Node] {
        plan.normalized.controllerOrder.compactMap { i in
            guard let c = plan.controllerInfo(i), c.type == "pci", let idx = c.index, idx > 0, let m = c.pciModel,
                  let p = plan.placements[i] else { return nil }
            return GuestNumbering.Node(index: idx, model: m, parent: p.address.bus, slot: p.address.slot,
                                       function: p.address.function, busNr: c.busNr)
        }
    }
}

/// One slot of one guest bus.
struct GuestSlot: Hashable {
    var bus: Int
    var slot: Int
}

/// The firmware's bus numbering over a bare list of bus-providing controllers, so `plan --keep`
/// can try placements without planning each one.
struct GuestNumbering {
    /// A controller that provides bus `index` and sits at `parent`:`slot`.`function`.
    struct Node: Hashable {
        var index: Int
        var model: ControllerModel
        var parent: Int
        var slot: Int
        var function: Int
        var busNr: Int?
    }

    /// The part a controller model plays in the numbering.
    enum Role: Equatable {
        /// The machine's root bus, bus 0.
        case root
        /// Takes the next number; its bus is walked at once.
        case bridge
        /// Starts a range at busNr + `offset` (1 for QEMU's `pxb`, whose internal pci-bridge
        /// at busNr:00.0 provides the bus libvirt plugs devices into).
        case expander(offset: Int)
    }

    static func role(_ m: ControllerModel) -> Role {
        switch m {
        case .pciRoot, .pcieRoot: .root
        case .pciBridge, .pcieRootPort, .pcieSwitchUpstreamPort, .pcieSwitchDownstreamPort, .dmiToPCIBridge,
             .pcieToPCIBridge: .bridge
        case .pciExpanderBus: .expander(offset: 1)
        case .pcieExpanderBus: .expander(offset: 0)
        }
    }

    /// bus index → number (overflowing ranges included, with numbers past 255).
    var numbers: [Int: Int] = [0: 0]
    var reasons: [Int: GuestView.BusReason] = [0: .root]
    /// bus index → the bus index of the range's start (0 for the root bus's range).
    var range: [Int: Int] = [0: 0]
    /// Bridges in the order the firmware numbers them, per range.
    var order: [Int] = []
    var overflows: [(expander: Int, busNr: Int, needed: Int, buses: [Int])] = []

    init(_ nodes: [Node]) {
        var children: [Int: [Node]] = [:]
        for n in nodes { children[n.parent, default: []].append(n) }
        for k in Array(children.keys) {
            children[k]?.sort { ($0.slot, $0.function, $0.index) < ($1.slot, $1.function, $1.index) }
        }
        walk(0, from: 0, start: 0, children)
        // Expanders last: they start ranges of their own, whatever their slot on bus 0.
        for n in children[0] ?? [] {
            guard case .expander(let offset) = Self.role(n.model), let busNr = n.busNr else { continue }
            let first = busNr + offset
            numbers[n.index] = first
            reasons[n.index] = .expander(busNr: busNr, internalBridge: offset > 0)
            range[n.index] = n.index
            let before = Set(numbers.keys)
            let last = walk(n.index, from: first, start: first, children, range: n.index)
            if last > 255 {
                let buses = [n.index] + numbers.keys.filter { !before.contains($0) }.sorted { (numbers[$0] ?? 0) < (numbers[$1] ?? 0) }
                overflows.append((n.index, busNr, last, buses))
            }
        }
    }

    @discardableResult
    mutating func walk(_ bus: Int, from counter: Int, start: Int, _ children: [Int: [Node]], range r: Int = 0) -> Int {
        var c = counter
        for n in children[bus] ?? [] where Self.role(n.model) == .bridge {
            c += 1
            numbers[n.index] = c
            reasons[n.index] = .bridge(ordinal: c - start, start: start)
            range[n.index] = r
            order.append(n.index)
            c = walk(n.index, from: c, start: start, children, range: r)
        }
        return c
    }
}
