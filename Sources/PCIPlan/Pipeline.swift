/// pciplan's pipeline: the one entry point for every command. Each stage is a module of its
/// own, and each hands a typed value to the next:
///
/// 1. `XMLReader` (PCIPlanSource): bytes → `XMLElement` tree with exact byte ranges (libxml2).
/// 2. `DomainReader` (PCIPlanModel): tree → `DomainDefinition`, address syntax checked like
///    libvirt's parser.
/// 3. `Define` (PCIPlanModel): what libvirt does at define — indexes, implicit controllers,
///    default devices, model defaults, connect flags → `NormalizedDomain`.
/// 4. `Checker` and `Planner` (PCIPlanPlanner): libvirt's and QEMU's rules → diagnostics, and
///    every missing address → `PlannedDomain` with provenance.
/// 5. PCIPlanOutput: renderers (byte-preserving XML write-back, JSON, QEMU arguments, tree,
///    dot), `ABIDiff` (compares two planned domains), `Keeper` (`plan --keep`) and `Explainer`.
///
/// Commands: `load` (stages 1–3), `plan`, `check`, `plan(_:keeping:)`, `diff` and `explain`.
/// The library never touches files, the terminal or the exit status: the CLI does.
public enum Pipeline {
    /// The result of reading a file up to the normalized definition.
    public struct Loaded: Sendable {
        /// The file that was read.
        public var file: SourceFile
        /// The definition after libvirt's define-time normalisation; nil when reading failed.
        public var normalized: NormalizedDomain?
        /// What reading and normalising found (any error means `normalized` is nil).
        public var diagnostics: [Diagnostic]
    }

    /// Stages 1–3: reads `file` as XML, builds the domain definition and normalises it as libvirt
    /// does at define. Stops after the first stage that reports an error.
    public static func load(_ file: SourceFile) -> Loaded {
        load(file, aliases: true)
    }

    /// `load`, with the devices named (`Device.alias`) only when `aliases` is set or the
    /// machine's own checks quote names (`normalize(_:aliases:)`).
    static func load(_ file: SourceFile, aliases: Bool) -> Loaded {
        let (read, diags) = read(file)
        // `consume`: the definition moves into `normalize` (a second reference to its device
        // list would make normalising copy every device).
        guard let def = consume read, !diags.hasErrors else { return Loaded(file: file, normalized: nil, diagnostics: diags) }
        let (n, more) = normalize(consume def, aliases: aliases)
        return Loaded(file: file, normalized: n, diagnostics: diags + more)
    }

    /// Stage 3, the devices named (`Device.alias`) when `aliases` is set or a check of the
    /// machine may quote names even when it finds nothing else to report: the virtio-mmio checks
    /// of the `virt` boards do. On pc and q35 only a finding quotes one, and a plan or check that
    /// finds anything is made again with names.
    static func normalize(_ def: consuming DomainDefinition, aliases: Bool) -> (NormalizedDomain, [Diagnostic]) {
        var (n, more) = Define.normalize(consume def, aliases: aliases)
        if n.family.descriptor.chipset == .gpex { n.assignAliases() }
        return (n, more)
    }

    /// Stages 1–2: the definition in `file`; nil when the XML is not well-formed or not a domain
    /// pciplan can plan. A definition comes back even when an `<address>` is malformed (that
    /// device's address is `.invalid`), so `check` can go on to every other device.
    static func read(_ file: SourceFile) -> (DomainDefinition?, [Diagnostic]) {
        let root: XMLElement
        do {
            root = try XMLReader.parse(file)
        } catch {
            let at = error.offset.map { SourceRange(file: file.name, start: $0, end: $0) }
            return (nil, [.inputXML(error.message, at: at ?? SourceRange(file: file.name, start: 0, end: 0))])
        }
        return DomainReader.read(file, root: root)
    }

    /// The outcome of `plan`: the planned domain when planning succeeded, and every diagnostic.
    public struct PlanOutcome: Sendable {
        /// The planned domain; nil when the file cannot be planned (the diagnostics say why).
        public var planned: PlannedDomain?
        /// Every diagnostic of every stage that ran, warnings included.
        public var diagnostics: [Diagnostic]
    }

    /// `plan`: loads `file`, runs the checks libvirt makes at define, assigns every missing PCI
    /// address as libvirt 9.0 does, and adds the warnings of the planned result. Render the result
    /// with `XMLWriter` (the input's bytes with only the planned changes), `JSONRenderer`,
    /// `QEMUArgsRenderer`, `TreeRenderer` or `DotRenderer`.
    public static func plan(_ file: SourceFile, options: PlanOptions = PlanOptions()) -> PlanOutcome {
        guard !options.aliases else { return plan(load(file), options: options) }
        // Unnamed devices (`PlanOptions.aliases`): named only when something is found, so every
        // message reads as it would with names. Naming was 6 % of a plan written back as XML.
        var loaded = load(file, aliases: false)
        let outcome = plan(loaded, options: options)
        guard var n = loaded.normalized, !n.hasAliases else { return outcome }
        if outcome.planned != nil && outcome.diagnostics.isEmpty {
            // Debug builds (every test) prove that names change nothing here.
            assert({
                var named = loaded
                named.normalized?.assignAliases()
                let again = plan(named, options: options)
                return again.diagnostics.isEmpty && again.planned.map(XMLWriter.render) == outcome.planned.map(XMLWriter.render)
            }(), "a plan without device names differs from the plan with them")
            return outcome
        }
        n.assignAliases()
        loaded.normalized = n
        return plan(loaded, options: options)
    }

    /// `plan` of a file already loaded.
    static func plan(_ loaded: Loaded, options: PlanOptions) -> PlanOutcome {
        if options.hotplugPorts != nil || options.hotplugSlots != nil { return planWithSpares(loaded, options: options) }
        return planOnce(loaded, options: options)
    }

    static func planOnce(_ loaded: Loaded, options: PlanOptions) -> PlanOutcome {
        guard let n = loaded.normalized else { return PlanOutcome(planned: nil, diagnostics: loaded.diagnostics) }
        var diags = loaded.diagnostics + Checker.preflight(n)
        if diags.hasErrors { return PlanOutcome(planned: nil, diagnostics: diags) }
        let (planned, planDiags) = Planner.plan(n, options: options)
        diags += planDiags
        guard let planned, !diags.hasErrors else { return PlanOutcome(planned: nil, diagnostics: diags) }
        diags += Checker.afterPlan(planned, options: options) + Checker.planWarnings(planned) + GuestDiagnostics.afterPlan(planned)
        return PlanOutcome(planned: diags.hasErrors ? nil : planned, diagnostics: diags)
    }

    /// `check`: every problem libvirt or QEMU would find, plus what planning finds.
    ///
    /// The checker walks every explicit address and goes on after each problem; only when it
    /// found no error does the planner run, for what only planning finds (no free slot, no
    /// controller can be added, busNr). A planner finding the checker already made is dropped.
    /// A malformed `<address>` (a bad number, multifunction='yes', slot 0x20) does not stop the
    /// checker: that device is left out of the address walk and every other device is checked,
    /// so one run lists every independent problem.
    public static func check(_ file: SourceFile, options: PlanOptions = PlanOptions()) -> [Diagnostic] {
        let (read, reading) = read(file)
        guard let def = consume read else { return reading }
        // Devices are named only when something is found (on pc and q35 only a finding quotes
        // a name): naming was a twentieth of checking a small domain.
        var (n, more) = normalize(consume def, aliases: false)
        let found = check(n, earlier: reading + more, options: options)
        guard !found.isEmpty, !n.hasAliases else {
            // Debug builds (every test) prove that names would have found nothing either.
            assert(n.hasAliases || {
                var named = n
                named.assignAliases()
                return check(named, earlier: reading + more, options: options).isEmpty
            }(), "a check without device names finds nothing where the check with them does")
            return found
        }
        n.assignAliases()
        return check(n, earlier: reading + more, options: options)
    }

    /// `check` of the normalised domain, after `earlier` (reading's and normalising's findings).
    static func check(_ n: NormalizedDomain, earlier: [Diagnostic], options: PlanOptions) -> [Diagnostic] {
        // In file order, as compilers print them (stable: related findings keep their order).
        var diags = (earlier + Checker.check(n, options: options)).enumerated().sorted {
            ($0.element.range?.start ?? Int.max, $0.offset) < ($1.element.range?.start ?? Int.max, $1.offset)
        }.map(\.element)
        if !diags.hasErrors {
            // The planner's sentences (steps, reasons) are never printed by check.
            var quiet = options
            quiet.explanations = false
            let found = planFindings(n, options: quiet, after: diags)
            assert(found == planFindings(n, options: options, after: diags), "check's findings depend on PlanOptions.explanations")
            diags += found
        }
        // What libvirt accepts and only QEMU refuses does not stop libvirt (or the planner) above.
        return diags + Checker.qemuStartChecks(n, severity: .error)
    }

    /// What planning `n` finds beyond `earlier` (check's findings so far), and what the
    /// checks of the planned result find.
    static func planFindings(_ n: NormalizedDomain, options: PlanOptions, after earlier: [Diagnostic]) -> [Diagnostic] {
        let (planned, planDiags) = Planner.plan(n, options: options)
        var found = planDiags.filter { p in !earlier.contains { sameProblem($0, p, in: n) } }
        if let planned { found += Checker.afterPlanForCheck(planned, options: options) + GuestDiagnostics.forCheck(planned, options: options) }
        return found
    }

    /// Two findings with one ID about the same device element.
    static func sameProblem(_ a: Diagnostic, _ b: Diagnostic, in n: NormalizedDomain) -> Bool {
        guard a.id == b.id, let ra = a.range, let rb = b.range else { return false }
        if ra.start == rb.start { return true }
        let owner = { (r: SourceRange) in n.devices.firstIndex { $0.element?.range.contains(r.start) == true } }
        return owner(ra).map { $0 == owner(rb) } ?? false
    }
}
