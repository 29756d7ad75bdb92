import PCIPlan

/// One fuzz input, run through everything the command line does with a file: read → check →
/// plan → every renderer, `plan --keep`, `diff`, `explain`, `headroom`, `attach` and `detach`,
/// with the diagnostics printed as text and JSON (which turns every source range into
/// line:column). The fuzz target (`pciplan-fuzz`) calls it on every input libFuzzer makes, and
/// `FuzzRegressionTests` on every input it once crashed on.
///
/// A fuzz input is one domain XML file, or two: bytes up to the first NUL (which no XML file
/// holds) are the first file, the rest the second; without a NUL the input is cut in the middle.
/// The two files are OLD and NEW of `diff` and `plan --keep`, and DOMAIN and DEVICE of `attach`.
/// The whole input also runs as one file, so a seed that is one domain is fuzzed whole.
///
/// Nothing here judges the answers: a fuzz run looks for crashes (traps, sanitizer reports)
/// and hangs only. The result, the number of bytes rendered, keeps an optimizer from dropping
/// work whose output nobody reads.
public enum FuzzInput {
    /// Runs `bytes` through every command; returns how many bytes of output they rendered.
    public static func run(_ bytes: [UInt8]) -> Int {
        let whole = SourceFile(name: "fuzz.xml", bytes: bytes)
        let (first, second) = split(bytes)
        return single(whole)
            + pair(SourceFile(name: "old.xml", bytes: first), SourceFile(name: "new.xml", bytes: second))
    }

    /// The two files of one input: around the first NUL, else the two halves.
    static func split(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        if let nul = bytes.firstIndex(of: 0) {
            return (Array(bytes[..<nul]), Array(bytes[(nul + 1)...]))
        }
        let middle = bytes.count / 2
        return (Array(bytes[..<middle]), Array(bytes[middle...]))
    }

    /// Every command that reads one file.
    static func single(_ f: SourceFile) -> Int {
        var n = printed(Pipeline.check(f), [f])
        let outcome = Pipeline.plan(f)
        n += printed(outcome.diagnostics, [f])
        if let p = outcome.planned {
            n += rendered(p) + explained(p) + detached(f, p)
        }
        n += planned(Pipeline.plan(f, keeping: f), [f])
        n += diffed(Pipeline.diff(old: f, new: f))
        // One more plan with options that take other paths (derive nothing; spare ports or
        // slots), chosen by the input's length so the fuzzer can reach each.
        var options = PlanOptions()
        switch f.bytes.count % 4 {
        case 1: options.multifunction = .explicit
        case 2: options.hotplugPorts = f.bytes.count % 7
        case 3: options.hotplugSlots = f.bytes.count % 7
        default: return n
        }
        return n + planned(Pipeline.plan(f, options: options), [f])
    }

    /// Every command that reads two files.
    static func pair(_ a: SourceFile, _ b: SourceFile) -> Int {
        var n = diffed(Pipeline.diff(old: a, new: b))
        n += planned(Pipeline.plan(b, keeping: a), [b, a])
        for mode in AttachMode.allCases {
            let o = Pipeline.attach(a, device: b, mode: mode)
            n += printed(o.diagnostics, [a, b])
            guard let p = o.planned else { continue }
            n += XMLWriter.render(p).count
            n += JSONRenderer.attached(p, devices: o.attached, mode: mode.rawValue).utf8.count
            for i in o.attached {
                guard let el = p.devices[i].element else { continue }
                let indent = p.normalized.definition.file.indentation(ofLineContaining: el.range.lowerBound)
                n += XMLWriter.renderElement(p, range: el.range, dedent: indent).count
            }
        }
        return n
    }

    /// `plan --format xml|json|tree|dot|qemu-args` and `headroom --format text|json`.
    static func rendered(_ p: PlannedDomain) -> Int {
        let h = Planner.headroom(p)
        return XMLWriter.render(p).count
            + [JSONRenderer.render(p), TreeRenderer.render(p), DotRenderer.render(p), QEMUArgsRenderer.render(p),
               HeadroomRenderer.text(h, plan: p), HeadroomRenderer.json(h).rendered()]
            .reduce(0) { $0 + $1.utf8.count }
    }

    /// `explain` of every device, and `explain --device` of one, as text and JSON.
    static func explained(_ p: PlannedDomain) -> Int {
        let all = Explainer.explain(p)
        var n = ExplainRenderer.text(all, plan: p).utf8.count + ExplainRenderer.json(all, plan: p).utf8.count
        if let id = p.devices.lazy.compactMap(\.alias).first {
            let one = Explainer.explain(p, including: { Explainer.matches(p, $0, id) }).filter { Explainer.matches(p, $0.index, id) }
            n += ExplainRenderer.text(one, plan: p, steps: false).utf8.count
        }
        return n
    }

    /// `detach --live` and `--config` of one device, picked by the input's length.
    static func detached(_ f: SourceFile, _ p: PlannedDomain) -> Int {
        let ids = p.devices.filter { $0.element != nil }.compactMap(\.alias)
        guard !ids.isEmpty else { return 0 }
        let id = ids[f.bytes.count % ids.count]
        return AttachMode.allCases.reduce(0) { n, mode in
            let o = Pipeline.detach(f, device: id, mode: mode)
            return n + printed(o.diagnostics, [f]) + (o.result?.count ?? 0)
        }
    }

    static func planned(_ o: Pipeline.PlanOutcome, _ files: [SourceFile]) -> Int {
        printed(o.diagnostics, files) + (o.planned.map { XMLWriter.render($0).count } ?? 0)
    }

    static func diffed(_ o: DiffOutcome) -> Int {
        printed(o.diagnostics, [o.old, o.new])
            + [DiffRenderer.text(o), DiffRenderer.summary(o), DiffRenderer.json(o)].reduce(0) { $0 + $1.utf8.count }
    }

    /// Diagnostics as the command line prints them: text on stderr, or JSON.
    static func printed(_ ds: [Diagnostic], _ files: [SourceFile]) -> Int {
        let printer = DiagnosticPrinter(files: files)
        return printer.render(ds).utf8.count + printer.json(ds).utf8.count
    }
}
