import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Which device of one definition is which device of another: pairs by identity, never by
/// position, so removing the first disk does not make every later disk "the same" as its
/// predecessor (libvirt's own ABI check pairs by position within a class; that is exactly
/// what an edited definition breaks).
///
/// Identity, strongest first:
/// 1. what names the device to the guest or the host: disk target (`vda`), interface MAC,
///    host device source address, controller type + index (+ model inside a USB2 companion
///    set), filesystem target directory, shmem name;
/// 2. a user alias (`<alias name='ua-…'/>`);
/// 3. for devices without a name of kind 1: kind, model and ordinal (the second qxl video),
///    so removing the vga video does not pair the qxl one with it;
/// 4. then libvirt's alias (`video0`, `balloon0`, `rng0`);
/// 5. last resort: kind and ordinal (the second `<watchdog>`, whatever its model).
public struct DevicePairing: Sendable, Hashable {
    /// Old device index → new device index.
    public var oldToNew: [Int: Int] = [:]
    /// New device index → old device index.
    public var newToOld: [Int: Int] = [:]
    /// Old device index → what paired it (`disk target 'vda'`, `kind and ordinal`).
    public var how: [Int: String] = [:]

    /// Pairs the devices of two definitions, strongest identity first (see the type's description);
    /// a device pairs at most once.
    public init(old: [Device], new: [Device]) {
        let oldAll = old.indices.filter { Self.participates(old[$0]) }
        let newAll = new.indices.filter { Self.participates(new[$0]) }
        match(old, oldAll, new, newAll, "", key: { Self.identity($0) })
        match(old, oldAll, new, newAll, "alias ", key: { d in d.element?.child("alias")?[attribute: "name"].map { "'\($0)'" } })
        let oldWeak = oldAll.filter { Self.identity(old[$0]) == nil }
        let newWeak = newAll.filter { Self.identity(new[$0]) == nil }
        ordinalMatch(old, oldWeak, new, newWeak, "model and ordinal: ") { "\($0.kind.rawValue) '\($0.model ?? "default")'" }
        match(old, oldWeak, new, newWeak, "libvirt alias ", key: { d in d.alias.map { "'\($0)'" } })
        ordinalMatch(old, oldWeak, new, newWeak, "kind and ordinal: ") { $0.kind.rawValue }
    }

    /// Pairs the n-th unpaired device of one class with the n-th of the other.
    mutating func ordinalMatch(_ old: [Device], _ oldIdx: [Int], _ new: [Device], _ newIdx: [Int], _ label: String,
                               class cls: (Device) -> String)
    {
        var oldOrdinal: [Int: String] = [:]
        var newOrdinal: [Int: String] = [:]
        Self.ordinals(old, oldIdx.filter { oldToNew[$0] == nil }, cls, into: &oldOrdinal)
        Self.ordinals(new, newIdx.filter { newToOld[$0] == nil }, cls, into: &newOrdinal)
        match(old, oldIdx, new, newIdx, label, key: { _ in nil }, ordinalOld: oldOrdinal, ordinalNew: newOrdinal)
    }

    /// Devices that can be guest-visible PCI functions or controllers; `<emulator>` and the
    /// `<crypto>` libvirt 9.0 drops are not.
    static func participates(_ d: Device) -> Bool { d.kind != .emulator && d.kind != .crypto }

    /// The kind-1 identity of a device, or nil when it has none.
    public static func identity(_ d: Device) -> String? {
        let el = d.element
        switch d.kind {
        case .disk:
            return el?.child("target")?[attribute: "dev"].map { "disk target '\($0)'" }
        case .interface:
            if let mac = el?.child("mac")?[attribute: "address"] { return "interface MAC \(mac.lowercased())" }
            return hostdevSource(el).map { "interface hostdev \($0)" }
        case .hostdev:
            return hostdevSource(el).map { "hostdev \($0)" }
        case .controller:
            guard let c = d.controller, let idx = c.index else { return nil }
            let companions = ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"]
            if c.type == "usb", let m = c.model, companions.contains(m) { return "controller usb \(idx) \(m)" }
            return "controller \(c.type) \(idx)"
        case .filesystem:
            return el?.child("target")?[attribute: "dir"].map { "filesystem target '\($0)'" }
        case .shmem:
            return el?[attribute: "name"].map { "shmem '\($0)'" }
        default:
            return nil
        }
    }

    /// A host device's source: a PCI address normalised to `0000:01:00.0`, else the
    /// source's attributes (USB vendor/product, SCSI host, mdev UUID).
    static func hostdevSource(_ el: XMLElement?) -> String? {
        guard let source = el?.child("source") else { return nil }
        if let a = source.child("address"), a[attribute: "type"] ?? "pci" == "pci", a[attribute: "slot"] != nil {
            func num(_ n: String) -> Int { a[attribute: n].flatMap(parseLibvirtUInt).map { Int(truncatingIfNeeded: $0) } ?? 0 }
            return PCIAddress(domain: UInt32(truncatingIfNeeded: num("domain")), bus: num("bus"), slot: num("slot"),
                              function: num("function")).description
        }
        let parts = source.children.flatMap { c in c.attributes.map { "\(c.name).\($0.name)=\($0.value)" } }
            + source.attributes.map { "\($0.name)=\($0.value)" }
        return parts.isEmpty ? nil : parts.sorted().joined(separator: ",")
    }

    static func ordinals(_ devices: [Device], _ indices: [Int], _ cls: (Device) -> String, into out: inout [Int: String]) {
        var counts: [String: Int] = [:]
        for i in indices {
            let k = cls(devices[i])
            let n = counts[k, default: 0]
            counts[k] = n + 1
            out[i] = "\(k) #\(n + 1)"
        }
    }

    /// Pairs still-unpaired devices whose key is equal; several devices with one key pair in
    /// order (only a broken definition has two disks `vda`).
    mutating func match(_ old: [Device], _ oldIdx: [Int], _ new: [Device], _ newIdx: [Int], _ label: String,
                        key: (Device) -> String?, ordinalOld: [Int: String] = [:], ordinalNew: [Int: String] = [:])
    {
        var byKey: [String: [Int]] = [:]
        for j in newIdx where newToOld[j] == nil {
            if let k = ordinalNew[j] ?? key(new[j]) { byKey[k, default: []].append(j) }
        }
        for i in oldIdx where oldToNew[i] == nil {
            guard let k = ordinalOld[i] ?? key(old[i]), var list = byKey[k], !list.isEmpty else { continue }
            let j = list.removeFirst()
            byKey[k] = list
            oldToNew[i] = j
            newToOld[j] = i
            how[i] = label + k
        }
    }
}
