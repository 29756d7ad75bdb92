import PCIPlanModel
import PCIPlanSource

/// USB controller rules libvirt 9.0 applies at define (recorded with the oracle): they decide
/// whether a definition is accepted, so `plan` must refuse what libvirt refuses.
extension Checker {
    static let usbCompanions: Set<String> = ["ich9-uhci1", "ich9-uhci2", "ich9-uhci3"]

    /// The devices that take a USB port (libvirt `virDomainUSBDeviceDefForeach`): USB hubs,
    /// host devices, disks, inputs (a mouse or keyboard without `bus=` is PS/2 only where the
    /// machine has PS/2), serial ports, sound, redirected devices, and ccid controllers.
    static func needsUSB(_ d: Device, _ machine: MachineDescriptor) -> Bool {
        let el = d.element
        switch d.kind {
        case .hub: return el?[attribute: "type"] == "usb"
        case .hostdev: return d.bus == "subsystem" && d.subtype == "usb"
        case .disk: return d.bus == "usb"
        case .input:
            guard let bus = d.bus else {
                let type = d.subtype ?? ""
                if type == "passthrough" { return false }
                return !(machine.hasPS2 && (type == "mouse" || type == "keyboard"))
            }
            return bus == "usb"
        case .serial: return d.subtype == "usb-serial"
        case .sound: return d.model == "usb"
        case .redirdev: return (el?[attribute: "bus"] ?? "usb") == "usb"
        case .controller: return d.controller?.type == "ccid"
        case .smartcard: return true  // libvirt adds a ccid controller for it
        default: return false
        }
    }

    static func usbChecks(_ c: CheckContext, _ f: inout Findings) {
        let usb = c.n.controllerOrder.filter { c.devices[$0].controller?.type == "usb" }
        // No USB controller at all (the virt boards get no default one): a USB device has no bus.
        if usb.isEmpty, let i = c.devices.indices.first(where: { c.devices[$0].element != nil && needsUSB(c.devices[$0], c.machine) }) {
            f.add(.usbDeviceWithoutController(c.name(i), machine: c.machine, at: c.tag(i)), device: i)
            return
        }
        // model='none' switches USB off: no other USB controller, no USB device.
        if let off = usb.first(where: { c.devices[$0].controller?.model == "none" }) {
            for i in usb where i != off && c.devices[i].element != nil {
                f.add(.usbControllerWhileDisabled(c.name(i), off: c.name(off), at: c.tag(i), offAt: c.tag(off)), device: i)
            }
            for i in c.devices.indices where c.devices[i].element != nil && c.devices[i].bus == "usb"
                && (c.devices[i].kind == .input || c.devices[i].kind == .disk)
            {
                f.add(.usbDeviceWhileDisabled(c.name(i), isInput: c.devices[i].kind == .input, at: c.tag(i), offAt: c.tag(off)), device: i)
            }
            return
        }
        // A companion (ich9-uhci1/2/3, or any controller with <master>) needs a USB controller
        // without <master> somewhere in the XML as written — of any index; the default USB
        // controller libvirt adds later does not count (each rule recorded with the oracle).
        let written = usb.filter { c.devices[$0].element != nil }
        let isCompanion = { (i: Int) in
            c.devices[i].element?.child("master") != nil || usbCompanions.contains(c.devices[i].controller?.model ?? "")
        }
        let noMasterAtAll = written.contains(where: isCompanion) && !written.contains(where: { !isCompanion($0) })
        if noMasterAtAll, let orphan = written.first(where: isCompanion) {
            f.add(.usbCompanionNoMaster(c.name(orphan), index: c.devices[orphan].controller?.index ?? 0, at: c.tag(orphan)), device: orphan)
        }
        var byIndex: [Int: [Int]] = [:]
        for i in usb { if let idx = c.devices[i].controller?.index { byIndex[idx, default: []].append(i) } }
        for idx in byIndex.keys.sorted() {
            let members = byIndex[idx] ?? []
            let masters = members.filter { !usbCompanions.contains(c.devices[$0].controller?.model ?? "") }
            if masters.isEmpty, !noMasterAtAll, let first = members.first(where: { c.devices[$0].element != nil }) {
                // Accepted at define, but the guest cannot start: the companions' masterbus is
                // the controller of their own index (libvirt-argv: "masterbus not found").
                f.add(.usbCompanionWithoutOwnMaster(c.name(first), index: idx, at: c.tag(first)))
            }
            for extra in masters.dropFirst() {
                f.add(.usbDuplicateIndex(c.name(extra), index: idx, first: c.name(masters[0]),
                                         at: c.attribute(extra, "index"), firstAt: c.tag(masters[0])), device: extra)
            }
        }
    }
}
