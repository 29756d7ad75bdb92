import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Which device of one definition is which device of another: by identity, never by plain
/// position, so removing the first disk does not make every later disk "the same" as its
/// predecessor (libvirt's own ABI check pairs by position within a class; that is exactly what
/// an edited definition breaks).
///
/// In order, each step pairing only what the ones before left unpaired (Docs/abi.md, "Identity"):
/// 1. a user alias (`<alias name='ua-…'/>`): apps set it to carry identity, so it wins over a
///    MAC or a host source that changed (a VF pool hands out other VFs);
/// 2. the device's own name: interface MAC (every type, `hostdev` included), disk target
///    (`vda`), host device source, controller type + index (+ model inside a USB2 companion set),
///    filesystem target, shmem name, channel or console target;
/// 3. devices without such a name, within one class (kind and type, and an input's bus): first
///    the pairs whose guest view is unchanged (when views are given), then the same written
///    address, then the same place in both plans (views given), then the same element apart from
///    its address and alias; then a device libvirt adds by default (a balloon, a video) pairs in
///    order with one of its class without a user alias on the other side (libvirt and QEMU call
///    both `balloon0`). With `positional` (what `plan --keep` asks for, where NEW is not planned yet)
///    the rest of a class pairs in order, so same-kind devices keep their places; `diff` leaves
///    them unpaired, a removed device and an added one.
///
/// So a default device libvirt adds where OLD wrote one with a user alias pairs with it only when
/// its guest view is unchanged or, with `positional`, by order.
public struct DevicePairing: Sendable, Hashable {
    /// Old device index → new device index.
    public var oldToNew: [Int: Int] = [:]
    /// New device index → old device index.
    public var newToOld: [Int: Int] = [:]
    /// Old device index → what paired it (`disk target 'vda'`, `user alias 'ua-net0'`,
    /// `same guest view: rng`).
    public var how: [Int: String] = [:]

    /// Pairs the devices of two definitions, in the order of the type's description; a device
    /// pairs at most once. `views` (both planned) lets devices without identity pair by an
    /// unchanged guest view; `positional` pairs what is left of a class in order.
    public init(old: [Device], new: [Device], views: (old: QEMUView, new: QEMUView)? = nil, positional: Bool = false) {
        let oldAll = old.indices.filter { Self.participates(old[$0]) }
        let newAll = new.indices.filter { Self.participates(new[$0]) }
        match(old, oldAll, new, newAll, "user alias ", key: { Self.userAlias($0).map { "'\($0)'" } })
        match(old, oldAll, new, newAll, "", key: { Self.identity($0) })
        let oldWeak = oldAll.filter { Self.identity(old[$0]) == nil }
        let newWeak = newAll.filter { Self.identity(new[$0]) == nil }
        if let views {
            match(old, oldWeak, new, newWeak, "same guest view: ", key: { _ in nil },
                  oldKey: { i in views.old[i].map { "\(Self.weakClass(old[i])) \($0.pathDescription) \($0.identityDescription) mf \($0.multifunction)" } },
                  newKey: { j in views.new[j].map { "\(Self.weakClass(new[j])) \($0.pathDescription) \($0.identityDescription) mf \($0.multifunction)" } })
        }
        // What follows pairs by what the definitions say; a device libvirt added has nothing to say.
        let oldStated = oldWeak.filter { !old[$0].isAddedByPlanner }
        let newStated = newWeak.filter { !new[$0].isAddedByPlanner }
        match(old, oldStated, new, newStated, "same address: ", key: { d in Self.writtenAddress(d).map { "\(Self.weakClass(d)) at \($0)" } })
        if let views {
            // Where both sides place a device of the class at one address, it is the guest's
            // device at that place: another model there is a changed device, not a new one.
            match(old, oldStated, new, newStated, "same place: ", key: { _ in nil },
                  oldKey: { i in views.old[i].map { "\(Self.weakClass(old[i])) \($0.pathDescription)" } },
                  newKey: { j in views.new[j].map { "\(Self.weakClass(new[j])) \($0.pathDescription)" } })
        }
        match(old, oldStated, new, newStated, "same element: ", key: { d in Self.content(d).map { "\(Self.weakClass(d)) \($0)" } })
        // A device libvirt adds by default is the one of its class the other side has when
        // that one has no user alias: libvirt names both alike (`balloon0`, `video0`), and so does
        // QEMU. One with a user alias is another device, unless its view is unchanged (above).
        let oldDefaults = Set(oldWeak.filter { old[$0].isAddedByPlanner }.map { Self.weakClass(old[$0]) })
        let newDefaults = Set(newWeak.filter { new[$0].isAddedByPlanner }.map { Self.weakClass(new[$0]) })
        let defaults = oldDefaults.union(newDefaults)
        ordinalMatch(old, oldWeak.filter { Self.userAlias(old[$0]) == nil && defaults.contains(Self.weakClass(old[$0])) },
                     new, newWeak.filter { Self.userAlias(new[$0]) == nil && defaults.contains(Self.weakClass(new[$0])) },
                     "libvirt's default: ")
        if positional {
            ordinalMatch(old, oldStated, new, newStated, "class and ordinal: ")
            ordinalMatch(old, oldWeak, new, newWeak, "class and ordinal: ")
        }
    }

    /// Devices that can be guest-visible PCI functions or controllers; `<emulator>` and the
    /// `<crypto>` libvirt 9.0 drops are not.
    static func participates(_ d: Device) -> Bool { d.kind != .emulator && d.kind != .crypto }

    /// A user alias (`ua-` prefix, the only aliases libvirt keeps in a stored definition).
    public static func userAlias(_ d: Device) -> String? {
        guard let a = d.element?.child("alias")?[attribute: "name"], a.hasPrefix("ua-") else { return nil }
        return a
    }

    /// The device's own name (step 2), or nil when it has none.
    public static func identity(_ d: Device) -> String? {
        let el = d.element
        switch d.kind {
        case .disk:
            return el?.child("target")?[attribute: "dev"].map { "disk target '\($0)'" }
        case .interface:
            if let mac = el?.child("mac")?[attribute: "address"] { return "interface MAC \(mac.lowercased())" }
            return Checker.hostdevSource(d).map { "interface hostdev \($0.key)" }
        case .hostdev:
            return Checker.hostdevSource(d).map { "hostdev \($0.key)" }
        case .controller:
            guard let c = d.controller, let idx = c.index else { return nil }
            let companions = ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"]
            if c.type == "usb", let m = c.model, companions.contains(m) { return "controller usb \(idx) \(m)" }
            return "controller \(c.type) \(idx)"
        case .filesystem:
            return el?.child("target")?[attribute: "dir"].map { "filesystem target '\($0)'" }
        case .shmem:
            return el?[attribute: "name"].map { "shmem '\($0)'" }
        case .channel, .console:
            guard let t = el?.child("target") else { return nil }
            let name = t[attribute: "name"] ?? t[attribute: "port"]
            return name.map { "\(d.kind.rawValue) target '\($0)'" }
        default:
            return nil
        }
    }

    /// What devices without a name of their own must share to pair: kind and type, and an input's
    /// bus, so a virtio mouse never pairs with the implicit PS/2 one. A model is not part of it:
    /// another video model at the primary video's place is the primary video, changed.
    static func weakClass(_ d: Device) -> String {
        let k = d.kind.rawValue + (d.subtype.map { " \($0)" } ?? "")
        return d.kind == .input ? k + " bus \(d.bus ?? "default")" : k
    }

    /// The PCI address the element writes, normalised (`0000:00:07.0`).
    static func writtenAddress(_ d: Device) -> PCIAddress? {
        if case .pci(let a, _) = d.address { return a }
        return nil
    }

    /// The element as text without its `<address>` and `<alias>` children: two devices written
    /// alike are interchangeable.
    static func content(_ d: Device) -> String? {
        guard let el = d.element else { return nil }
        func render(_ e: XMLElement) -> String {
            let attrs = e.attributes.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: " ")
            let kids = e.children.filter { $0.name != "address" && $0.name != "alias" }.map(render).joined()
            return "<\(e.name) \(attrs)>\(kids)</\(e.name)>"
        }
        return render(el)
    }

    /// Pairs the n-th unpaired device of one class with the n-th of the other.
    mutating func ordinalMatch(_ old: [Device], _ oldIdx: [Int], _ new: [Device], _ newIdx: [Int], _ label: String) {
        func ordinals(_ devices: [Device], _ indices: [Int]) -> [Int: String] {
            var counts: [String: Int] = [:]
            var out: [Int: String] = [:]
            for i in indices {
                let k = Self.weakClass(devices[i])
                counts[k, default: 0] += 1
                out[i] = "\(k) #\(counts[k] ?? 1)"
            }
            return out
        }
        let o = ordinals(old, oldIdx.filter { oldToNew[$0] == nil })
        let n = ordinals(new, newIdx.filter { newToOld[$0] == nil })
        match(old, oldIdx, new, newIdx, label, key: { _ in nil }, oldKey: { o[$0] }, newKey: { n[$0] })
    }

    /// Pairs still-unpaired devices whose key is equal (`oldKey`/`newKey` by index override
    /// `key`); several devices with one key pair in order (only a broken definition has two
    /// disks `vda`).
    mutating func match(_ old: [Device], _ oldIdx: [Int], _ new: [Device], _ newIdx: [Int], _ label: String,
                        key: (Device) -> String?, oldKey: ((Int) -> String?)? = nil, newKey: ((Int) -> String?)? = nil)
    {
        var byKey: [String: [Int]] = [:]
        for j in newIdx where newToOld[j] == nil {
            if let k = newKey.map({ $0(j) }) ?? key(new[j]) { byKey[k, default: []].append(j) }
        }
        for i in oldIdx where oldToNew[i] == nil {
            guard let k = oldKey.map({ $0(i) }) ?? key(old[i]), var list = byKey[k], !list.isEmpty else { continue }
            let j = list.removeFirst()
            byKey[k] = list
            oldToNew[i] = j
            newToOld[j] = i
            how[i] = label + (label.hasPrefix("same guest view") ? Self.weakClass(old[i]) : k)
        }
    }
}

extension Device {
    /// Whether libvirt (the planner) added this device at define: it has no element of its own.
    var isAddedByPlanner: Bool {
        if case .added = origin { return true }
        return false
    }
}
