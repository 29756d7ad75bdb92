import ArgumentParser
import PCIPlan

/// What `check` and `report` share: the FILE|DIR|- arguments, how many are checked at once and
/// the multifunction policy.
struct FleetOptions: ParsableArguments {
    @Argument(help: "Domain XML files, folders, or '-' for standard input.")
    var files: [String] = []

    @Option(help: ArgumentHelp("Check N files at once (default: the number of processors).", valueName: "N"))
    var jobs: Int?

    @Option(help: "Multifunction policy: libvirt (derive like libvirt 9.0) or explicit (derive nothing).")
    var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    func validate() throws {
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be from 1 to 1024") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be given once") }
    }

    /// The inputs in command-line order, folders expanded (`FleetInputs.expand`).
    var inputs: [FleetInput] { FleetInputs.expand(files) }

    var jobCount: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }

    var planOptions: PlanOptions {
        var o = PlanOptions()
        o.multifunction = multifunction
        return o
    }
}
