import PCIPlanSource

/// Stage 3: what libvirt 9.0 does to a definition at `virsh define` before it assigns PCI
/// addresses — controller indexes, implicit controllers, default devices, model defaults and
/// connect flags. The result is the device list the planner walks.
public struct NormalizedDomain: Sendable {
    /// The definition as read, with the file and the XML tree the writer edits. Its device
    /// list has moved into `devices` (`Define.normalize` takes it over; `definition.devices` is
    /// empty), so each device is held once and normalising changes it in place.
    public var definition: DomainDefinition
    /// Input devices followed by the devices libvirt adds.
    public var devices: [Device]
    /// Controllers in libvirt's list order (grouped by type, by index within a type).
    public var controllerOrder: [Int]
    /// Videos with the primary one first.
    public var videoOrder: [Int]
    /// Disks grouped by bus, sorted by target name within a bus (virDomainDiskInsert).
    public var diskOrder: [Int]
    /// The first console when it mirrors the first serial port: it is stored with that port's address.
    public var consoleMirror: (console: Int, serial: Int)? = nil

    /// Whether the devices carry libvirt's alias names (`Device.alias`); `Define.normalize`
    /// leaves them out when asked to (`assignAliases()` adds them later).
    public internal(set) var hasAliases = true

    /// The machine family of the definition.
    public var family: MachineFamily { definition.family }

    /// Names every device as libvirt 9.0 does (`Aliases.assign`), when `normalize` left them out.
    public mutating func assignAliases() {
        guard !hasAliases else { return }
        Aliases.assign(&devices, controllerOrder: controllerOrder, family: family)
        hasAliases = true
    }

    /// Index into `devices` of the PCI controller with this index.
    public func pciController(index: Int) -> Int? {
        controllerOrder.first { devices[$0].controller?.type == "pci" && devices[$0].controller?.index == index }
    }
}

/// Stage 3 of the pipeline: libvirt 9.0's define-time normalisation, turning a
/// `DomainDefinition` into a `NormalizedDomain`.
public enum Define {
    /// Applies what libvirt does at `virsh define` before it assigns PCI addresses: controller
    /// indexes (`virDomainAssignControllerIndexes`), the default devices
    /// (`qemuDomainDefAddDefaultDevices`), implicit controllers
    /// (`virDomainDefAddImplicitControllers`), model defaults, the serial console mirror, connect
    /// flags and aliases (without `aliases`, the devices are left unnamed:
    /// `NormalizedDomain.assignAliases()`). Warnings say what libvirt drops.
    public static func normalize(_ def: consuming DomainDefinition, aliases: Bool = true) -> (NormalizedDomain, [Diagnostic]) {
        let machine = def.family.descriptor
        // Taken over, not copied: the definition's list still holding every device would make
        // each change below copy that device first.
        var devices: [Device] = []
        swap(&devices, &def.devices)
        var diags: [Diagnostic] = []
        var order: [Int] = []

        // <crypto> does not exist in libvirt 9.0: define drops it, address and all.
        for i in devices.indices where devices[i].kind == .crypto {
            devices[i].flags = []
            if let el = devices[i].element {
                diags.append(.cryptoDropped(at: SourceRange(file: def.file.name, startTagOf: el)))
            }
        }

        // (Questions about all devices go through `devices.indices`: iterating `devices` itself
        // copies every device, which was most of this stage's time on large domains.)

        // Parse: controllers enter the list as libvirt's virDomainControllerInsertPreAlloced puts them.
        for i in devices.indices where devices[i].kind == .controller {
            insertController(i, devices: devices, order: &order)
        }
        // Post-parse: controllers without index= take the lowest unused index of their type.
        // (virDomainAssignControllerIndexes; a USB2 companion joins the set of the USB2
        // controller just before it unless that set already has its model.)
        func isUSB2(_ c: ControllerInfo?) -> Bool {
            c?.type == "usb" && ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].contains(c?.model ?? "")
        }
        for (pos, i) in order.enumerated() where devices[i].controller?.index == nil {
            let c = devices[i].controller
            let type = c?.type ?? ""
            var inherited: Int? = nil
            if pos > 0 && isUSB2(c) {
                let prev = order[..<pos].last { devices[$0].controller?.type == "usb" }.flatMap { devices[$0].controller }
                if let prev, isUSB2(prev), let pidx = prev.index,
                   !order.contains(where: { devices[$0].controller?.type == "usb" && devices[$0].controller?.index == pidx && devices[$0].controller?.model == c?.model })
                {
                    inherited = pidx
                }
            }
            defer { devices[i].name = "controller \(type) \(devices[i].controller?.index ?? 0)" }
            if let inherited {
                devices[i].controller?.index = inherited
            } else {
                let used = Set(order.compactMap { devices[$0].controller?.type == type ? devices[$0].controller?.index : nil })
                var n = 0
                while used.contains(n) { n += 1 }
                devices[i].controller?.index = n
            }
        }

        // (no closures over `devices`: a captured variable is boxed, and then reading a device
        // out of it copies the whole device)
        func hasController(_ type: String, _ index: Int) -> Bool { Self.hasController(type, index, devices, order) }
        func addController(_ type: String, _ index: Int, model: String?, reason: String) {
            Self.addController(type, index, model: model, reason: reason, &devices, &order)
        }

        // qemu driver defaults (qemuDomainDefAddDefaultDevices).
        if !hasController("pci", 0) {
            addController("pci", 0, model: machine.rootModel.rawValue, reason: "the \(machine.chipsetName) machine's root bus")
        }
        if machine.addsDefaultUSB && !hasController("usb", 0) {
            addController("usb", 0, model: nil, reason: "libvirt's default USB controller")
        }
        for (type, reason) in machine.defaultControllers where !hasController(type, 0) {
            addController(type, 0, model: nil, reason: reason)
        }
        if machine.addsDefaultMemballoon && !devices.indices.contains(where: { devices[$0].kind == .memballoon }) {
            var d = Device(kind: .memballoon, origin: .added("libvirt's default memory balloon"), element: nil, name: "memballoon 'virtio'")
            d.model = "virtio"
            devices.append(d)
        }

        // Implicit controllers (virDomainDefAddImplicitControllers), in libvirt's order: the
        // disk controllers (scsi, fdc, ide, sata; indexes 0 up to the highest a disk uses), then
        // the virtio-serial controller each virtio channel or console names, then ccid for
        // smartcards, then scsi controllers for SCSI host devices. The order matters: these are
        // appended to the controller list, which is the order they get PCI slots.
        func addUpTo(_ type: String, _ highest: Int?) {
            guard let highest else { return }
            for i in 0...highest where !hasController(type, i) {
                addController(type, i, model: nil, reason: "implicit \(type) controller for the devices that use it")
            }
        }
        // (by index: copying thousands of disks into a filtered array was a tenth of define)
        let diskIndices = devices.indices.filter { devices[$0].kind == .disk }
        for type in machine.implicitDiskControllers {
            var highest: Int? = nil
            for i in diskIndices where devices[i].bus == type {
                let at = devices[i].element.map { SourceRange(file: def.file.name, startTagOf: $0) }
                if devices[i].addressElement?[attribute: "type"] != "drive",
                   let dev = devices[i].diskTarget, diskNameIndex(dev) < 0 {
                    diags.append(.diskNameUnknown(dev, at: at))
                    continue
                }
                let c = driveController(devices[i])
                guard c <= maxDriveController else {
                    diags.append(.driveControllerTooHigh(type, index: c, at: at))
                    continue
                }
                highest = max(highest ?? 0, c)
            }
            addUpTo(type, highest)
        }
        // (channels first, then consoles — virDomainDefMaybeAddVirtioSerialController)
        let serialPorts = devices.indices.filter { devices[$0].kind == .channel } + devices.indices.filter { devices[$0].kind == .console }
        for i in serialPorts where devices[i].subtype == "virtio" {
            let a = devices[i].addressElement
            let c = a?[attribute: "type"] == "virtio-serial"
                ? Int(a?[attribute: "controller"] ?? "0") ?? 0 : 0
            // only the controller the port names, not every index below it
            if !hasController("virtio-serial", c) {
                addController("virtio-serial", c, model: nil, reason: "implicit virtio-serial controller for a virtio channel or console")
            }
        }
        if devices.indices.contains(where: { devices[$0].kind == .smartcard }) { addUpTo("ccid", 0) }
        addUpTo("scsi", devices.indices.filter { devices[$0].kind == .hostdev && devices[$0].subtype == "scsi" }
            .map { Int(devices[$0].addressElement?[attribute: "controller"] ?? "0") ?? 0 }.max())

        // A video is added when there is graphics but no video.
        if !devices.indices.contains(where: { devices[$0].kind == .video }) && devices.indices.contains(where: { devices[$0].kind == .graphics }) {
            let model = machine.defaultVideoModel
            var d = Device(kind: .video, origin: .added("libvirt's default video for <graphics>"), element: nil, name: "video '\(model)'")
            d.model = model
            devices.append(d)
        }

        // Model defaults libvirt resolves at define.
        for i in devices.indices {
            switch devices[i].kind {
            case .controller:
                guard var c = devices[i].controller else { continue }
                if c.type == "usb" && c.model == nil {
                    c.model = machine.defaultUSBModel
                    devices[i].model = c.model
                }
                if c.type == "scsi" && (c.model == nil || c.model == "auto" || c.model == "default") {
                    c.model = "lsilogic"
                    devices[i].model = c.model
                }
                devices[i].controller = c
            case .interface:
                // qemuDomainDeviceNetDefPostParse: a vDPA interface is always virtio; others
                // (but a hostdev one) get the machine's default model.
                if devices[i].model == nil && devices[i].subtype == "vdpa" { devices[i].model = "virtio" }
                if devices[i].model == nil && devices[i].subtype != "hostdev" { devices[i].model = machine.defaultNICModel }
            case .video:
                if devices[i].model == nil { devices[i].model = machine.defaultVideoModel }
            default:
                break
            }
        }

        // virDomainDefAddConsoleCompat: the first console, when it is a serial console, is a
        // copy of the first serial port — its own address is dropped and the serial's is
        // written for it (recorded with the oracle).
        var consoleMirror: (console: Int, serial: Int)? = nil
        if let con = devices.indices.first(where: { devices[$0].kind == .console }),
           devices[con].subtype == nil || devices[con].subtype == "serial",
           let ser = devices.indices.first(where: { devices[$0].kind == .serial })
        {
            consoleMirror = (con, ser)
            devices[con].address = .none
        }

        // Address-less virtio devices go to virtio-mmio when one device already uses it.
        assignVirtioMMIO(&devices, machine: machine)

        // Connect flags.
        let pciExpress = machine.pciExpress
        for i in devices.indices {
            devices[i].flags = connectFlags(devices[i], pciExpress: pciExpress)
        }
        // Aliases (qemu_alias.c) for messages and QEMU arguments; left for later when the caller
        // only writes XML back (half of normalising).
        if aliases { Aliases.assign(&devices, controllerOrder: order, family: def.family) }

        let disks = diskOrder(devices)

        var videos = devices.indices.filter { devices[$0].kind == .video }
        if let p = videos.firstIndex(where: { devices[$0].element?.child("model")?[attribute: "primary"] == "yes" }), p > 0 {
            let v = videos.remove(at: p)
            videos.insert(v, at: 0)
        }
        return (NormalizedDomain(definition: def, devices: devices, controllerOrder: order, videoOrder: videos, diskOrder: disks,
                                 consoleMirror: consoleMirror, hasAliases: aliases), diags)
    }

    static func hasController(_ type: String, _ index: Int, _ devices: [Device], _ order: [Int]) -> Bool {
        order.contains { devices[$0].controller?.type == type && devices[$0].controller?.index == index }
    }

    static func addController(_ type: String, _ index: Int, model: String?, reason: String, _ devices: inout [Device], _ order: inout [Int]) {
        var d = Device(kind: .controller, origin: .added(reason), element: nil, name: "controller \(type) \(index)")
        var info = ControllerInfo(type: type)
        info.index = index
        info.model = model
        d.controller = info
        d.model = model
        devices.append(d)
        order.append(devices.count - 1)  // libvirt appends controllers it adds
    }

    /// libvirt's virDomainControllerInsertPreAlloced: keep controllers of one type together,
    /// sorted by index; a controller without index goes after the last of its type.
    static func insertController(_ i: Int, devices: [Device], order: inout [Int]) {
        guard let c = devices[i].controller else { return }
        var insertAt: Int? = nil
        for pos in stride(from: order.count - 1, through: 0, by: -1) {
            guard let cur = devices[order[pos]].controller, cur.type == c.type else { continue }
            guard let idx = c.index else { insertAt = pos + 1; break }
            let curIdx = cur.index ?? -1
            // libvirt gives ich9-uhci1/2/3 a <master> at parse when they lack one
            // (by index: a closure over `Device` copied the whole device for each question)
            func isCompanion(_ k: Int) -> Bool {
                devices[k].element?.child("master") != nil || ["ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].contains(devices[k].controller?.model ?? "")
            }
            if curIdx > idx {
                insertAt = pos
            } else if curIdx == idx && !isCompanion(i) && isCompanion(order[pos]) {
                // a USB2 master goes before the companions of its index
                insertAt = pos
            } else if insertAt == nil {
                insertAt = pos + 1
            }
        }
        if let at = insertAt { order.insert(i, at: at) } else { order.append(i) }
    }

    /// libvirt's virDomainDiskInsert, applied disk by disk, keeps the disks of one bus together
    /// (buses in order of first appearance) and sorted by target index, equal ones in input
    /// order — the same as a stable sort within each bus group, which is what this computes.
    static func diskOrder(_ devices: [Device]) -> [Int] {
        // Buses in order of first appearance, each with its disks (a short list: a domain has
        // a handful of disk buses, and a String-keyed dictionary hashed every disk's bus).
        var groups: [(bus: String, disks: [(index: Int, device: Int)])] = []
        for i in devices.indices where devices[i].kind == .disk {
            let bus = devices[i].bus ?? ""
            let entry = (diskNameIndex(devices[i].diskTarget ?? ""), i)
            if let g = groups.firstIndex(where: { $0.bus == bus }) {
                groups[g].disks.append(entry)
            } else {
                groups.append((bus, [entry]))
            }
        }
        var order: [Int] = []
        for g in groups {
            // Stable: by drive index, then position (the device index grows with position).
            order += g.disks.sorted { ($0.index, $0.device) < ($1.index, $1.device) }.map(\.device)
        }
        return order
    }

    /// The drive controller a disk sits on: explicit `<address type='drive' controller=>` or
    /// derived from the target name as libvirt does (6 units per SATA bus, 7 per SCSI, 4 per IDE).
    /// The highest drive controller index pciplan adds controllers up to (libvirt adds every
    /// index below the highest a disk uses; thousands of controllers are a typo, not a guest).
    package static let maxDriveController = 1023

    package static func driveController(_ d: Device) -> Int {
        if let a = d.addressElement, a[attribute: "type"] == "drive" {
            return max(0, Int(a[attribute: "controller"] ?? "0") ?? 0)
        }
        let dev = d.diskTarget ?? ""
        let idx = max(0, diskNameIndex(dev))
        switch d.bus {
        case "scsi": return idx / 7
        case "sata": return idx / 6
        case "ide": return idx / 4
        default: return 0
        }
    }

    /// `sda` → 0, `sdz` → 25, `sdaa` → 26 (virDiskNameToIndex).
    static func diskNameIndex(_ name: String) -> Int { Aliases.diskNameToIndex(name) }
}
