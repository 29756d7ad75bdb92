import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// What QEMU shows a guest of one PCI function of a planned domain, before any firmware runs:
/// where the function sits (the chain of bridges and ports from the root bus, its slot and
/// function), what it is (QEMU device, vendor/device/subsystem ids and class code, from the
/// table recorded from QEMU 7.2, `QEMUDeviceIDs`), the multifunction bit of its header, the kind
/// of bus it sits on, and, for bridges and ports, the properties the guest reads from them.
///
/// `diff` compares these per paired device: a change of any field but `properties` changes the
/// guest's ABI (Docs/abi.md, "The guest view").
public struct QEMUFunctionView: Sendable, Hashable {
    /// One bridge, port or expander on the way from the root bus down to the function.
    public struct Hop: Sendable, Hashable, CustomStringConvertible {
        /// Its slot and function on the bus above it.
        public var slot: Int
        /// Its function number.
        public var function: Int
        /// Its QEMU device (`pcie-root-port`, `pci-bridge`, `pxb-pcie`, `ioh3420`).
        public var driver: String
        /// `01.0[pcie-root-port]`.
        public var description: String { "\(hex2(slot)).\(function)[\(driver)]" }
    }

    /// QEMU's root bus: `pci.0` (i440fx) or `pcie.0` (q35, `virt`).
    public var root: String
    /// The bridges and ports from the root bus down to the bus the function sits on.
    public var path: [Hop]
    /// The function's slot on its bus.
    public var slot: Int
    /// The function number.
    public var function: Int
    /// Whether the bus it sits on is PCI Express (QEMU's `PCIE` bus type) or conventional.
    public var onExpressBus: Bool
    /// The QEMU device libvirt 9.0 builds for it, by QEMU's own type name (`lsi53c895a` for
    /// libvirt's `lsi`, `ich9-ahci` for `ahci`); nil for the machine's own functions (the PIIX3
    /// IDE, the q35 AHCI).
    public var driver: String?
    /// Vendor and device id; nil when the table does not know the device (a host device passed
    /// through shows the host's).
    public var vendor: UInt16?
    /// Device id (see `vendor`).
    public var device: UInt16?
    /// Subsystem vendor id as the guest reads it (a bridge's from its Subsystem ID capability;
    /// nil without one).
    public var subsystemVendor: UInt16?
    /// Subsystem id as the guest reads it.
    public var subsystem: UInt16?
    /// Base class, subclass and programming interface: `0xCCSSPP`.
    public var classCode: UInt32?
    /// The multifunction bit of the header: QEMU sets it when the address says
    /// `multifunction='on'`.
    public var multifunction: Bool
    /// Guest-visible properties of a bridge or port (chassis, port, busNr, hotplug), by the
    /// name libvirt gives them.
    public var properties: [String: String]

    /// `pcie.0/01.0[pcie-root-port]/00.0`: QEMU's path, the form `guest_view.py` prints.
    public var pathDescription: String {
        ([root] + path.map(\.description) + ["\(hex2(slot)).\(function)"]).joined(separator: "/")
    }

    /// `1af4:1041 class 0x020000 (virtio-net-pci)`, or the driver alone when the ids are unknown.
    public var identityDescription: String {
        var s = ""
        if let vendor, let device { s = "\(hex4(vendor)):\(hex4(device))" }
        if let subsystemVendor, let subsystem { s += " (subsystem \(hex4(subsystemVendor)):\(hex4(subsystem)))" }
        if let classCode { s += (s.isEmpty ? "" : " ") + "class 0x" + hex(Int(classCode), 6) }
        let d = driver ?? "built into the machine"
        return s.isEmpty ? d : "\(s) (\(d))"
    }

    /// The fields that say what the device is, without where it sits.
    var identity: Identity {
        Identity(driver: driver, vendor: vendor, device: device, subsystemVendor: subsystemVendor, subsystem: subsystem,
                 classCode: classCode)
    }

    struct Identity: Hashable {
        var driver: String?
        var vendor: UInt16?
        var device: UInt16?
        var subsystemVendor: UInt16?
        var subsystem: UInt16?
        var classCode: UInt32?
    }

    /// The names of the ABI fields (all but `properties`) that differ from `other`, in a fixed
    /// order: `path`, `slot`, `function`, `bus type`, `driver`, `ids`, `subsystem`, `class`,
    /// `multifunction`.
    public func changedFields(to other: QEMUFunctionView) -> [String] {
        var out: [String] = []
        if root != other.root || path != other.path { out.append("path") }
        if slot != other.slot { out.append("slot") }
        if function != other.function { out.append("function") }
        if onExpressBus != other.onExpressBus { out.append("bus type") }
        if driver != other.driver { out.append("driver") }
        if vendor != other.vendor || device != other.device { out.append("ids") }
        if subsystemVendor != other.subsystemVendor || subsystem != other.subsystem { out.append("subsystem") }
        if classCode != other.classCode { out.append("class") }
        if multifunction != other.multifunction { out.append("multifunction") }
        return out
    }
}

/// The QEMU view of every PCI function of a planned domain, by device index.
public struct QEMUView: Sendable {
    /// Device index → what QEMU shows of it; devices without a PCI address have none.
    public private(set) var functions: [Int: QEMUFunctionView] = [:]

    /// Computes the view of every placed device of `plan`.
    public init(_ plan: PlannedDomain) {
        let primaryVideo = plan.normalized.videoOrder.first
        let root = plan.family.rootModel == .pcieRoot ? "pcie.0" : "pci.0"
        var hops: [Int: [QEMUFunctionView.Hop]] = [:]   // bus index → hops down to it
        var controllerOf: [Int: Int] = [:]               // bus index → its PCI controller's device index
        for ci in plan.normalized.controllerOrder {
            if let c = plan.devices[ci].controller, c.type == "pci", let idx = c.index, controllerOf[idx] == nil { controllerOf[idx] = ci }
        }
        func path(toBus b: Int, depth: Int = 0) -> [QEMUFunctionView.Hop] {
            if let h = hops[b] { return h }
            guard depth < 256, let ci = controllerOf[b], let c = plan.controllerInfo(ci),
                  let m = c.pciModel, !m.isRoot, let at = plan.placements[ci]?.address else { return [] }
            let hop = QEMUFunctionView.Hop(slot: at.slot, function: at.function,
                                           driver: QEMUDriverNames.driver(plan, ci, primaryVideo: primaryVideo) ?? m.rawValue)
            let out = path(toBus: at.bus, depth: depth + 1) + [hop]
            hops[b] = out
            return out
        }
        for (i, p) in plan.placements {
            let a = p.address
            let busModel = controllerOf[a.bus].flatMap { plan.controllerInfo($0)?.pciModel }
            let context = Self.context(busModel)
            let driver = QEMUDriverNames.driver(plan, i, primaryVideo: primaryVideo)
            let ids = driver.flatMap { QEMUDeviceIDs.ids(driver: $0, context: context) }
            functions[i] = QEMUFunctionView(
                root: root, path: path(toBus: a.bus), slot: a.slot, function: a.function,
                onExpressBus: context != .conventional, driver: ids?.qemuType ?? driver,
                vendor: ids?.vendor, device: ids?.device, subsystemVendor: ids?.subsystemVendor, subsystem: ids?.subsystem,
                classCode: ids?.classCode, multifunction: p.multifunction == .on,
                properties: Self.properties(plan, i))
        }
    }

    /// What QEMU shows of device `i`, or nil when it has no PCI address.
    public subscript(_ i: Int) -> QEMUFunctionView? { functions[i] }

    /// The kind of bus a controller model provides, as the id table records it (virtio devices
    /// are modern-only below a PCI Express port, transitional elsewhere).
    static func context(_ m: ControllerModel?) -> QEMUDeviceIDs.Context {
        switch m {
        case .pcieRoot?, .pcieExpanderBus?: .rootComplex
        case .pcieRootPort?, .pcieSwitchUpstreamPort?, .pcieSwitchDownstreamPort?: .expressPort
        default: .conventional
        }
    }

    /// The guest-visible properties of a PCI controller (what `guest_view.py` compares as
    /// `prop:`): chassisNr, chassis, port, busNr and hotplug as libvirt fills them in.
    static func properties(_ plan: PlannedDomain, _ i: Int) -> [String: String] {
        guard let c = plan.controllerInfo(i), c.type == "pci" else { return [:] }
        var out: [String: String] = [:]
        if let v = c.chassisNr { out["chassisNr"] = String(v) }
        if let v = c.chassis { out["chassis"] = String(v) }
        if let v = c.port { out["port"] = "0x" + String(v, radix: 16) }
        if let v = c.busNr { out["busNr"] = String(v) }
        if c.hotplug != .absent { out["hotplug"] = c.hotplug.rawValue }
        return out
    }
}

private func hex(_ v: Int, _ width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

private func hex2(_ v: Int) -> String { hex(v, 2) }
private func hex4(_ v: UInt16) -> String { hex(Int(v), 4) }

extension QEMUFunctionView {
    /// The view as JSON (lock files, `diff --format json`): `path` in QEMU's form, `busType`
    /// `PCI` or `PCIE`, ids as four hex digits, `class` as `0xCCSSPP`; unknown ids are left out.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "path": .string(pathDescription), "slot": .int(slot), "function": .int(function),
            "busType": .string(onExpressBus ? "PCIE" : "PCI"), "multifunction": .bool(multifunction),
        ]
        if let driver { o["driver"] = .string(driver) }
        if let vendor, let device { o["ids"] = .string("\(hex4(vendor)):\(hex4(device))") }
        if let subsystemVendor, let subsystem { o["subsystem"] = .string("\(hex4(subsystemVendor)):\(hex4(subsystem))") }
        if let classCode { o["class"] = .string("0x" + hex(Int(classCode), 6)) }
        if !properties.isEmpty { o["properties"] = .object(properties.mapValues(JSONValue.string)) }
        return .object(o)
    }
}
