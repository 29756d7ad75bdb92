extension Pipeline {
    /// The outcome of `attach`: the domain with the device in it, planned, or why libvirt
    /// refuses the attach.
    public struct AttachOutcome: Sendable {
        /// `live` or `config`.
        public var mode: AttachMode
        /// The domain with the device element copied into its `<devices>`; nil when the files
        /// could not be read as a domain and a device.
        public var splice: SourceSplice?
        /// The planned result (the device's new address in its placement); nil when refused.
        public var planned: PlannedDomain?
        /// Indexes into `planned.devices` of the attached device(s).
        public var attached: [Int]
        /// Every finding, located in the domain or the device file.
        public var diagnostics: [Diagnostic]
        /// `attach --live --qmp`: the QMP commands that hot-add the device(s), one per line.
        public var qmp: String? = nil
    }

    /// `attach DOMAIN DEVICE --live|--config`: what libvirt 9.0's `virsh attach-device` stores.
    ///
    /// The device element is copied into the domain's `<devices>` (as `virsh` hands libvirt the
    /// device and libvirt inserts it). `config` then plans the whole definition exactly as
    /// libvirt's post-parse does after a persistent attach (controllers may be added); `live`
    /// treats the domain as the live XML of a running guest, whose other devices keep their
    /// addresses, and hot-plugs the device by libvirt's rules (`Planner.attachLive`).
    ///
    /// `qmp` (live only) goes beyond libvirt: the device file may hold several device elements
    /// inside one `<devices>`, hot-added as the functions of one empty slot
    /// (`Planner.attachLiveSlot`), and the outcome carries the QMP commands that do it
    /// (`QMPRenderer`). A single device is placed exactly as libvirt would place it.
    public static func attach(_ domain: SourceFile, device: SourceFile, mode: AttachMode,
                              options: PlanOptions = PlanOptions(), qmp: Bool = false) -> AttachOutcome
    {
        var outcome = AttachOutcome(mode: mode, splice: nil, planned: nil, attached: [], diagnostics: [])
        func refuse(_ d: (SourceRange) -> Diagnostic, in file: SourceFile, at r: Range<Int>? = nil) -> AttachOutcome {
            outcome.diagnostics.append(d(SourceRange(file: file.name, start: r?.lowerBound ?? 0, end: r?.upperBound ?? 0)))
            return outcome
        }
        let deviceRoot: XMLElement
        let domainRoot: XMLElement
        do { deviceRoot = try XMLReader.parse(device) } catch {
            return refuse({ .attachBadInput(error.message, at: $0) }, in: device, at: error.offset.map { $0..<$0 })
        }
        do { domainRoot = try XMLReader.parse(domain) } catch {
            return refuse({ .attachBadInput(error.message, at: $0) }, in: domain, at: error.offset.map { $0..<$0 })
        }
        let elements = deviceRoot.name == "devices" ? Array(deviceRoot.children) : [deviceRoot]
        let several = qmp && mode == .live
        guard elements.count == 1 || (several && !elements.isEmpty) else {
            return refuse({ .attachNotOneDevice(count: elements.count, qmpHint: !several, at: $0) }, in: device, at: deviceRoot.startTag)
        }
        guard domainRoot.name == "domain", let devicesElement = domainRoot.child("devices"), let end = devicesElement.endTag else {
            return refuse({ .attachNoDevicesElement(at: $0) }, in: domain, at: domainRoot.startTag)
        }
        let offset = XMLWriter.insertionPointBeforeEnd(devicesElement, file: domain).lowerBound
        let atLineStart = offset != end.lowerBound
        let indent = atLineStart ? XMLWriter.childIndentation(of: devicesElement, file: domain) : ""
        let splice = SourceSplice(inserting: elements.map(\.range), of: device, into: domain, at: offset, indent: indent)
        outcome.splice = splice
        let loaded = load(splice.combined)
        guard let n = loaded.normalized else {
            outcome.diagnostics = loaded.diagnostics.map(splice.original)
            return outcome
        }
        let attached = n.devices.indices.filter { i in
            n.devices[i].element.map { splice.inserted.contains($0.range.lowerBound) } ?? false
        }
        outcome.attached = attached
        var diags = loaded.diagnostics + Checker.preflight(n)
        for i in attached {
            guard let why = Planner.attachRefusal(n.devices[i], in: n, mode: mode), let el = n.devices[i].element else { continue }
            diags.append(.attachRefusedBeforePlugging(n.devices[i].name, why: why,
                at: SourceRange(file: splice.combined.name, startTagOf: el)))
        }
        if !diags.hasErrors {
            switch mode {
            case .config:
                let planned = plan(loaded, options: options)
                diags = planned.diagnostics
                outcome.planned = planned.planned
            case .live:
                let (planned, more) = attached.count > 1
                    ? Planner.attachLiveSlot(n, attached: attached, options: options)
                    : Planner.attachLive(n, attached: attached, options: options)
                diags += more
                outcome.planned = diags.hasErrors ? nil : planned
            }
        }
        if several, let planned = outcome.planned {
            let (text, more) = QMPRenderer.hotAdd(planned, devices: attached)
            diags += more
            outcome.qmp = text
            if text == nil { outcome.planned = nil }
        }
        outcome.diagnostics = diags.map(splice.original)
        return outcome
    }
}
