import ArgumentParser
import PCIPlan

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Assign every missing PCI address exactly as libvirt 9.0 does.",
        discussion: """
            Prints the input domain XML with only the planned changes (new <address> elements, \
            derived multifunction='on', controller defaults, added controllers and default devices); \
            every other byte is unchanged. --format qemu-args prints the topology arguments \
            (driver, id, bus, addr, multifunction, chassis, port, bus_nr) of every PCI controller and \
            device, not a full QEMU command line. With --connect URI --domain NAME, plans the \
            persistent definition libvirt stores (virsh dumpxml --inactive) instead of a file.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case xml, json, qemuArgs = "qemu-args", tree, dot, svg, lock }

    @Argument(help: "Domain XML file ('-' reads standard input); left out with --connect/--domain.")
    var file: String?

    @OptionGroup var libvirt: LibvirtOptions

    @Option(help: "Output format: xml, json, qemu-args, tree, dot, svg (the topology drawing of `pciplan report`) or lock (the ABI lock file, Docs/abi.md).")
    var format: Format = .xml

    @Option(help: "Write the output to this file instead of standard output: a regular file is replaced atomically (owner, group and mode kept; symbolic links followed), a FIFO or device is written into.")
    var output: String?

    @Flag(help: "Replace the input file with the planned XML (atomically, owner, group and mode kept; symbolic links followed; refused for a file with several hard links).")
    var inPlace = false

    @Option(help: "Diagnostics as text (stderr) or json (one document: on stdout when the command fails, else on stderr).")
    var diagnosticsFormat: DiagnosticsFormat = .text

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    @Option(name: .customLong("keep"), help: ArgumentHelp(
        "Keep the guest ABI of this older definition or ABI lock file (JSON, from --format lock): shared devices keep its addresses and multifunction bits, its PCI controllers stay.",
        valueName: "OLD"))
    var keepOld: String?

    @Flag(help: "With --keep: no new device takes an address a removed device had (OLD's devices NEW lacks, and a lock's removed list).")
    var reserveRemoved = false

    @Flag(help: "With --keep LOCK: write the lock of the result back to LOCK (atomically), adding the addresses of removed devices; the planned XML still goes to standard output or --output.")
    var updateLock = false

    @Option(help: ArgumentHelp("Leave at least N free hot-pluggable root ports (PCI Express machines), adding the fewest bare pcie-root-port controllers libvirt needs.", valueName: "N"))
    var hotplugPorts: Int?

    @Option(help: ArgumentHelp("Leave at least N free hot-pluggable PCI slots (pc), adding the fewest bare pci-bridge controllers libvirt needs.", valueName: "N"))
    var hotplugSlots: Int?

    @Flag(help: "Put PCI host devices that are functions of one host slot into one guest slot, with their host function numbers and multifunction='on' on function 0 (libvirt gives each its own slot).")
    var groupHostFunctions = false

    func validate() throws {
        try libvirt.validate(file: file)
        if hotplugPorts != nil && hotplugSlots != nil { throw ValidationError("--hotplug-ports and --hotplug-slots exclude each other") }
        if let n = hotplugPorts ?? hotplugSlots, !(0...256).contains(n) { throw ValidationError("the number of spare places must be from 0 to 256") }
        if (hotplugPorts != nil || hotplugSlots != nil) && keepOld != nil { throw ValidationError("--keep and --hotplug-ports/--hotplug-slots cannot be combined yet") }
        if inPlace && (file == "-" || file == nil) { throw ValidationError("--in-place needs a file, not standard input or libvirt") }
        if inPlace && output != nil { throw ValidationError("--in-place and --output exclude each other") }
        if inPlace && format != .xml { throw ValidationError("--in-place writes XML; drop --format") }
        if file == "-" && keepOld == "-" { throw ValidationError("only one of FILE and --keep can be standard input") }
        if reserveRemoved && keepOld == nil { throw ValidationError("--reserve-removed needs --keep") }
        if updateLock && (keepOld == nil || keepOld == "-") { throw ValidationError("--update-lock needs --keep LOCK, a lock file") }
        if inPlace && format == .lock { throw ValidationError("--in-place writes XML; drop --format") }
    }

    func run() throws { try job.run() }

    /// What was asked, without ArgumentParser's property wrappers.
    var job: PlanJob {
        PlanJob(file: file, uri: libvirt.uri, domainName: libvirt.domainName, format: format, output: output,
                inPlace: inPlace, diagnosticsFormat: diagnosticsFormat, multifunction: multifunction, keepOld: keepOld,
                reserveRemoved: reserveRemoved, updateLock: updateLock, hotplugPorts: hotplugPorts,
                hotplugSlots: hotplugSlots, groupHostFunctions: groupHostFunctions)
    }
}

/// One `pciplan plan` run, as plain values: `Plan` (ArgumentParser's parse) makes one, and so
/// does `PlanJob.plain` for `pciplan plan FILE` without touching ArgumentParser at all.
struct PlanJob: Equatable {
    var file: String?
    var uri: String?
    var domainName: String?
    var format: Plan.Format = .xml
    var output: String?
    var inPlace = false
    var diagnosticsFormat: DiagnosticsFormat = .text
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt
    var keepOld: String?
    var reserveRemoved = false
    var updateLock = false
    var hotplugPorts: Int?
    var hotplugSlots: Int?
    var groupHostFunctions = false

    /// The input: the file, standard input, or libvirt's definition with --connect.
    func readSource() throws -> SourceFile {
        guard uri != nil else { return try readInputOrExit(file ?? "-") }
        var libvirt = LibvirtOptions()
        libvirt.uri = uri
        libvirt.domainName = domainName
        return try libvirt.readOrExit(file: file, .inactive)
    }

    func run() throws {
        if inPlace {
            // Before reading: a FIFO would be drained, a hard-linked file could not be written back.
            do { try OutputFile.checkInPlace(file ?? "") } catch {
                try printError("\(error)")
                throw ExitCode(Exit.usage)
            }
        }
        let source = try readSource()
        var o = PlanOptions()
        o.multifunction = multifunction
        o.hotplugPorts = hotplugPorts
        o.hotplugSlots = hotplugSlots
        o.groupHostFunctions = groupHostFunctions
        o.reserveRemoved = reserveRemoved
        // The XML carries addresses, not the planner's sentences (`--keep` quotes them) nor
        // device names (a finding is worded with them all the same).
        o.explanations = format != .xml || keepOld != nil
        o.aliases = o.explanations
        var files = [source]
        let outcome: Pipeline.PlanOutcome
        var newLock: String?
        if let keepOld {
            let oldSource = try readInputOrExit(keepOld)
            if updateLock && !ABILock.looksLikeLock(oldSource.bytes) {
                try printError("--update-lock: '\(keepOld)' is not a lock file (it does not start with '{'); write one with --format lock")
                throw ExitCode(Exit.usage)
            }
            if !ABILock.looksLikeLock(oldSource.bytes) { files.append(oldSource) }
            (outcome, newLock) = Pipeline.planAndLock(source, keeping: oldSource, options: o)
        } else {
            outcome = Pipeline.plan(source, options: o)
        }
        guard let planned = outcome.planned else {
            try printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat)
            throw ExitCode(Exit.findings)
        }
        if !outcome.diagnostics.isEmpty { try printDiagnostics(outcome.diagnostics, files: files, format: diagnosticsFormat, stdoutTaken: true) }
        let bytes: [UInt8]
        switch format {
        case .xml: bytes = XMLWriter.render(planned)
        case .json: bytes = Array(JSONRenderer.render(planned).utf8)
        case .qemuArgs: bytes = Array(QEMUArgsRenderer.render(planned).utf8)
        case .tree: bytes = Array(TreeRenderer.render(planned).utf8)
        case .dot: bytes = Array(DotRenderer.render(planned).utf8)
        case .svg: bytes = Array(SVGRenderer.render(planned).utf8)
        case .lock: bytes = Array((newLock ?? Pipeline.lock(planned)).utf8)
        }
        if updateLock, let keepOld, let newLock { try writeOutput(Array(newLock.utf8), to: keepOld) }
        try writeOutput(bytes, to: inPlace ? file : output)
    }
}

extension PlanJob {
    /// `pciplan plan FILE` and nothing else, the way scripts and `pciplan-bench` call it: every
    /// option at its default. Nil for anything else (an option, `-`, `--help`, a second
    /// argument), which goes through ArgumentParser as always.
    ///
    /// Why: ArgumentParser reflects over every option of the command and the runtime looks up
    /// each wrapper type's conformances — about 13 M instructions, more than half of a small
    /// plan; even building a `Plan` value by hand costs two scans of all protocol conformances.
    /// A debug build asserts at each use that this job and the one from ArgumentParser's parse
    /// of the same arguments are equal and valid (every end-to-end `plan FILE` test checks it):
    /// an option of `Plan` does something only through `Plan.job`, and a default that differs
    /// here fails those tests.
    static func plain(_ arguments: ArraySlice<String>) -> PlanJob? {
        guard arguments.count == 2, arguments.first == "plan", let file = arguments.last, !file.isEmpty, !file.hasPrefix("-") else {
            return nil
        }
        return PlanJob(file: file)
    }
}
