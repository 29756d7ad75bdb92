import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The ABI lock file (`plan FILE --format lock`, schema in Docs/abi.md, "Lock file"): what an
/// application that regenerates its XML must keep for the guest to see the same hardware —
/// the machine, every device's identity, address and multifunction bit, its QEMU driver, the
/// controllers' guest-visible properties, and the addresses of removed devices.
///
/// `plan NEW --keep LOCK` reads it back into a synthesized old domain (`domainXML`): libvirt
/// XML carrying each device's identity and explicit address, which the normal read → plan
/// pipeline and `Keeper` handle exactly as an old XML. One code path, so a lock keeps what the
/// XML it was written from keeps.
public struct ABILock: Sendable, Hashable {
    /// The schema this pciplan writes; it reads every schema up to this one.
    public static let schemaVersion = 1

    /// The machine: `<os><type arch machine>` and what else of the domain planning reads.
    public struct Machine: Sendable, Hashable {
        /// `<os><type arch>` (`x86_64`, `aarch64`); nil when not written.
        public var arch: String?
        /// The machine type string as written (`pc-q35-7.2`).
        public var type: String
        /// The machine family pciplan planned it as (`pc`, `q35`, `virt-aarch64` …).
        public var family: String
        /// `<features><acpi/>`: hot-plug on the pc root bus and the guest's slot names use it.
        public var acpi: Bool
        /// `<memoryBacking><access mode='shared'/>`: vhost-user devices (virtiofs) need it.
        public var sharedMemory: Bool
        /// The number of `<cpu><numa><cell>` (expander buses name a NUMA node).
        public var numaCells: Int
    }

    /// One device of the locked domain.
    public struct Device: Sendable, Hashable {
        /// libvirt's element name (`disk`, `interface`, `controller`).
        public var kind: String
        /// What pairs it with a device of a new definition (`DevicePairing.identity`), else
        /// `kind` and model (`video 'qxl'`).
        public var identity: String
        /// The user alias (`ua-…`), which identifies a device before anything else.
        public var userAlias: String?
        /// libvirt's alias (`virtio-disk0`, `pci.1`).
        public var alias: String?
        /// The device's model (`virtio`, `pcie-root-port`, `qxl`), as planned.
        public var model: String?
        /// The PCI address, or nil.
        public var address: PCIAddress?
        /// `on`, `off` or nil (not written): exactly what the locked definition stores.
        public var multifunction: Tristate
        /// `virtio-mmio` for a device on a virtio-mmio transport.
        public var transport: String?
        /// The QEMU device (`-device` driver) libvirt 9.0 builds for it.
        public var driver: String?
        /// A controller's type, index, model and guest-visible properties.
        public var controller: ControllerInfo?
        /// The element, reduced to what carries the identity and the model (no `<address>`, no
        /// host paths): `<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>`.
        public var element: String
        /// What QEMU shows the guest of the function (`QEMUFunctionView.json`: path, slot,
        /// function, bus type, driver, ids, subsystem, class, multifunction bit, controller
        /// properties); an empty object for a device without a PCI address. Kept as read.
        public var guest: JSONValue = .object([:])
    }

    /// An address a removed device had (`--update-lock` accumulates them).
    public struct Removed: Sendable, Hashable {
        /// The address no new device takes under `--reserve-removed`.
        public var address: PCIAddress
        /// The identity of the device that had it (`disk target 'vdb'`).
        public var identity: String
    }

    /// The schema number the lock was written with (`schemaVersion` for a new one).
    public var schema = ABILock.schemaVersion
    /// The locked domain's machine.
    public var machine: Machine
    /// Every device of the locked domain but `<emulator>`, in document order.
    public var devices: [Device]
    /// The addresses of devices removed in earlier `--update-lock` runs.
    public var removed: [Removed]

    /// Whether `bytes` look like a lock rather than XML: the first non-blank byte is `{`.
    public static func looksLikeLock(_ bytes: [UInt8]) -> Bool {
        bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) } == UInt8(ascii: "{")
    }

    /// The lock of a planned domain in the form libvirt stores (every device has an element:
    /// plan the rendered XML, as `Pipeline.lock` does). `removed` is carried as given, minus
    /// addresses a device of `plan` now uses.
    public static func make(_ plan: PlannedDomain, removed: [Removed] = []) -> ABILock {
        let def = plan.normalized.definition
        let os = def.root.child("os")?.child("type")
        let cells = def.root.child("cpu")?.child("numa")?.children.filter { $0.name == "cell" }.count ?? 0
        let machine = Machine(arch: os?[attribute: "arch"], type: def.machine, family: plan.family.rawValue,
                              acpi: def.hasACPI, sharedMemory: def.root.child("memoryBacking")?.child("access")?[attribute: "mode"] == "shared",
                              numaCells: cells)
        let primaryVideo = plan.normalized.videoOrder.first
        let view = QEMUView(plan)
        var devices: [Device] = []
        for (i, d) in plan.devices.enumerated() where d.kind != .emulator && d.kind != .crypto {
            guard let el = d.element else { continue }
            let ua = el.child("alias")?[attribute: "name"].flatMap { $0.hasPrefix("ua-") ? $0 : nil }
            var x = Device(kind: d.kind.rawValue, identity: DevicePairing.identity(d) ?? "\(d.kind.rawValue) '\(d.model ?? "default")'",
                           userAlias: ua, alias: d.alias, model: d.model, address: plan.placements[i]?.address,
                           multifunction: plan.placements[i]?.multifunction ?? .absent,
                           transport: d.virtioMMIOAssigned || el.child("address")?[attribute: "type"] == "virtio-mmio" ? "virtio-mmio" : nil,
                           driver: plan.placements[i] == nil ? nil : QEMUDriverNames.driver(plan, i, primaryVideo: primaryVideo),
                           controller: plan.controllerInfo(i), element: reduced(el, d))
            if x.controller?.index == nil { x.controller?.index = d.controller?.index }
            if let v = view[i] { x.guest = v.json }
            devices.append(x)
        }
        let used = Set(plan.placements.values.map(\.address))
        var seen = Set<PCIAddress>()
        let kept = removed.filter { !used.contains($0.address) && seen.insert($0.address).inserted }
        return ABILock(machine: machine, devices: devices, removed: kept.sorted { $0.address < $1.address })
    }

    /// The children of a device element that carry its identity or model; everything else
    /// (host paths, drivers, boot order, `<address>`) is left out.
    static func keptChildren(_ d: PCIPlanModel.Device) -> Set<String> {
        switch d.kind {
        case .controller: ["model", "target", "alias"]
        case .hostdev: ["source", "alias"]
        case .interface: d.subtype == "hostdev" ? ["mac", "model", "source", "alias"] : ["mac", "model", "alias"]
        case .filesystem: ["target", "driver", "alias"]
        case .rng: ["backend", "alias"]
        default: ["target", "model", "mac", "alias"]
        }
    }

    static func reduced(_ el: XMLElement, _ d: PCIPlanModel.Device) -> String {
        let keep = keptChildren(d)
        let children = el.children.filter { keep.contains($0.name) }
        return xml(XMLElement(name: el.name, attributes: Array(el.attributes), children: children,
                              text: children.isEmpty ? el.text : "", startTag: el.startTag, endTag: el.endTag))
    }

    static func xml(_ el: XMLElement) -> String {
        var s = "<\(el.name)" + el.attributes.map { " \($0.name)='\($0.value.xmlEscaped)'" }.joined()
        let text = el.text.trimmingCharacters(in: " \n\t\r")
        if el.children.isEmpty && text.isEmpty { return s + "/>" }
        s += ">" + el.children.map(xml).joined() + text.xmlEscaped
        return s + "</\(el.name)>"
    }
}

extension String {
    /// The string without leading and trailing characters of `set`.
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
