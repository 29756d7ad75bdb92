import PCIPlanModel
import PCIPlanSource

/// Device rules libvirt 9.0 applies at define that involve addresses: address types a device
/// cannot have, and the same host device passed through twice.
extension Checker {
    static func deviceChecks(_ c: CheckContext, _ f: inout Findings) {
        for i in c.devices.indices where c.devices[i].element != nil {
            addressTypeRules(c, i, &f)
        }
        duplicateHostdevs(c, &f)
        legacyIvshmem(c, &f)
        zpci(c, &f)
    }

    /// zPCI extends a PCI address for s390x guests; an x86 QEMU has no zPCI (qemuValidate).
    private static func zpci(_ c: CheckContext, _ f: inout Findings) {
        for i in c.devices.indices where c.devices[i].element != nil {
            guard let z = c.devices[i].addressElement?.child("zpci") else { continue }
            f.add(.zpciOnX86(c.name(i), at: c.range(z.startTag), element: c.range(z.range)), device: i)
        }
    }

    /// A `<shmem>` without a model is the legacy `ivshmem` device, which QEMU 7.2 no longer
    /// has: libvirt 9.0 refuses it at define.
    private static func legacyIvshmem(_ c: CheckContext, _ f: inout Findings) {
        for i in c.devices.indices where c.devices[i].kind == .shmem {
            let model = c.devices[i].element?.child("model")?[attribute: "type"]
            guard model == nil || model == "ivshmem" else { continue }
            f.add(.legacyIvshmem(c.name(i), at: c.tag(i)), device: i)
        }
    }

    private static func addressTypeRules(_ c: CheckContext, _ i: Int, _ f: inout Findings) {
        // (the device is copied only when it has an address type to check)
        guard let addr = c.devices[i].addressElement, let type = addr[attribute: "type"], !type.isEmpty else { return }
        let d = c.devices[i]
        let at = c.addressAttribute(i, "type")
        let whole = c.range(addr.range)
        switch d.kind {
        case .disk:
            let bus = d.bus ?? "ide"
            if ["ide", "fdc", "scsi", "sata"].contains(bus) && type != "drive" {
                // virDomainDiskAddressDiskBusCompatibility
                f.add(.driveDiskAddressType(d.name, bus: bus, type: type, target: diskTarget(d), at: at, address: whole), device: i)
            } else if bus == "usb" && type != "usb" {
                // qemuValidateDomainDeviceDefDisk
                f.add(.usbDiskAddressType(d.name, type: type, at: at, address: whole), device: i)
            } else if bus == "virtio" && !["pci", "ccw", "virtio-mmio"].contains(type) {
                // qemuDomainAssignDevicePCISlots
                f.add(.virtioDiskAddressType(d.name, type: type, at: at, address: whole), device: i)
            }
        case .video where d.model == "ramfb":
            // virDomainVideoDefValidate: ramfb is not a PCI device and takes no address at all
            f.add(.ramfbAddress(at: c.range(addr.startTag), address: whole), device: i)
        case .iommu where d.model == "virtio" && type != "pci":
            f.add(.iommuAddressType(type, at: at, address: whole), device: i)
        case .hostdev where d.subtype == "mdev" && d.model == "vfio-pci" && type != "pci":
            f.add(.mdevAddressType(type, at: at, address: whole), device: i)
        default:
            break
        }
    }

    private static func diskTarget(_ d: Device) -> String { d.diskTarget ?? "" }

    /// What identifies the host side of a host device (virDomainHostdevMatch) and how to print
    /// it; nil when pciplan does not compare that kind.
    package static func hostdevSource(_ d: Device) -> (key: String, display: String)? {
        let isInterface = d.kind == .interface && d.subtype == "hostdev"
        guard d.kind == .hostdev || isInterface, let el = d.element, let source = el.child("source") else { return nil }
        if d.kind == .hostdev && d.bus != "subsystem" { return nil }
        let type = isInterface ? "pci" : (d.subtype ?? "")
        func num(_ e: XMLElement?, _ name: String) -> Int? {
            guard let text = e?[attribute: name] else { return 0 }
            return parseLibvirtUInt(text).flatMap { $0 <= UInt64(UInt32.max) ? Int($0) : nil }
        }
        switch type {
        case "pci":
            guard let a = source.child("address"), let dom = num(a, "domain"), let bus = num(a, "bus"),
                  let slot = num(a, "slot"), let fn = num(a, "function") else { return nil }
            let s = "\(hex(dom, 4)):\(hex(bus, 2)):\(hex(slot, 2)).\(fn)"
            return ("pci \(s)", "host PCI device \(s)")
        case "mdev":
            guard let uuid = source.child("address")?[attribute: "uuid"] else { return nil }
            return ("mdev \(uuid.lowercased())", "mediated device \(uuid)")
        case "scsi_host":
            guard let wwpn = source[attribute: "wwpn"] else { return nil }
            return ("scsi_host \(wwpn)", "vhost-scsi target \(wwpn)")
        case "usb":
            if let a = source.child("address"), a[attribute: "bus"] != nil, a[attribute: "device"] != nil,
               let bus = num(a, "bus"), let dev = num(a, "device") {
                return ("usb \(bus)/\(dev)", "host USB device \(bus).\(dev)")
            }
            guard let v = source.child("vendor")?[attribute: "id"].flatMap(parseLibvirtUInt),
                  let p = source.child("product")?[attribute: "id"].flatMap(parseLibvirtUInt) else { return nil }
            let s = "\(String(v, radix: 16)):\(String(p, radix: 16))"
            return ("usb \(s)", "host USB device \(s)")
        default:
            return nil
        }
    }

    /// `Hostdev already exists in the domain configuration` (virDomainDefHostdevValidate).
    private static func duplicateHostdevs(_ c: CheckContext, _ f: inout Findings) {
        var first: [String: Int] = [:]
        for i in c.devices.indices where c.devices[i].kind == .hostdev || c.devices[i].kind == .interface {
            guard let (key, display) = hostdevSource(c.devices[i]) else { continue }
            guard let j = first[key] else {
                first[key] = i
                continue
            }
            let src = c.devices[i].element?.child("source")
            let at = (src?.child("address") ?? src).map { c.range($0.startTag) } ?? c.tag(i)
            f.add(.hostdevDuplicate(display, at: at, first: c.name(j), firstAt: c.tag(j)), device: i)
        }
    }
}
