import PCIPlanModel
import PCIPlanSource

/// The walk over every explicit PCI address, against an address set built the way libvirt's
/// dry run builds it (spec §5.3): buses from the controllers, index gaps filled, the set grown
/// for addresses on buses no controller provides, each address validated and reserved with
/// fromConfig = true. A failure becomes a diagnostic and the walk goes on.
struct AddressWalk {
    /// Who holds one function of a slot.
    enum Owner: Hashable {
        case device(Int)
        /// A chipset function that is not in the XML (the PIIX3 ISA bridge, ICH9 LPC, …).
        case chipset(String)
    }

    let c: CheckContext
    let skip: Set<Int>
    var set = PCIAddressSet(dryRun: true)
    var owners: [PCIAddress: Owner] = [:]
    /// Explicit device → the address it holds (after libvirt's bus bump, §5.7).
    var placed: [Int: PCIAddress] = [:]
    /// USB2 companions without an address → where libvirt will put them (ich9-uhci1 at
    /// function 0 gets multifunction='on' from libvirt itself).
    var predicted: [Int: PCIAddress] = [:]
    /// Slots of the chipset's own multifunction devices (pc 00:01, q35 00:1f).
    var chipsetSlots: Set<SlotKey> = []
    var diagnostics: [Diagnostic] = []
    /// Buses that no controller provides: libvirt fills index gaps with this model.
    var gapBuses: [Int: ControllerModel] = [:]
    var warnedBuses: Set<Int> = []

    init(_ c: CheckContext, skip: Set<Int>) {
        self.c = c
        self.skip = skip
    }

    mutating func run() {
        buildBuses()
        reserveChipset()
        for i in iterationOrder() { collect(i) }
        predictUSB2Companions()
        checkFixedControllers()
    }

    // MARK: the set

    /// libvirt's qemuDomainPCIAddressSetCreate: one bus per index up to the highest PCI
    /// controller index, each with its controller's model, gaps with the default model.
    mutating func buildBuses() {
        var controllers: [PCIAddressSet.BusController] = []
        for i in c.n.controllerOrder {
            guard let info = c.devices[i].controller, info.type == "pci", let idx = info.index, (0...255).contains(idx),
                  let m = info.pciModel else { continue }
            controllers.append(.init(index: idx, model: m, hotplug: info.hotplug != .off))
        }
        gapBuses = set.addBuses(count: (controllers.map(\.index).max() ?? 0) + 1, controllers: controllers)
    }

    /// libvirt's virDomainDeviceInfoIterate order: it decides which device of a pair the
    /// reservation fails for and which device's flags pick the model of a grown bus.
    func iterationOrder() -> [Int] {
        Define.iterationOrder(c.devices, controllerOrder: c.n.controllerOrder, videoOrder: c.n.videoOrder, diskOrder: c.n.diskOrder)
    }

    // MARK: collecting explicit addresses

    mutating func collect(_ i: Int) {
        // (the device is copied only when it has a PCI address)
        guard !skip.contains(i), c.devices[i].kind != .crypto, case .pci(let a, _) = c.devices[i].address else { return }
        let d = c.devices[i]
        if d.controller?.pciModel?.isRoot == true { return }
        if isChipsetHeld(i, a) {
            placed[i] = a
            return
        }
        let flags: ConnectFlags = d.flags.isEmpty ? .pciDevice : d.flags
        let before = set.count
        do {
            let got = try set.reserve(a, flags: flags, fromConfig: true)
            placed[i] = got
            owners[got] = .device(i)
            if set.count > before || got != a {
                warnGrowth(i, asked: a, got: got, added: before..<set.count)
            } else if let m = gapBuses[got.bus], !warnedBuses.contains(got.bus) {
                warnedBuses.insert(got.bus)
                diagnostics.append(.busGapFilled(bus: got.bus, model: m.rawValue, device: c.name(i), at: c.addressAttribute(i, "bus")))
            }
            checkBridgeIndex(i, got)
        } catch {
            report(i, a, error)
        }
    }

    /// The warning for buses libvirt's dry run adds for this address (and the bus bump).
    mutating func warnGrowth(_ i: Int, asked a: PCIAddress, got: PCIAddress, added: Range<Int>) {
        warnedBuses.formUnion(added)
        let models = added.map { set.buses[$0].model }
        let list = describeAdded(models, from: added.lowerBound)
        let declare = added.map { "<controller type='pci' index='\($0)' model='\(set.buses[$0].model.rawValue)'/>" }.joined(separator: " ")
        if got.bus != a.bus {
            diagnostics.append(.busBumped(bus: a.bus, added: list, to: got, at: c.addressAttribute(i, "bus"), busValue: attributeValue(i, "bus")))
        } else {
            diagnostics.append(.busAdded(bus: a.bus, added: list, declare: declare, count: added.count, at: c.addressAttribute(i, "bus")))
        }
    }

    /// `pcie-root-port index 1 and pcie-to-pci-bridge index 2`, `pci-bridge index 1–5`.
    func describeAdded(_ models: [ControllerModel], from first: Int) -> String {
        var parts: [String] = []
        var start = 0
        while start < models.count {
            var end = start
            while end + 1 < models.count && models[end + 1] == models[start] { end += 1 }
            let lo = first + start, hi = first + end
            parts.append(lo == hi ? "a \(models[start].rawValue) index \(lo)" : "\(models[start].rawValue) controllers index \(lo)–\(hi)")
            start = end + 1
        }
        return parts.count <= 1 ? parts.joined() : parts.dropLast().joined(separator: ", ") + " and " + (parts.last ?? "")
    }

    /// libvirt checks only pci-bridge: its index must be larger than the bus it sits on.
    mutating func checkBridgeIndex(_ i: Int, _ a: PCIAddress) {
        guard let info = c.devices[i].controller, info.pciModel == .pciBridge, let idx = info.index, idx <= a.bus else { return }
        diagnostics.append(.bridgeIndexNotAboveBus(index: idx, bus: a.bus, at: c.addressAttribute(i, "bus")))
    }

    // MARK: describing buses

    /// `bus 0x01 (pcie-root-port index 1)`.
    func describeBus(_ b: Int) -> String {
        guard b < set.count else { return "bus 0x\(hex(b, 2))" }
        let m = set.buses[b].model.rawValue
        if c.busController(b) != nil { return "bus 0x\(hex(b, 2)) (\(m) index \(b))" }
        return "bus 0x\(hex(b, 2)) (the \(m) libvirt adds as index \(b))"
    }

    /// What a bus accepts, for humans: `PCI Express devices, pcie-switch-upstream-port and pcie-to-pci-bridge`.
    static func accepts(_ flags: ConnectFlags) -> String {
        let names: [(ConnectFlags, String)] = [
            (.pciDevice, "conventional PCI devices"), (.pcieDevice, "PCI Express devices"),
            (.pcieRootPort, "pcie-root-port"), (.pcieSwitchUpstreamPort, "pcie-switch-upstream-port"),
            (.pcieSwitchDownstreamPort, "pcie-switch-downstream-port"), (.dmiToPCIBridge, "dmi-to-pci-bridge"),
            (.pcieToPCIBridge, "pcie-to-pci-bridge"), (.pciExpanderBus, "pci-expander-bus"),
            (.pcieExpanderBus, "pcie-expander-bus"), (.pciBridge, "pci-bridge"),
        ]
        let list = names.filter { flags.contains($0.0) }.map(\.1)
        guard list.count > 1 else { return list.first ?? "nothing" }
        return list.dropLast().joined(separator: ", ") + " and " + (list.last ?? "")
    }

    /// The note that points at the controller providing bus `b`, if it is in the input.
    func busNote(_ b: Int) -> [Diagnostic.Note] {
        guard let j = c.busController(b), let r = c.tag(j) else { return [] }
        return [.init("\(c.name(j)) provides bus 0x\(hex(b, 2)) here", at: r)]
    }

    /// The first slot of bus `b` whose function `fn` is free and valid, for fix-its.
    func freeSlot(onBus b: Int, function fn: Int) -> Int? {
        guard b < set.count else { return nil }
        let bus = set.buses[b]
        return (bus.minSlot...bus.maxSlot).first { bus.functions[$0] & UInt8(1 << fn) == 0 }
    }
}
