import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// Renders the PCI topology of a planned domain as libvirt 9.0 puts it on QEMU 7.2's command
/// line: one `-device` per PCI controller and PCI device, in libvirt's JSON form and order.
///
/// Only the topology properties are written (`driver`, `id`, `bus`, `multifunction`, `addr`;
/// `chassis`, `port`, `bus_nr`, `chassis_nr` for controllers; `masterbus`, `firstport` for USB
/// companion controllers, which have no `id`), in the order libvirt's builder for that device
/// emits them. This is not a complete command line: backends (`drive`, `netdev`, …) are left out.
///
/// Not rendered, as libvirt does not render them: pci-root and pcie-root, the PIIX3 IDE
/// controller (i440fx 00:01.1) and the ICH9 AHCI controller (q35 00:1f.2), which are part of
/// the machine; a virtio disk with `<transient shareBacking='yes'/>` (libvirt hot-plugs it after
/// QEMU starts). The i440fx USB controller at 00:01.2 *is* a `-device` (`piix3-usb-uhci`).
public enum QEMUArgsRenderer {
    /// One `-device '{…}'` line per PCI controller and device, shell-quoted as libvirt logs them.
    public static func render(_ plan: PlannedDomain) -> String {
        devices(plan).map { "-device " + shellQuoted($0.compact(order: keyOrder($0))) + "\n" }.joined()
    }

    /// The `-device` objects, in libvirt's command-line order.
    public static func devices(_ plan: PlannedDomain) -> [JSONValue] {
        entries(plan).map(\.object)
    }

    /// Each `-device` object with the index of the device it renders.
    public static func entries(_ plan: PlannedDomain) -> [(device: Int, object: JSONValue)] {
        let primaryVideo = plan.normalized.videoOrder.first
        return commandLineOrder(plan).compactMap { i in
            guard let p = plan.placements[i],
                  let driver = QEMUDriverNames.driver(plan, i, primaryVideo: primaryVideo)
            else { return nil }
            return (i, object(plan, i, driver: driver, placement: p))
        }
    }

    static func object(_ plan: PlannedDomain, _ i: Int, driver: String, placement p: Placement) -> JSONValue {
        let d = plan.devices[i]
        var o: [String: JSONValue] = ["driver": .string(driver)]
        if let firstPort = companionFirstPort(d) {
            // A USB2 companion joins its EHCI's bus instead of having an id.
            o["masterbus"] = .string("\(d.alias ?? "usb").0")
            o["firstport"] = .int(firstPort)
        } else if let alias = d.alias {
            o["id"] = .string(alias)
        }
        o["bus"] = .string(busName(plan, p.address.bus))
        switch p.multifunction {
        case .on: o["multifunction"] = .bool(true)
        case .off: o["multifunction"] = .bool(false)
        case .absent: break
        }
        o["addr"] = .string(addr(p.address))
        if let c = plan.controllerInfo(i), let model = c.pciModel {
            switch model {
            case .pcieRootPort, .pcieSwitchDownstreamPort:
                if let v = c.port { o["port"] = .int(v) }
                if let v = c.chassis { o["chassis"] = .int(v) }
            case .pciBridge:
                if let v = c.chassisNr { o["chassis_nr"] = .int(v) }
            case .pciExpanderBus, .pcieExpanderBus:
                if let v = c.busNr { o["bus_nr"] = .int(v) }
            default:
                break
            }
        }
        return .object(o)
    }

    /// Property order of libvirt's builders: controller options come right after `driver`,
    /// virtio-blk puts its `id` last, everything else has `id` before the address.
    package static func keyOrder(_ v: JSONValue) -> [String] {
        guard case .object(let o) = v else { return [] }
        let address = ["bus", "multifunction", "addr"]
        if o["masterbus"] != nil { return ["driver", "masterbus", "firstport"] + address }
        if case .string(let d) = o["driver"], d.hasPrefix("virtio-blk-pci") || d.hasPrefix("vhost-user-blk-pci") {
            return ["driver"] + address + ["id"]
        }
        return ["driver", "port", "chassis", "chassis_nr", "bus_nr", "id"] + address
    }

    /// A USB companion's `<master startport>`; ICH9 UHCI companions get 0, 2, 4 when it is not
    /// written (libvirt fills it in at define).
    static func companionFirstPort(_ d: Device) -> Int? {
        guard let c = d.controller, c.type == "usb" else { return nil }
        if let master = d.element?.child("master") {
            return master[attribute: "startport"].flatMap(parseLibvirtUInt).map { Int($0) } ?? 0
        }
        switch c.model {
        case "ich9-uhci1": return 0
        case "ich9-uhci2": return 2
        case "ich9-uhci3": return 4
        default: return nil
        }
    }

    /// `qemuBuildDeviceAddressPCIGetBus`: the alias of the controller whose index is the bus
    /// number; the root bus is always `pci.0` / `pcie.0`, whatever its user alias.
    package static func busName(_ plan: PlannedDomain, _ bus: Int) -> String {
        if bus == 0 { return plan.family.descriptor.rootBusQEMUName }
        return plan.normalized.pciController(index: bus).flatMap { plan.devices[$0].alias } ?? "pci.\(bus)"
    }

    /// `0x<slot>` for function 0, else `0x<slot>.0x<function>`, lowercase hex.
    static func addr(_ a: PCIAddress) -> String {
        let slot = "0x" + String(a.slot, radix: 16)
        return a.function == 0 ? slot : slot + ".0x" + String(a.function, radix: 16)
    }

    /// libvirt's `virBufferEscapeShell`: single quotes, an inner `'` written as `'\''`.
    static func shellQuoted(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
