import PCIPlanSource

/// libvirt 9.0's device alias names (`qemuAssignDeviceAliases` in `qemu_alias.c`), used in
/// messages and as QEMU `id`s.
///
/// Device classes are walked in libvirt's order (disks, nets, filesystems, sounds, hostdevs,
/// redirdevs, videos, controllers, inputs, chardevs, hubs, shmems, smartcards, watchdog, balloon,
/// RNGs, TPMs, memory, vsock, IOMMU) because nets and hostdevs share the `hostdevN` numbers.
/// Two numbering schemes exist, as in libvirt: "position" classes use the device's position in
/// its class (`sound1` stays `sound1` even when `sound0` has a user alias), "next free" classes
/// take one more than the highest number already given (`net`, `hostdev`, `fs`, `rng`, virtio
/// memory). A user alias (`<alias name='ua-…'/>`) is kept; other written aliases are ignored,
/// as libvirt ignores them in an inactive definition.
public enum Aliases {
    /// Sets `Device.alias` on every device as libvirt 9.0 names it for the `family` machine;
    /// `controllerOrder` is libvirt's controller list order (`NormalizedDomain.controllerOrder`),
    /// which numbers controllers of one type.
    public static func assign(_ devices: inout [Device], controllerOrder: [Int], family: MachineFamily) {
        let fam = family
        for i in devices.indices {
            if let ua = devices[i].element?.child("alias")?[attribute: "name"], ua.hasPrefix("ua-") {
                devices[i].alias = ua
            } else {
                devices[i].alias = nil
            }
        }
        // The device list moves into the assigner and back (a copy would duplicate every
        // device), and the indices of each kind are found once, up front: a closure over the
        // assigner would box it, and then every access to a device copies it.
        // A short list searched in place: a domain has a dozen kinds at most, and hashing
        // every device's kind name was a seventh of naming (a dictionary or set keyed by
        // DeviceKind itself costs a scan of all protocol conformances at its first use in every
        // run, README "Speed").
        var byKind: [(kind: DeviceKind, indices: [Int])] = []
        for i in devices.indices {
            let k = devices[i].kind
            if let g = byKind.firstIndex(where: { $0.kind == k }) {
                byKind[g].indices.append(i)
            } else {
                byKind.append((k, [i]))
            }
        }
        func of(_ k: DeviceKind) -> [Int] { byKind.first { $0.kind == k }?.indices ?? [] }
        var a = Assigner(devices: [])
        swap(&a.devices, &devices)
        defer { swap(&a.devices, &devices) }

        for i in of(.disk) { a.set(i, diskAlias(at: i, in: a.devices)) }
        for i in of(.interface) {
            a.set(i, a.devices[i].subtype == "hostdev" ? a.nextFree("hostdev", among: [.hostdev, .interface]) : a.nextFree("net", among: [.interface]))
        }
        for i in of(.filesystem) { a.set(i, a.nextFree("fs", among: [.filesystem])) }
        a.byPosition(of(.sound), "sound")
        for i in of(.hostdev) { a.set(i, a.nextFree("hostdev", among: [.hostdev, .interface])) }
        a.byPosition(of(.redirdev), "redir")
        a.byPosition(videoOrder(a.devices), "video")
        for i in controllerOrder { a.set(i, controllerAlias(a.devices[i], family: fam)) }
        a.byPosition(of(.input), "input")
        a.byPosition(of(.parallel), "parallel")
        a.byPosition(of(.serial), "serial")
        a.byPosition(of(.channel), "channel")
        for (n, i) in of(.console).enumerated() {
            // virDomainDefAddConsoleCompat: the first serial-type console is serial 0 itself.
            let t = a.devices[i].subtype
            if n == 0 && (t == nil || t == "serial") {
                a.set(i, of(.serial).first.flatMap { a.devices[$0].alias } ?? "serial0")
            } else {
                a.set(i, "console\(n)")
            }
        }
        a.byPosition(of(.hub), "hub")
        a.byPosition(of(.shmem), "shmem")
        a.byPosition(of(.smartcard), "smartcard")
        for i in of(.watchdog) { a.set(i, "watchdog0") }  // libvirt 9.0 allows one watchdog
        for i in of(.memballoon) where a.devices[i].model != "none" { a.set(i, "balloon0") }
        for i in of(.rng) { a.set(i, a.nextFree("rng", among: [.rng])) }
        a.byPosition(of(.tpm), "tpm")
        assignMemory(&a, of(.memory))
        for i in of(.vsock) { a.set(i, "vsock0") }
        for i in of(.iommu) { a.set(i, "iommu0") }
    }

    /// `qemuAssignDeviceControllerAlias`.
    static func controllerAlias(_ d: Device, family: MachineFamily) -> String? {
        guard let c = d.controller, let idx = c.index else { return nil }
        switch c.type {
        case "pci": return c.pciModel == .pcieRoot ? "pcie.\(idx)" : "pci.\(idx)"
        // the chipset's own disk controller (PIIX3 IDE, ICH9 AHCI)
        case family.descriptor.builtInDiskController where idx == 0: return "ide"
        case "usb" where idx == 0: return "usb"
        case "scsi" where idx == 0 && c.model == "ncr53c90": return "scsi"
        default: return "\(c.type)\(idx)"
        }
    }

    /// `qemuAssignDeviceDiskAlias`: drive-addressed disks are named by their address
    /// (`ide0-1-1`, `scsi0-0-2`, `scsi1-0-0-3` behind a non-lsilogic SCSI controller),
    /// the others by bus and target index (`virtio-disk3`, `usb-disk1`).
    /// (The disk by its index in `devices`: a `Device` argument would be a copy per disk.)
    static func diskAlias(at i: Int, in devices: [Device]) -> String {
        let bus = devices[i].bus ?? "ide"
        let dst = devices[i].diskTarget ?? ""
        let index = diskNameToIndex(dst)
        // Concatenation, not interpolation: one alias per disk.
        guard let drive = driveAddress(devices[i].addressElement, bus: bus, index: index) else { return numbered(bus, "-disk", index) }
        if bus == "scsi" {
            let model = devices.first { $0.controller?.type == "scsi" && $0.controller?.index == drive.controller }?.controller?.model
            if model != "lsilogic" {
                return "scsi" + String(drive.controller) + "-" + String(drive.bus) + "-" + String(drive.target) + "-" + String(drive.unit)
            }
        }
        return bus + String(drive.controller) + "-" + String(drive.bus) + "-" + String(drive.unit)
    }

    /// `prefix`, `infix` and the decimal `n` (`virtio-disk12`), written in one go: aliases are
    /// short, and a string of up to 15 ASCII bytes is built in place without validation, where
    /// concatenating and formatting the number cost two appends and a conversion per device.
    package static func numbered(_ prefix: String, _ infix: StaticString, _ n: Int) -> String {
        var prefix = prefix
        var digits = 1
        var rest = n.magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let sign = n < 0 ? 1 : 0
        return prefix.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + infix.utf8CodeUnitCount + sign + digits) { out in
                var i = 0
                for c in head {
                    out[i] = c
                    i += 1
                }
                for k in 0..<infix.utf8CodeUnitCount {
                    out[i] = infix.utf8Start[k]
                    i += 1
                }
                if sign == 1 {
                    out[i] = UInt8(ascii: "-")
                    i += 1
                }
                var v = n.magnitude
                var j = i + digits
                repeat {
                    j -= 1
                    out[j] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                } while v > 0
                return i + digits
            }
        }
    }

    /// `virDiskNameToIndex`: `vda` → 0, `vdz` → 25, `vdaa` → 26, `vdba` → 52.
    package static func diskNameToIndex(_ name: String) -> Int {
        guard let p = diskNamePrefix(name) else { return 0 }
        // libvirt's `int`: a long name wraps (a negative index is libvirt's "Unknown disk name").
        // ASCII names (all real ones) by byte: the same letters as by Character, without
        // grapheme breaking (the generic walk of a dropFirst view was most of a disk's alias).
        // Others keep the Character walk (a combining mark ends the letters).
        var utf8 = name
        let ascii = utf8.withUTF8 { bytes -> Int32? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var idx: Int32 = 0
            for i in p.utf8.count..<bytes.count {
                let a = bytes[i]
                guard a >= 97, a <= 122 else { break }
                idx = (idx &+ (i == p.utf8.count ? 0 : 1)) &* 26 &+ Int32(a - 97)
            }
            return idx
        }
        if let ascii { return Int(ascii) }
        var idx: Int32 = 0
        for (i, ch) in name.dropFirst(p.count).enumerated() {
            guard let a = ch.asciiValue, a >= 97, a <= 122 else { break }
            idx = (idx &+ (i == 0 ? 0 : 1)) &* 26 &+ Int32(a - 97)
        }
        return Int(idx)
    }

    /// The prefix `virDiskNameToIndex` strips (`fd`, `hd`, `vd`, `sd`, `xvd`, `ubd`), if `name`
    /// starts with one; by byte (the string array and `hasPrefix` were most of a disk's alias).
    static func diskNamePrefix(_ name: String) -> String? {
        var it = name.utf8.makeIterator()
        guard let a = it.next(), let b = it.next() else { return nil }
        switch (a, b) {
        case (UInt8(ascii: "f"), UInt8(ascii: "d")): return "fd"
        case (UInt8(ascii: "h"), UInt8(ascii: "d")): return "hd"
        case (UInt8(ascii: "v"), UInt8(ascii: "d")): return "vd"
        case (UInt8(ascii: "s"), UInt8(ascii: "d")): return "sd"
        case (UInt8(ascii: "x"), UInt8(ascii: "v")): return it.next() == UInt8(ascii: "d") ? "xvd" : nil
        case (UInt8(ascii: "u"), UInt8(ascii: "b")): return it.next() == UInt8(ascii: "d") ? "ubd" : nil
        default: return nil
        }
    }

    package struct DriveAddress { package var controller = 0, bus = 0, target = 0, unit = 0 }

    /// The written `<address type='drive'>` (a disk's `addressElement`), else
    /// `virDomainDiskDefAssignAddress`'s default.
    package static func driveAddress(_ addressElement: XMLElement?, bus: String, index idx: Int) -> DriveAddress? {
        if let el = addressElement, el[attribute: "type"] == "drive" {
            func v(_ n: String) -> Int { el[attribute: n].flatMap(parseLibvirtUInt).map { Int($0) } ?? 0 }
            return DriveAddress(controller: v("controller"), bus: v("bus"), target: v("target"), unit: v("unit"))
        }
        guard addressElement == nil else { return nil }
        switch bus {
        case "scsi": return DriveAddress(controller: idx / 7, unit: idx % 7)
        case "ide": return DriveAddress(controller: idx / 4, bus: (idx % 4) / 2, unit: idx % 2)
        case "sata": return DriveAddress(controller: idx / 6, unit: idx % 6)
        case "fdc": return DriveAddress(unit: idx)
        default: return nil
        }
    }

    /// `dimm<slot>`/`nvdimm<slot>` by DIMM slot (the first free slot when none is written);
    /// virtio-pmem and virtio-mem count up per prefix.
    static func assignMemory(_ a: inout Assigner, _ mems: [Int]) {
        func slot(_ i: Int) -> Int? {
            guard let el = a.devices[i].addressElement, el[attribute: "type"] == "dimm" else { return nil }
            return el[attribute: "slot"].flatMap(parseLibvirtUInt).map { Int($0) }
        }
        var used = Set(mems.compactMap(slot))
        for i in mems {
            switch a.devices[i].model {
            case "virtio-pmem": a.set(i, a.nextFree("virtiopmem", among: [.memory]))
            case "virtio-mem": a.set(i, a.nextFree("virtiomem", among: [.memory]))
            case "sgx-epc": a.set(i, a.nextFree("epc", among: [.memory]))
            case let m:
                var s = slot(i) ?? 0
                if slot(i) == nil {
                    while used.contains(s) { s += 1 }
                    used.insert(s)
                }
                a.set(i, "\(m == "nvdimm" ? "nvdimm" : "dimm")\(s)")
            }
        }
    }

    /// Videos with the primary one first (libvirt moves `primary='yes'` to the front).
    static func videoOrder(_ devices: [Device]) -> [Int] {
        var videos = devices.indices.filter { devices[$0].kind == .video }
        if let p = videos.firstIndex(where: { devices[$0].element?.child("model")?[attribute: "primary"] == "yes" }), p > 0 {
            videos.insert(videos.remove(at: p), at: 0)
        }
        return videos
    }

    /// Hands out aliases, never overwriting a user alias.
    struct Assigner {
        var devices: [Device]
        /// Per prefix (each prefix comes with one set of classes): one more than the highest
        /// `<prefix>N` handed out so far, kept up to date by `set`, so naming stays linear in the
        /// number of devices. A short list: there are at most six prefixes.
        private var next: [(prefix: String, kinds: [DeviceKind], value: Int)] = []

        init(devices: [Device]) { self.devices = devices }

        mutating func set(_ i: Int, _ alias: String?) {
            guard devices[i].alias == nil, let alias else { return }
            devices[i].alias = alias
            for k in next.indices where next[k].kinds.contains(devices[i].kind) && alias.hasPrefix(next[k].prefix) {
                if let n = Int(alias.dropFirst(next[k].prefix.count)) { next[k].value = max(next[k].value, n + 1) }
            }
        }

        mutating func byPosition(_ indices: [Int], _ prefix: String) {
            for (n, i) in indices.enumerated() { set(i, Aliases.numbered(prefix, "", n)) }
        }

        /// `qemuDomainDeviceAliasIndex` over the given classes: one more than the highest
        /// `<prefix>N` already given.
        mutating func nextFree(_ prefix: String, among kinds: [DeviceKind]) -> String {
            if let k = next.firstIndex(where: { $0.prefix == prefix }) {
                assert(next[k].kinds == kinds, "alias prefix \(prefix) used with two sets of device classes")
                return Aliases.numbered(prefix, "", next[k].value)
            }
            var value = 0
            for i in devices.indices where kinds.contains(devices[i].kind) {
                guard let a = devices[i].alias, a.hasPrefix(prefix), let n = Int(a.dropFirst(prefix.count)) else { continue }
                value = max(value, n + 1)
            }
            next.append((prefix, kinds, value))
            return Aliases.numbered(prefix, "", value)
        }
    }
}
