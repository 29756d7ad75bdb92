import ArgumentParser
import PCIPlan

struct Attach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Predict what libvirt 9.0's `virsh attach-device` stores.",
        usage: """
            pciplan attach <domain> <device> (--live | --config) [<options>]
            pciplan attach --connect <uri> --domain <name> <device> (--live | --config) [<options>]
            """,
        discussion: """
            --live: DOMAIN is the live XML of the running guest (virsh dumpxml). The device is \
            hot-plugged by libvirt's rules: the first free slot of the lowest-numbered bus that takes \
            a hot-pluggable device of its kind, never a new controller; a given address must be \
            function 0 of a free slot on a hot-pluggable bus. --config: DOMAIN is the persistent \
            definition, and the result is planned as libvirt does after a persistent attach \
            (controllers may be added). Exit status: 0 attached, 1 libvirt (or QEMU) refuses the \
            attach (its message is a note), 2 usage or I/O error. With --connect URI --domain NAME, \
            DOMAIN is read from libvirt (the live XML for --live, the persistent definition for \
            --config) and the only file given is DEVICE.

            --live --qmp (beyond libvirt): prints the QMP commands that hot-add the device, one JSON \
            command per line, backends first. DEVICE may then hold several device elements inside one \
            <devices> element: they are hot-added as the functions of one wholly empty hot-pluggable \
            slot (the first one libvirt's live rules give for all of them, or the one their addresses \
            name), functions 0..n-1 in file order unless their addresses say otherwise, multifunction=on \
            on function 0, and function 0 last, as QEMU requires.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case xml, device, json }

    // Two positionals whose meaning depends on --domain, so that `attach DOMAIN DEVICE` and
    // `attach --connect URI --domain NAME DEVICE` both parse: with --domain the one file is DEVICE.
    @Argument(help: ArgumentHelp("Domain XML file: live XML for --live, the persistent definition for --config (left out with --connect/--domain).", valueName: "domain"))
    var first: String?

    @Argument(help: ArgumentHelp("Device XML file: one device element, as for virsh attach-device (with --live --qmp: several inside one <devices>).", valueName: "device"))
    var second: String?

    @OptionGroup var libvirt: LibvirtOptions

    /// The domain file, nil when the domain comes from libvirt.
    var domain: String? { libvirt.isGiven ? nil : first }
    var device: String { (libvirt.isGiven ? first : second) ?? "-" }

    @OptionGroup var change: ChangeOptions

    @Flag(help: "With --live: print the QMP commands that hot-add the device(s) (several devices: one multifunction slot).")
    var qmp = false

    @Option(help: "Output: xml (the whole resulting domain, byte-preserving), device (only the device element) or json.")
    var format: Format?

    func validate() throws {
        try libvirt.validate(positionals: [first, second], "DOMAIN", "DEVICE")
        if domain == "-" && device == "-" { throw ValidationError("only one of DOMAIN and DEVICE can be standard input") }
        if qmp && !change.live { throw ValidationError("--qmp hot-adds into a running guest: give --live") }
        if qmp && format != nil { throw ValidationError("--qmp prints QMP commands; drop --format") }
    }

    func run() throws {
        let domainFile = try libvirt.readOrExit(file: domain, change.definition)
        let deviceFile = try readInputOrExit(device)
        let outcome = Pipeline.attach(domainFile, device: deviceFile, mode: change.mode, qmp: qmp)
        let files = [domainFile, deviceFile]
        guard let planned = outcome.planned, outcome.splice != nil else {
            try printDiagnostics(outcome.diagnostics, files: files, format: change.diagnosticsFormat)
            throw ExitCode(Exit.findings)
        }
        if !outcome.diagnostics.isEmpty { try printDiagnostics(outcome.diagnostics, files: files, format: change.diagnosticsFormat, stdoutTaken: true) }
        let bytes: [UInt8]
        switch format ?? .xml {
        case .xml where qmp: bytes = Array((outcome.qmp ?? "").utf8)  // --qmp excludes --format
        case .xml: bytes = XMLWriter.render(planned)
        case .device:
            bytes = outcome.attached.flatMap { i -> [UInt8] in
                guard let el = planned.devices[i].element else { return [] }
                let indent = planned.normalized.definition.file.indentation(ofLineContaining: el.range.lowerBound)
                return XMLWriter.renderElement(planned, range: el.range, dedent: indent)
            }
        case .json: bytes = Array(JSONRenderer.attached(planned, devices: outcome.attached, mode: outcome.mode.rawValue).utf8)
        }
        try writeOutput(bytes, to: change.output)
    }
}
