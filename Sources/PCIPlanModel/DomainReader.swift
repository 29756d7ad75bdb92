import PCIPlanSource

/// Stage 2 of the pipeline: turns the XML tree into a `DomainDefinition`, checking the
/// syntax of every `<address type='pci'>` the way libvirt's parser does.
public enum DomainReader {
    /// The definition in `root`, read from `file`, with every problem of the address syntax as a
    /// diagnostic; nil when the document is not a domain pciplan can plan (not `<domain>`, another
    /// architecture or machine type).
    public static func read(_ file: SourceFile, root: XMLElement) -> (DomainDefinition?, [Diagnostic]) {
        var diags: [Diagnostic] = []
        func range(_ r: Range<Int>) -> SourceRange { SourceRange(file: file.name, start: r.lowerBound, end: r.upperBound) }

        guard root.name == "domain" else {
            diags.append(.inputNotDomain(root: root.name, at: range(root.startTag)))
            return (nil, diags)
        }
        let osType = root.child("os")?.child("type")
        // Without arch= libvirt takes the host's, and pciplan plans as on an x86_64 host.
        let archText = osType?[attribute: "arch"] ?? GuestArch.x86_64.rawValue
        guard let arch = GuestArch(rawValue: archText) else {
            diags.append(.inputArch(archText, at: range(osType?.attributeNode("arch")?.valueRange ?? root.startTag)))
            return (nil, diags)
        }
        let machine = osType?[attribute: "machine"] ?? arch.libvirtDefaultMachine
        guard let family = MachineFamily.of(arch: arch, machine: machine) else {
            diags.append(.inputMachine(machine, arch: arch, defaulted: osType?[attribute: "machine"] == nil,
                at: range(osType?.attributeNode("machine")?.valueRange ?? osType?.startTag ?? root.startTag)))
            return (nil, diags)
        }
        let devicesElement = root.child("devices")
        var devices: [Device] = []
        let deviceElements: [XMLElement] = devicesElement.map { Array($0.children) } ?? []
        devices.reserveCapacity(deviceElements.count)
        for (i, el) in deviceElements.enumerated() {
            var d = makeDevice(el, position: i)
            // (`d.model` is the name as written, or libvirt's spelling of one of its own models,
            // which passes the same test.)
            if d.kind == .interface, let m = d.model, !isAcceptedNetModel(m), let model = netModelAttribute(el) {
                diags.append(.interfaceModelName(model.value, at: range(model.valueRange)))
            }
            if let addrEl = el.child("address") {
                d.addressElement = addrEl
                // libvirt 9.0 has no <crypto>: define drops it, address and all, unchecked.
                if d.kind != .crypto { d.address = parseAddress(addrEl, file: file, diags: &diags) }
            }
            devices.append(d)
        }
        return (DomainDefinition(file: file, root: root, machine: machine, family: family,
                                 devicesElement: devicesElement, devices: devices), diags)
    }

    static func kind(of tag: String) -> DeviceKind {
        switch tag {
        case "controller": .controller
        case "disk": .disk
        case "interface": .interface
        case "sound": .sound
        case "video": .video
        case "hostdev": .hostdev
        case "memballoon": .memballoon
        case "rng": .rng
        case "watchdog": .watchdog
        case "shmem": .shmem
        case "input": .input
        case "serial": .serial
        case "parallel": .parallel
        case "channel": .channel
        case "console": .console
        case "iommu": .iommu
        case "vsock": .vsock
        case "memory": .memory
        case "filesystem": .filesystem
        case "panic": .panic
        case "crypto": .crypto
        case "smartcard": .smartcard
        case "hub": .hub
        case "redirdev": .redirdev
        case "tpm": .tpm
        case "nvram": .nvram
        case "graphics": .graphics
        case "audio": .audio
        case "lease": .lease
        case "emulator": .emulator
        default: .other
        }
    }

    static func makeDevice(_ el: XMLElement, position: Int) -> Device {
        let k = kind(of: el.name)
        // Named when a name is asked for (`inputName`), except controllers: most names are
        // never printed, and building them was a fifth of reading a device.
        var d = Device(kind: k, origin: .input(position), element: el)
        switch k {
        case .controller:
            let type = el[attribute: "type"] ?? ""
            var info = ControllerInfo(type: type)
            if let idx = el[attribute: "index"] {
                info.indexGiven = true
                // libvirt reads the index as a plain decimal; other forms are diagnosed by the checker.
                info.index = parseLibvirtControllerIndex(idx).value
            }
            info.model = el[attribute: "model"]
            info.modelName = el.child("model")?[attribute: "name"]
            if let t = el.child("target") {
                info.chassisNr = t[attribute: "chassisNr"].flatMap(parseLibvirtUInt).map { Int($0) }
                info.chassis = t[attribute: "chassis"].flatMap(parseLibvirtUInt).map { Int($0) }
                info.port = t[attribute: "port"].flatMap(parseLibvirtUInt).map { Int($0) }
                info.busNr = t[attribute: "busNr"].flatMap(parseLibvirtUInt).map { Int($0) }
                info.targetIndex = t[attribute: "index"].flatMap(parseLibvirtUInt).map { Int($0) }
                info.hotplug = Tristate(rawValue: t[attribute: "hotplug"] ?? "absent") ?? .absent
            }
            d.controller = info
            d.model = info.model
            d.name = "controller \(type)\(info.index.map { " \($0)" } ?? "")"
        case .disk:
            let target = el.child("target")
            d.diskTarget = target?[attribute: "dev"]
            d.bus = target?[attribute: "bus"] ?? diskBus(forTarget: d.diskTarget ?? "")
            d.model = el[attribute: "model"]
            d.subtype = el[attribute: "device"]
        case .interface:
            d.subtype = el[attribute: "type"]
            // An empty type is no model (libvirt's virXPathString gives NULL): the default applies.
            d.model = netModelAttribute(el).flatMap { $0.value.isEmpty ? nil : canonicalNetModel($0.value) }
        case .video:
            d.model = el.child("model")?[attribute: "type"]
        case .hostdev:
            d.subtype = el[attribute: "type"]
            d.model = el[attribute: "model"]
            d.bus = el[attribute: "mode"] ?? "subsystem"
        case .input:
            d.subtype = el[attribute: "type"]
            d.bus = el[attribute: "bus"]
            d.model = el[attribute: "model"]
        case .serial, .channel, .console, .parallel:
            d.subtype = el.child("target")?[attribute: "type"]
            d.model = el.child("target")?.child("model")?[attribute: "name"]
        case .filesystem:
            d.model = el[attribute: "model"]
            d.subtype = el.child("driver")?[attribute: "type"]
        case .sound, .memory, .memballoon, .rng, .watchdog, .iommu, .vsock, .panic, .crypto, .shmem:
            d.model = el[attribute: "model"]
        default:
            break
        }
        return d
    }

    /// The short human name of the device read from `el` (`disk 'vda'`, `interface 52:54:…`),
    /// from the element as written: what `Device.name` says for an input device until a stage
    /// names it otherwise.
    static func inputName(_ el: XMLElement, kind k: DeviceKind) -> String {
        switch k {
        case .disk:
            return "disk '" + (el.child("target")?[attribute: "dev"] ?? "?") + "'"
        case .interface:
            if let mac = el.child("mac")?[attribute: "address"] { return "interface " + mac }
            return "interface"
        case .sound:
            return "sound '" + (el[attribute: "model"] ?? "?") + "'"
        case .video:
            return "video '" + (el.child("model")?[attribute: "type"] ?? "default") + "'"
        case .hostdev:
            if let a = el.child("source")?.child("address"), a[attribute: "type"] ?? "pci" == "pci", a[attribute: "slot"] != nil {
                // One spelling everywhere: libvirt's 0000:3b:00.0, whatever number forms the source uses.
                func n(_ k: String) -> UInt64 { a[attribute: k].flatMap(parseLibvirtUInt) ?? 0 }
                return "hostdev " + PCIAddress(domain: UInt32(truncatingIfNeeded: n("domain")), bus: Int(truncatingIfNeeded: n("bus")),
                                               slot: Int(truncatingIfNeeded: n("slot")), function: Int(truncatingIfNeeded: n("function"))).description
            } else if let a = el.child("source")?.child("address") {
                return "hostdev \(a.attributes.filter { $0.name != "type" }.map { "\($0.name)=\($0.value)" }.joined(separator: ","))"
            }
            return "hostdev"
        case .input:
            return "input \(el[attribute: "type"] ?? "?") (\(el[attribute: "bus"] ?? "default"))"
        case .filesystem:
            return "filesystem '" + (el.child("target")?[attribute: "dir"] ?? "?") + "'"
        case .memory:
            return "memory '" + (el[attribute: "model"] ?? "?") + "'"
        case .memballoon, .rng, .watchdog, .iommu, .vsock, .panic, .crypto, .shmem:
            if k == .shmem, let n = el[attribute: "name"] { return "shmem '" + n + "'" }
            if let m = el[attribute: "model"] { return el.name + " '" + m + "'" }
            return el.name
        default:
            return el.name
        }
    }

    /// libvirt's default disk bus from the target name prefix.
    static func diskBus(forTarget dev: String) -> String {
        if dev.hasPrefix("vd") { return "virtio" }
        if dev.hasPrefix("sd") { return "scsi" }
        if dev.hasPrefix("hd") { return "ide" }
        if dev.hasPrefix("fd") { return "fdc" }
        if dev.hasPrefix("xvd") { return "xen" }
        if dev.hasPrefix("ubd") { return "uml" }
        return "ide"
    }

    /// Parses `<address>` like libvirt's `virPCIDeviceAddressParseXML`, reporting every problem.
    static func parseAddress(_ el: XMLElement, file: SourceFile, diags: inout [Diagnostic]) -> AddressSpec {
        func range(_ r: Range<Int>) -> SourceRange { SourceRange(file: file.name, start: r.lowerBound, end: r.upperBound) }
        guard let type = el[attribute: "type"] else {
            diags.append(.addressMissingType(at: range(el.startTag)))
            return .invalid
        }
        guard type == "pci" else { return .other(type) }
        var ok = true
        // Stored definitions give every device an address: values first, each attribute with
        // its ranges only for a diagnostic (a dictionary of the four numbers and a trimmed copy
        // of each value were most of reading a stored domain).
        var values: [UInt64] = [0, 0, 0, 0]
        for (k, name) in ["domain", "bus", "slot", "function"].enumerated() {
            guard let value = el[attribute: name] else { continue }
            guard let v = parseLibvirtUInt(value), v <= UInt64(UInt32.max) else {
                ok = false
                let at = el.attributeNode(name)?.valueRange ?? el.startTag
                diags.append(.addressBadNumber(name, value, at: range(at),
                                               looksHex: !value.isEmpty && value.allSatisfy({ $0.isASCII && $0.isHexDigit })))
                continue
            }
            values[k] = v
            if v != 0, writtenOctal(value) {
                diags.append(.addressOctal(name, value, reads: Int(v), at: range(el.attributeNode(name)?.valueRange ?? el.startTag)))
            }
        }
        var multi = Tristate.absent
        if let m = el[attribute: "multifunction"] {
            if m == "on" { multi = .on } else if m == "off" { multi = .off } else {
                ok = false
                diags.append(.addressBadMultifunction(m, at: range(el.attributeNode("multifunction")?.valueRange ?? el.startTag)))
            }
        }
        guard ok else { return .invalid }
        let addr = PCIAddress(domain: UInt32(values[0]), bus: Int(values[1]), slot: Int(values[2]), function: Int(values[3]))
        if addr.isEmpty {
            if addr.function != 0 || multi != .absent {
                diags.append(.addressEmptyIgnored(function: addr.function, multifunction: multi, at: range(el.startTag)))
            }
            return .pciWanted(multifunction: multi)
        }
        // Range checks happen only on non-empty addresses, as in libvirt.
        var inRange = true
        if addr.bus > 0xFF {
            inRange = false
            diags.append(.addressBusOutOfRange(addr.bus, at: range(el.attributeNode("bus")?.valueRange ?? el.startTag)))
        }
        if addr.slot > 0x1F {
            inRange = false
            diags.append(.addressSlotOutOfRange(addr.slot, at: range(el.attributeNode("slot")?.valueRange ?? el.startTag)))
        }
        if addr.function > 7 {
            inRange = false
            diags.append(.addressFunctionOutOfRange(addr.function, at: range(el.attributeNode("function")?.valueRange ?? el.startTag)))
        }
        return inRange ? .pci(addr, multifunction: multi) : .invalid
    }
}

extension String {
    package var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}

/// libvirt's NIC models (`virDomainNetModel`), which it matches case-insensitively and stores in
/// this spelling; any other model string is kept as written.
let knownNetModels = ["netfront", "rtl8139", "virtio", "e1000", "e1000e", "virtio-transitional",
                      "virtio-non-transitional", "usb-net", "spapr-vlan", "lan9118", "scm91c111", "vlance",
                      "vmxnet", "vmxnet2", "vmxnet3", "Am79C970A", "Am79C973", "82540EM", "82545EM", "82543GC"]

/// Whether libvirt takes `model` as a NIC model (`virDomainNetSetModelString`): one of its own
/// in any case, or a name of its own made of ASCII letters, digits, `_` and `-` that it passes
/// on to QEMU. libvirt's own names are made of those characters too, so they are the test.
func isAcceptedNetModel(_ model: String) -> Bool {
    model.utf8.allSatisfy { b in
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F || b == 0x2D
    }
}

/// An interface's `<model type>`, as libvirt reads it (`string(./model/@type)`: the first
/// `type` of any `<model>` child, so a `<model>` without one is passed over).
func netModelAttribute(_ interface: XMLElement) -> XMLAttribute? {
    for child in interface.children where child.name == "model" {
        if let type = child.attributeNode("type") { return type }
    }
    return nil
}

/// A NIC model in libvirt's own spelling (`ViRtIo` → `virtio`).
func canonicalNetModel(_ model: String) -> String {
    if knownNetModels.contains(model) { return model }
    // libvirt compares with STRCASEEQ: ASCII letters only, byte by byte.
    func fold(_ b: UInt8) -> UInt8 { (0x41...0x5A).contains(b) ? b | 0x20 : b }
    return knownNetModels.first { $0.utf8.elementsEqual(model.utf8) { fold($0) == fold($1) } } ?? model
}
