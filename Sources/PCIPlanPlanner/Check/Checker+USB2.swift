import PCIPlanModel
import PCIPlanSource

/// USB2 companion sets (ich9-ehci1 + ich9-uhci1/2/3 with one index, spec §5.4): a member
/// without an address joins the slot of the first member that has one, at its fixed function.
/// When that function is already taken, libvirt fails; the walk predicts it.
extension AddressWalk {
    static let usb2Function = ["ich9-ehci1": 7, "ich9-uhci1": 0, "ich9-uhci2": 1, "ich9-uhci3": 2]

    /// USB2 controllers in libvirt's controller order.
    var usb2Controllers: [Int] {
        c.n.controllerOrder.filter {
            guard let u = c.devices[$0].controller, u.type == "usb" else { return false }
            return Self.usb2Function[u.model ?? ""] != nil
        }
    }

    /// `disk 'vda'`, `the PIIX3 ISA bridge built into the pc machine`.
    func describe(_ o: Owner?) -> String {
        switch o {
        case .device(let j)?: c.name(j)
        case .chipset(let what)?: what
        case nil: "another device"
        }
    }

    mutating func predictUSB2Companions() {
        let members = usb2Controllers
        guard !members.isEmpty else { return }
        var stored: [Int: PCIAddress] = [:]
        for i in members { if let a = placed[i] { stored[i] = a } }
        // q35's chipset step first puts each ich9-uhci1 without <address> at 00:1d.0, then 00:1a.0.
        if c.machine.chipset == .ich9 {
            for i in members where c.devices[i].controller?.model == "ich9-uhci1" && c.devices[i].address == .none {
                for slot in [0x1d, 0x1a] where set.count > 0 && set.buses[0].functions[slot] == 0 {
                    let a = PCIAddress(bus: 0, slot: slot)
                    set.buses[0].functions[slot] |= 1
                    owners[a] = .device(i)
                    stored[i] = a
                    predicted[i] = a
                    break
                }
            }
        }
        for i in members where stored[i] == nil && !skip.contains(i) && c.devices[i].address.wantsPCI {
            guard let u = c.devices[i].controller, let fn = Self.usb2Function[u.model ?? ""] else { continue }
            guard let partner = members.first(where: { c.devices[$0].controller?.index == u.index && stored[$0] != nil }),
                  let pa = stored[partner] else { continue }
            let a = PCIAddress(domain: pa.domain, bus: pa.bus, slot: pa.slot, function: fn)
            if set.functionInUse(a) {
                var holder: (name: String, at: SourceRange?)? = nil
                if case .device(let j)? = owners[a] { holder = (c.name(j), c.addressTag(j)) }
                let decider = owners[a] != .device(partner) ? (name: c.name(partner), at: c.addressTag(partner)) : nil
                diagnostics.append(.usb2CompanionFunctionInUse(c.name(i), at: a, range: c.tag(i), user: describe(owners[a]),
                                                               holder: holder, partner: decider))
                continue
            }
            if a.bus < set.count { set.buses[a.bus].functions[a.slot] |= UInt8(1 << fn) }
            owners[a] = .device(i)
            stored[i] = a
            predicted[i] = a
        }
    }
}
