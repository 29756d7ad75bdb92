import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The lock's JSON (sorted keys, two-space indent, a final newline) and reading it back.
extension ABILock {
    /// Why a lock cannot be read.
    public struct ReadError: Error, Sendable, Hashable {
        /// What is wrong, as a phrase for `plan.badLock` (`it is not a JSON object`).
        public var message: String
    }

    /// The lock as pretty-printed JSON with sorted keys and a final newline.
    public func rendered() -> String { json().rendered() + "\n" }

    /// The lock as a JSON value (schema in Docs/abi.md, "The lock file").
    public func json() -> JSONValue {
        var m: [String: JSONValue] = ["type": .string(machine.type), "family": .string(machine.family), "acpi": .bool(machine.acpi)]
        if let a = machine.arch { m["arch"] = .string(a) }
        if machine.sharedMemory { m["sharedMemory"] = .bool(true) }
        if machine.numaCells > 0 { m["numaCells"] = .int(machine.numaCells) }
        return .object([
            "schema": .int(schema),
            "machine": .object(m),
            "devices": .array(devices.map { $0.json() }),
            "removed": .array(removed.map { .object(["address": Self.json($0.address), "identity": .string($0.identity)]) }),
        ])
    }

    static func json(_ a: PCIAddress) -> JSONValue {
        .object(["domain": .int(Int(a.domain)), "bus": .int(a.bus), "slot": .int(a.slot), "function": .int(a.function)])
    }

    /// Reads a lock of schema 1 up to `schemaVersion`; a newer or unknown schema, or a field of
    /// the wrong type, is a `ReadError`.
    public static func read(_ bytes: [UInt8]) throws(ReadError) -> ABILock {
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch {
            throw ReadError(message: "it is not JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object = v else { throw ReadError(message: "it is not a JSON object") }
        guard let schema = v["schema"]?.intValue else { throw ReadError(message: "it has no \"schema\" number, so it is not a pciplan lock") }
        guard schema >= 1, schema <= schemaVersion else {
            throw ReadError(message: "it has lock schema \(schema), and this pciplan reads schemas 1 to \(schemaVersion); use a newer pciplan")
        }
        let m = v["machine"]
        guard let type = m?["type"]?.stringValue, let family = m?["family"]?.stringValue else {
            throw ReadError(message: "\"machine\" needs \"type\" and \"family\" strings")
        }
        let machine = Machine(arch: m?["arch"]?.stringValue, type: type, family: family, acpi: m?["acpi"]?.boolValue ?? false,
                              sharedMemory: m?["sharedMemory"]?.boolValue ?? false, numaCells: m?["numaCells"]?.intValue ?? 0)
        guard let list = v["devices"]?.arrayValue else { throw ReadError(message: "\"devices\" is not an array") }
        var devices: [Device] = []
        for (n, d) in list.enumerated() {
            guard let kind = d["kind"]?.stringValue, let element = d["element"]?.stringValue, let identity = d["identity"]?.stringValue else {
                throw ReadError(message: "device \(n + 1) needs \"kind\", \"identity\" and \"element\" strings")
            }
            var x = Device(kind: kind, identity: identity, userAlias: d["userAlias"]?.stringValue, alias: d["alias"]?.stringValue,
                           model: d["model"]?.stringValue, address: nil, multifunction: .absent, transport: d["transport"]?.stringValue,
                           driver: d["driver"]?.stringValue, controller: nil, element: element, guest: d["guest"] ?? .object([:]))
            if let a = d["address"] {
                guard let addr = address(a) else { throw ReadError(message: "device \(n + 1) (\(identity)) has a bad \"address\"") }
                x.address = addr
            }
            if let mf = d["multifunction"]?.stringValue {
                guard let t = Tristate(rawValue: mf), t != .absent else {
                    throw ReadError(message: "device \(n + 1) (\(identity)): \"multifunction\" is \"on\" or \"off\"")
                }
                x.multifunction = t
            }
            if let c = d["controller"], let t = c["type"]?.stringValue {
                var info = ControllerInfo(type: t)
                info.index = c["index"]?.intValue
                info.model = c["model"]?.stringValue
                info.modelName = c["modelName"]?.stringValue
                info.chassisNr = c["chassisNr"]?.intValue
                info.chassis = c["chassis"]?.intValue
                info.port = c["port"]?.intValue
                info.busNr = c["busNr"]?.intValue
                info.hotplug = c["hotplug"]?.stringValue.flatMap(Tristate.init(rawValue:)) ?? .absent
                x.controller = info
            }
            devices.append(x)
        }
        var removed: [Removed] = []
        for r in v["removed"]?.arrayValue ?? [] {
            guard let a = r["address"].flatMap(address) else { throw ReadError(message: "an entry of \"removed\" has a bad \"address\"") }
            removed.append(Removed(address: a, identity: r["identity"]?.stringValue ?? "?"))
        }
        return ABILock(schema: schema, machine: machine, devices: devices, removed: removed)
    }

    static func address(_ v: JSONValue) -> PCIAddress? {
        guard let d = v["domain"]?.intValue, let b = v["bus"]?.intValue, let s = v["slot"]?.intValue, let f = v["function"]?.intValue,
              (0...0xFFFF).contains(d), (0...255).contains(b), (0...31).contains(s), (0...7).contains(f) else { return nil }
        return PCIAddress(domain: UInt32(d), bus: b, slot: s, function: f)
    }

    /// The synthesized old domain: libvirt XML with the machine, and every device's reduced
    /// element with its explicit address, in the lock's order.
    public func domainXML() -> String {
        var s = "<domain type='kvm'>\n  <name>pciplan-lock</name>\n  <memory unit='KiB'>1048576</memory>\n"
        if machine.sharedMemory { s += "  <memoryBacking><access mode='shared'/></memoryBacking>\n" }
        s += "  <os><type" + (machine.arch.map { " arch='\($0.xmlEscaped)'" } ?? "") + " machine='\(machine.type.xmlEscaped)'>hvm</type></os>\n"
        if machine.acpi { s += "  <features><acpi/></features>\n" }
        if machine.numaCells > 0 {
            s += "  <cpu><numa>" + (0..<machine.numaCells).map { "<cell id='\($0)' cpus='\($0)' memory='1048576' unit='KiB'/>" }.joined() + "</numa></cpu>\n"
        }
        s += "  <devices>\n"
        for d in devices {
            var address = ""
            if let a = d.address { address = a.xml(multifunction: d.multifunction) } else if d.transport == "virtio-mmio" { address = "<address type='virtio-mmio'/>" }
            var el = d.element
            if !address.isEmpty {
                if el.hasSuffix("/>") {
                    el = String(el.dropLast(2)) + ">" + address + "</\(d.kind)>"
                } else if el.hasSuffix("</\(d.kind)>") {
                    el = String(el.dropLast(d.kind.count + 3)) + address + "</\(d.kind)>"
                }
            }
            s += "    " + el + "\n"
        }
        return s + "  </devices>\n</domain>\n"
    }
}

extension ABILock.Device {
    func json() -> JSONValue {
        var o: [String: JSONValue] = ["kind": .string(kind), "identity": .string(identity), "element": .string(element), "guest": guest]
        if let v = userAlias { o["userAlias"] = .string(v) }
        if let v = alias { o["alias"] = .string(v) }
        if let v = model { o["model"] = .string(v) }
        if let a = address { o["address"] = ABILock.json(a) }
        if multifunction != .absent { o["multifunction"] = .string(multifunction.rawValue) }
        if let v = transport { o["transport"] = .string(v) }
        if let v = driver { o["driver"] = .string(v) }
        if let c = controller {
            var co = c.jsonMembers
            if c.hotplug != .absent { co["hotplug"] = .string(c.hotplug.rawValue) }
            o["controller"] = .object(co)
        }
        return .object(o)
    }
}
