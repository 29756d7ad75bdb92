import PCIPlanSource

/// The machine families pciplan plans for.
public enum MachineFamily: String, Sendable, Hashable, Codable {
    /// i440fx + PIIX3, conventional PCI root bus.
    case pc
    /// ICH9, PCI Express root complex.
    case q35
    /// The aarch64 `virt` board: a generic PCI Express host bridge (QEMU's gpex) and nothing
    /// else on bus 0.
    case virtAArch64 = "virt-aarch64"
    /// The 32-bit ARM (armv7l) `virt` board: the aarch64 board's PCI topology, with the legacy
    /// default USB controller.
    case virtARMv7 = "virt-armv7l"
    /// The riscv64 `virt` board: a gpex root complex like ARM's, with libvirt's x86-like
    /// defaults (memory balloon, piix3-uhci) and no pxb-pcie in QEMU.
    case virtRISCV64 = "virt-riscv64"

    /// libvirt's machine predicates (`qemuDomainIsI440FX`, `qemuDomainIsQ35`).
    public static func of(machine: String) -> MachineFamily? {
        if machine == "q35" || machine.hasPrefix("pc-q35-") { return .q35 }
        if machine == "pc" || machine.hasPrefix("pc-0.") || machine.hasPrefix("pc-1.")
            || machine.hasPrefix("pc-i440fx-") || machine.hasPrefix("rhel")
        {
            return .pc
        }
        return nil
    }

    /// The family of a machine type on a guest architecture: the x86 predicates above, and
    /// libvirt's `qemuDomainMachineIsARMVirt` / `qemuDomainMachineIsRISCVVirt` (`virt` or
    /// `virt-*`; the version does not change placement).
    public static func of(arch: GuestArch, machine: String) -> MachineFamily? {
        let isVirt = machine == "virt" || machine.hasPrefix("virt-")
        switch arch {
        case .x86_64, .i686: return of(machine: machine)
        case .aarch64: return isVirt ? .virtAArch64 : nil
        case .armv7l: return isVirt ? .virtARMv7 : nil
        case .riscv64: return isVirt ? .virtRISCV64 : nil
        }
    }
}

/// The guest architectures pciplan reads (`<os><type arch=…>`).
public enum GuestArch: String, Sendable, Hashable, Codable, CaseIterable {
    /// 64-bit x86 (`pc`, `q35`).
    case x86_64
    /// 32-bit x86 (`pc`, `q35`).
    case i686
    /// 64-bit Arm (`virt`).
    case aarch64
    /// 32-bit Arm (`virt`).
    case armv7l
    /// 64-bit RISC-V (`virt`).
    case riscv64

    /// The machine libvirt 9.0 picks when `<type>` names none (`preferredMachines` in
    /// `qemu_capabilities.c`): only x86's is one pciplan plans.
    public var libvirtDefaultMachine: String {
        switch self {
        case .x86_64, .i686: "pc"
        case .aarch64, .armv7l: "integratorcp"
        case .riscv64: "spike"
        }
    }
}

/// The kinds of `<devices>` children the planner distinguishes.
public enum DeviceKind: String, Sendable, Hashable, Codable {
    /// The element name of the device (`<disk>` is `.disk`); one kind per libvirt device list.
    case controller, disk, interface, sound, video, hostdev, memballoon, rng, watchdog, shmem
    /// The element name of the device (`<serial>` is `.serial`).
    case input, serial, parallel, channel, console, iommu, vsock, memory, filesystem, panic
    /// The element name of the device (`<tpm>` is `.tpm`); `other` for an element pciplan does not know.
    case crypto, smartcard, hub, redirdev, tpm, nvram, graphics, audio, lease, emulator, other
}

/// What a device's own `<address>` says.
public enum AddressSpec: Sendable, Hashable {
    /// No `<address>` element.
    case none
    /// `type='pci'` with domain, bus and slot all 0: libvirt assigns one (function and
    /// multifunction are dropped).
    case pciWanted(multifunction: Tristate)
    /// A present PCI address.
    case pci(PCIAddress, multifunction: Tristate)
    /// A PCI address that did not parse; diagnostics were reported.
    case invalid
    /// Another address type (`drive`, `usb`, `ccw`, `unassigned`, …).
    case other(String)

    /// The address when the device has a present PCI address (`.pci`), else nil.
    public var pciAddress: PCIAddress? {
        if case .pci(let a, _) = self { return a }
        return nil
    }

    /// libvirt's "wanted": no address, or an empty PCI one.
    public var wantsPCI: Bool {
        switch self {
        case .none, .pciWanted: true
        default: false
        }
    }
}

/// Where a device of the planned definition comes from.
public enum DeviceOrigin: Sendable, Hashable {
    /// The child of `<devices>` with this position among element children.
    case input(Int)
    /// Added by the planner, as libvirt adds it at define (`reason` says why).
    case added(String)
}

/// A controller's identity and PCI options.
public struct ControllerInfo: Sendable, Hashable {
    /// libvirt's controller `type` (`pci`, `usb`, `scsi`, `sata`, `ide`, `virtio-serial`, …).
    public var type: String
    /// nil until libvirt's index assignment gives one.
    public var index: Int?
    /// The `model` attribute (`pcie-root-port`, `qemu-xhci`, `lsilogic`), or the default libvirt gives.
    public var model: String?
    /// The model of a PCI controller as a `ControllerModel`; nil for other types or unknown models.
    public var pciModel: ControllerModel? {
        guard type == "pci", let model else { return nil }
        return ControllerModel(libvirtName: model)
    }
    /// `<model name=…>`: the QEMU device implementing a PCI controller (`pcie-root-port`, `pxb`).
    public var modelName: String?
    /// `<target hotplug=…>`: `off` removes hotplug from the bus the controller provides.
    public var hotplug: Tristate = .absent
    /// `<target chassisNr=…>`: a pci-bridge's chassis number (1–255), guest-visible.
    public var chassisNr: Int?
    /// `<target chassis=…>`: a root or downstream port's chassis (0–255), guest-visible.
    public var chassis: Int?
    /// `<target port=…>`: a root or downstream port's port number (0–255), guest-visible.
    public var port: Int?
    /// `<target busNr=…>`: the first bus number of an expander bus (1–254), guest-visible.
    public var busNr: Int?
    /// `<target index=…>`: only pSeries host bridges have it; read so the checker can refuse it.
    public var targetIndex: Int?
    /// Whether `index=` was written in the input.
    public var indexGiven: Bool = false

    /// A controller of libvirt `type` with nothing else known yet.
    public init(type: String) { self.type = type }
}

/// One device of the definition as the planner sees it.
public struct Device: @unchecked Sendable, Hashable {
    // Copy-on-write: the fields live in one heap object that copies of a device share until
    // one of them changes. The planner's stages pass devices around and rebuild device lists
    // (read, normalise, alias, write back); as a plain struct every copy retained and released
    // each string and element reference (~a dozen per device), which was a tenth of planning.
    // `@unchecked Sendable`: a shared storage is never written (`uniqueFields` copies it first).
    @usableFromInline struct Fields: Hashable {
        @usableFromInline var kind: DeviceKind
        @usableFromInline var origin: DeviceOrigin
        @usableFromInline var element: XMLElement?
        @usableFromInline var addressElement: XMLElement?
        @usableFromInline var address: AddressSpec
        @usableFromInline var flags: ConnectFlags = []
        /// Out of line: 152 bytes every device carried, read by the controllers alone (a
        /// fifth of a 4,000-device plan's peak heap was device fields).
        @usableFromInline var controller: ControllerBox?
        @usableFromInline var model: String?
        @usableFromInline var subtype: String?
        @usableFromInline var bus: String?
        @usableFromInline var diskTarget: String?
        /// nil: named when asked (`derivedName`).
        @usableFromInline var name: String?
        @usableFromInline var alias: String?
        @usableFromInline var isInterfaceHostdev: Bool = false
        @usableFromInline var keptReason: String?
        @usableFromInline var virtioMMIOAssigned: Bool = false
    }

    @usableFromInline var storage: ManagedBuffer<Fields, Never>

    /// The fields, for reading (through a pointer: no exclusivity check per access).
    @inlinable var fields: UnsafeMutablePointer<Fields> {
        storage.withUnsafeMutablePointerToHeader { $0 }
    }

    /// The fields, for writing: this device's own storage, copied first when shared.
    @inlinable mutating func uniqueFields() -> UnsafeMutablePointer<Fields> {
        if !isKnownUniquelyReferenced(&storage) {
            let copy = storage.header
            storage = ManagedBuffer.create(minimumCapacity: 0) { _ in copy }
        }
        return fields
    }

    /// Equal fields (two copies of one device are equal without comparing them).
    public static func == (a: Device, b: Device) -> Bool {
        a.storage === b.storage || a.fields.pointee == b.fields.pointee
    }

    /// Hashes the fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields.pointee)
    }

    /// Which `<devices>` child this is.
    @inlinable public var kind: DeviceKind {
        get { fields.pointee.kind }
        _modify { yield &uniqueFields().pointee.kind }
    }
    /// Whether the device is in the input or was added as libvirt adds it at define.
    @inlinable public var origin: DeviceOrigin {
        get { fields.pointee.origin }
        _modify { yield &uniqueFields().pointee.origin }
    }
    /// The element it was read from; nil for devices the planner adds.
    @inlinable public var element: XMLElement? {
        get { fields.pointee.element }
        _modify { yield &uniqueFields().pointee.element }
    }
    /// The device's own `<address>` element, if any.
    @inlinable public var addressElement: XMLElement? {
        get { fields.pointee.addressElement }
        _modify { yield &uniqueFields().pointee.addressElement }
    }
    /// What the device's `<address>` says (or, for `plan --keep`, the address kept for it).
    @inlinable public var address: AddressSpec {
        get { fields.pointee.address }
        _modify { yield &uniqueFields().pointee.address }
    }
    /// Connect flags (what it needs from its slot); empty = never gets a PCI address.
    @inlinable public var flags: ConnectFlags {
        get { fields.pointee.flags }
        _modify { yield &uniqueFields().pointee.flags }
    }
    /// Identity and PCI options of a `<controller>`; nil for other devices.
    @inlinable public var controller: ControllerInfo? {
        get { fields.pointee.controller?.info }
        _modify {
            // The box is never changed in place (copies of the fields share it): a new one.
            var info = fields.pointee.controller?.info
            yield &info
            uniqueFields().pointee.controller = info.map(ControllerBox.init)
        }
    }
    /// `model`/`type` details that decide flags and order (disk bus, net model, video type, …).
    @inlinable public var model: String? {
        get { fields.pointee.model }
        _modify { yield &uniqueFields().pointee.model }
    }
    /// The variant that decides connect flags: a disk's `device` (`disk`, `cdrom`), the `type` of an
    /// interface, host device or input, a character device's `<target type>`, a filesystem's
    /// `<driver type>`.
    @inlinable public var subtype: String? {
        get { fields.pointee.subtype }
        _modify { yield &uniqueFields().pointee.subtype }
    }
    /// A disk's bus (`<target bus>`, else derived from the target name as libvirt does), an input's
    /// `bus`, or a host device's `mode`.
    @inlinable public var bus: String? {
        get { fields.pointee.bus }
        _modify { yield &uniqueFields().pointee.bus }
    }
    /// A disk's `<target dev=…>` as written (`vda`), read once; nil for other devices.
    @inlinable public var diskTarget: String? {
        get { fields.pointee.diskTarget }
        _modify { yield &uniqueFields().pointee.diskTarget }
    }
    /// A short human name: `disk 'vda'`, `interface 52:54:00:…`, `controller usb 0`.
    @inlinable public var name: String {
        get { fields.pointee.name ?? derivedName }
        set { uniqueFields().pointee.name = newValue }
    }

    /// The name of a device named only when asked (`init(kind:origin:element:)`): input devices
    /// (`DomainReader.inputName`) and the PCI controllers the planner adds, one per root port it
    /// needs; most runs never print them.
    @usableFromInline var derivedName: String {
        if let el = element { return DomainReader.inputName(el, kind: kind) }
        guard let c = controller else { return kind.rawValue }
        // Bytes, then one string (String appends and `String(index)` cost more).
        var name = ByteText(capacity: 48)
        name.append("controller ")
        name.append(c.type)
        name.append(" ")
        name.append(decimal: c.index ?? 0)
        if let model = c.model {
            name.append(" (")
            name.append(model)
            name.append(")")
        }
        return String(decoding: name.bytes, as: UTF8.self)
    }
    /// The libvirt alias this device gets (`virtio-disk0`, `net0`, `pci.1`), if known.
    @inlinable public var alias: String? {
        get { fields.pointee.alias }
        _modify { yield &uniqueFields().pointee.alias }
    }
    /// For a hostdev belonging to an `<interface type='hostdev'>`.
    @inlinable public var isInterfaceHostdev: Bool {
        get { fields.pointee.isInterfaceHostdev }
        _modify { yield &uniqueFields().pointee.isInterfaceHostdev }
    }
    /// Set by `plan --keep`: the address in `address` was carried over from the old
    /// definition (the reason names the old device); the planner treats it as explicit and
    /// the writer writes it out.
    @inlinable public var keptReason: String? {
        get { fields.pointee.keptReason }
        _modify { yield &uniqueFields().pointee.keptReason }
    }
    /// libvirt gave this address-less device `<address type='virtio-mmio'/>` at define
    /// (`qemuDomainAssignVirtioMMIOAddresses`); `address` is then `.other("virtio-mmio")`.
    @inlinable public var virtioMMIOAssigned: Bool {
        get { fields.pointee.virtioMMIOAssigned }
        _modify { yield &uniqueFields().pointee.virtioMMIOAssigned }
    }

    /// Whether this is a `<controller type='pci'>`, which provides a PCI bus.
    public var isPCIController: Bool { controller?.type == "pci" }

    /// A device without an address, flags or controller info yet; `DomainReader` fills those in.
    public init(kind: DeviceKind, origin: DeviceOrigin, element: XMLElement?, name: String) {
        self.init(kind: kind, origin: origin, element: element, storedName: name)
    }

    /// A device whose name is made when one is asked for (`derivedName`).
    init(kind: DeviceKind, origin: DeviceOrigin, element: XMLElement?) {
        self.init(kind: kind, origin: origin, element: element, storedName: nil)
    }

    private init(kind: DeviceKind, origin: DeviceOrigin, element: XMLElement?, storedName: String?) {
        storage = ManagedBuffer.create(minimumCapacity: 0) { _ in
            Fields(kind: kind, origin: origin, element: element, address: .none, name: storedName)
        }
    }
}

/// A controller's `ControllerInfo`, held by reference so that devices without one do not carry
/// its room; immutable (a change makes a new box), so copies of a device may share it.
@usableFromInline final class ControllerBox: Sendable, Hashable {
    @usableFromInline let info: ControllerInfo

    @usableFromInline init(_ info: ControllerInfo) { self.info = info }

    @usableFromInline static func == (a: ControllerBox, b: ControllerBox) -> Bool { a === b || a.info == b.info }

    @usableFromInline func hash(into hasher: inout Hasher) { hasher.combine(info) }
}

/// The domain as read from XML, before planning.
public struct DomainDefinition: Sendable {
    /// The file the definition was read from.
    public var file: SourceFile
    /// The `<domain>` element.
    public var root: XMLElement
    /// `<os><type machine=…>` as written (`pc-q35-7.2`); `pc` when absent, libvirt's x86_64 default.
    public var machine: String
    /// The machine family `machine` belongs to.
    public var family: MachineFamily
    /// The `<devices>` element (nil when the domain has none).
    public var devicesElement: XMLElement?
    /// Every child element of `<devices>`, in document order.
    public var devices: [Device]
}

extension DomainDefinition {
    /// Whether `<features>` has `<acpi/>`: the i440fx root bus hot-plugs through ACPI only.
    public var hasACPI: Bool { root.child("features")?.child("acpi") != nil }

    /// Whether the guest's memory is shared, as vhost-user devices (virtiofs) need
    /// (`qemuValidateDomainDefVhostUserRequireSharedMemory`): `<memoryBacking><access
    /// mode='shared'/>` without NUMA cells, or every NUMA cell shared (by its own
    /// `memAccess` or, when it has none, by the domain's).
    public var hasSharedMemory: Bool {
        let global = root.child("memoryBacking")?.child("access")?[attribute: "mode"] == "shared"
        let cells = root.child("cpu")?.child("numa")?.children.filter { $0.name == "cell" } ?? []
        if cells.isEmpty { return global }
        return cells.allSatisfy { cell in
            switch cell[attribute: "memAccess"] {
            case "shared": true
            case nil: global
            default: false
            }
        }
    }
}

extension Device {
    /// A PCI controller pciplan adds (not in the input), with libvirt's alias.
    package static func pciController(index: Int, model: ControllerModel, origin: DeviceOrigin) -> Device {
        // Named when asked (`derivedName`: "controller pci 3 (pcie-root-port)"): the planner
        // adds one per root port it needs, and building names was most of this function.
        var d = Device(kind: .controller, origin: origin, element: nil)
        var c = ControllerInfo(type: "pci")
        c.index = index
        c.model = model.rawValue
        d.controller = c
        d.model = model.rawValue
        d.flags = model.connectFlags
        d.alias = "pci." + String(index)
        return d
    }
}
