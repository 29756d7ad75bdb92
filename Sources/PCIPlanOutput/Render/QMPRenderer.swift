import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Renders a planned hot-add (`attach --live --qmp`) as the QMP commands that perform it, one
/// JSON command per line: each device's backend (`netdev_add`, `object-add`, `blockdev-add`)
/// right before its `device_add`.
///
/// The `device_add` arguments are `driver`, `id` (libvirt's alias), `bus`, `addr` and, on
/// function 0 of a multifunction slot, `multifunction` — the topology properties
/// `QEMUArgsRenderer` writes — then what QEMU needs to realize the device: `netdev`, `mac`,
/// `drive`, `rng`, `host`, `evdev`.
///
/// Order: the functions ≥ 1 first (ascending), function 0 last. QEMU 7.2 refuses a new
/// function in a slot whose function 0 already exists ("new func … cannot be exposed to
/// guest"), on every hot-pluggable bus, and announces the slot to the guest when function 0
/// arrives.
///
/// Only backends QEMU can open by itself are rendered: user-mode networking, vfio-pci host
/// devices, random/builtin RNGs, local disk images and block devices, and devices with no
/// backend. Anything else is refused with an `attach.qmpBackend` error: a tap device, a
/// vhost-user socket or a chardev is set up by libvirt outside QMP.
public enum QMPRenderer {
    /// The command lines, or nil with the reasons some device cannot be rendered.
    public static func hotAdd(_ plan: PlannedDomain, devices: [Int]) -> (text: String?, diagnostics: [Diagnostic]) {
        var lines: [String] = []
        var diags: [Diagnostic] = []
        let ordered = devices.sorted { a, b in
            let fa = plan.placements[a]?.address.function ?? 0, fb = plan.placements[b]?.address.function ?? 0
            return (fa == 0 ? 8 : fa, a) < (fb == 0 ? 8 : fb, b)
        }
        for i in ordered {
            let d = plan.devices[i]
            let at = d.element.map { SourceRange(file: plan.normalized.definition.file.name, startTagOf: $0) }
            guard let p = plan.placements[i], let alias = d.alias,
                  let driver = QEMUDriverNames.driver(plan, i, primaryVideo: plan.normalized.videoOrder.first)
            else {
                diags.append(.qmpNoPCIDevice(d.name, at: at))
                continue
            }
            switch backend(d, alias: alias) {
            case .refused(let why, let fix):
                diags.append(.qmpBackendRefused(d.name, why: why, fix: fix, at: at))
            case .rendered(let commands, var properties):
                properties["driver"] = .string(driver)
                properties["id"] = .string(alias)
                properties["bus"] = .string(QEMUArgsRenderer.busName(plan, p.address.bus))
                properties["addr"] = .string(QEMUArgsRenderer.addr(p.address))
                if p.multifunction == .on { properties["multifunction"] = .bool(true) }
                lines += commands
                lines.append(command("device_add", properties, order: ["driver", "id", "bus", "addr", "multifunction"]))
            }
        }
        return diags.isEmpty ? (lines.map { $0 + "\n" }.joined(), []) : (nil, diags)
    }

    enum Backend {
        /// Commands to run before `device_add`, and the device properties that refer to them.
        case rendered([String], [String: JSONValue])
        case refused(String, fix: String)
    }

    /// `{"execute":NAME,"arguments":{…}}`, the arguments' keys in `order`, then sorted.
    static func command(_ name: String, _ arguments: [String: JSONValue], order: [String]) -> String {
        "{\"execute\":" + JSONValue.string(name).compact() + ",\"arguments\":" + JSONValue.object(arguments).compact(order: order) + "}"
    }

    static func backend(_ d: Device, alias: String) -> Backend {
        let el = d.element
        switch d.kind {
        case .interface:
            switch d.subtype ?? "" {
            case "user":
                // libvirt's netdev id is "host" + the alias (hostnet0 for net0).
                let id = "host" + alias
                var properties: [String: JSONValue] = ["netdev": .string(id)]
                if let mac = el?.child("mac")?[attribute: "address"] { properties["mac"] = .string(mac) }
                return .rendered([command("netdev_add", ["type": .string("user"), "id": .string(id)], order: ["type", "id"])], properties)
            case "hostdev":
                return .refused("libvirt sets the MAC address and VLAN of an <interface type='hostdev'> on the host's physical function, which QMP cannot do",
                                fix: "set them on the host and pass the function through as <hostdev mode='subsystem' type='pci'>")
            case let type:
                return .refused("a '\(type)' interface needs a host network backend (a tap device or vhost-user socket) that libvirt opens and hands to QEMU",
                                fix: "use <interface type='user'> (QEMU's own user-mode network), or add the netdev by hand before its device_add")
            }
        case .hostdev:
            guard let host = d.hostPCIFunction else {
                return .refused("only PCI host devices (<hostdev mode='subsystem' type='pci'> with a source address) are rendered",
                                fix: "hot-add it with virsh attach-device")
            }
            // QEMU opens the VFIO group itself; the function must be bound to vfio-pci (libvirt's
            // managed='yes' does that on attach).
            return .rendered([], ["host": .string(host.description)])
        case .rng:
            let b = el?.child("backend")
            let id = "obj" + alias
            switch b?[attribute: "model"] ?? "random" {
            case "random":
                let file = b?.text.trimmingSpaces ?? ""
                return .rendered([command("object-add", ["qom-type": .string("rng-random"), "id": .string(id),
                                                         "filename": .string(file.isEmpty ? "/dev/urandom" : file)],
                                          order: ["qom-type", "id"])], ["rng": .string(id)])
            case "builtin":
                return .rendered([command("object-add", ["qom-type": .string("rng-builtin"), "id": .string(id)], order: ["qom-type", "id"])],
                                 ["rng": .string(id)])
            case let model:
                return .refused("an RNG with backend model '\(model)' needs a chardev that libvirt sets up",
                                fix: "use <backend model='random'>/dev/urandom</backend> or model='builtin'")
            }
        case .input:
            guard d.subtype == "passthrough" else { return .rendered([], [:]) }
            guard let evdev = el?.child("source")?[attribute: "evdev"] else {
                return .refused("a passthrough input needs <source evdev='…'/>", fix: "name the host's event device")
            }
            return .rendered([], ["evdev": .string(evdev)])
        case .disk:
            return disk(d, alias: alias)
        case .controller where d.controller?.type == "scsi", .watchdog:
            return .rendered([], [:])
        default:
            return .refused("pciplan renders QMP backends for user-mode interfaces, PCI host devices, RNGs, virtio inputs and disks, SCSI controllers and the i6300esb watchdog only",
                            fix: "hot-add it with virsh attach-device, on its own")
        }
    }

    /// A local image or block device: a protocol node and a format node, named after the alias.
    static func disk(_ d: Device, alias: String) -> Backend {
        let el = d.element
        let type = el?[attribute: "type"] ?? "file"
        let source = el?.child("source")
        let storage: (driver: String, path: String?)
        switch type {
        case "file": storage = ("file", source?[attribute: "file"])
        case "block": storage = ("host_device", source?[attribute: "dev"])
        default:
            return .refused("a disk of type '\(type)' is not rendered, only type='file' and type='block'",
                            fix: "hot-add it with virsh attach-device, on its own")
        }
        guard let path = storage.path else {
            return .refused("the disk has no source, and an empty virtio disk cannot be hot-plugged", fix: "give it a <source>")
        }
        let format = el?.child("driver")?[attribute: "type"] ?? "raw"
        guard ["raw", "qcow2"].contains(format) else {
            return .refused("disk format '\(format)' is not rendered, only raw and qcow2", fix: "convert the image, or hot-add it with virsh attach-device")
        }
        let readOnly = el?.child("readonly") != nil
        var protocolNode: [String: JSONValue] = ["driver": .string(storage.driver), "filename": .string(path), "node-name": .string("\(alias)-storage")]
        var formatNode: [String: JSONValue] = ["driver": .string(format), "file": .string("\(alias)-storage"), "node-name": .string("\(alias)-format")]
        if readOnly {
            protocolNode["read-only"] = .bool(true)
            formatNode["read-only"] = .bool(true)
        }
        let order = ["driver", "node-name"]
        return .rendered([command("blockdev-add", protocolNode, order: order), command("blockdev-add", formatNode, order: order)],
                         ["drive": .string("\(alias)-format")])
    }
}
