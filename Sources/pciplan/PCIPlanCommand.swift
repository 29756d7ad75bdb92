import ArgumentParser
import PCIPlan

@main
struct PCIPlanCommand: ParsableCommand {
    static let version = "0.2.0"

    /// Every subcommand spells out its `commandName`: without it ArgumentParser derives the
    /// name with `String(describing: Self.self)` for each subcommand at every start, and each
    /// such call makes the runtime scan all the program's protocol conformances (a quarter of
    /// a small `plan` run before; README "Speed").
    static let configuration = CommandConfiguration(
        commandName: "pciplan",
        abstract: "Check, plan, explain and diff the PCI topology of libvirt QEMU/KVM domains.",
        version: "pciplan \(version)",
        subcommands: [Check.self, Plan.self, Explain.self, Diff.self, Attach.self, Detach.self, HeadroomCommand.self,
                      Report.self, FleetWorker.self])

    static func main() {
        // A reader that has gone must come back from write(2) as EPIPE, handled like any
        // other output error, rather than kill the process with a signal.
        signal(SIGPIPE, SIG_IGN)
        do {
            if let job = PlanJob.plain(CommandLine.arguments.dropFirst()) {
                // Debug builds (the ones the end-to-end tests run) prove the shortcut right: the
                // same job as ArgumentParser's parse, which also passes `Plan.validate`.
                assert({
                    guard let parsed = try? Plan.parse(Array(CommandLine.arguments.dropFirst(2))) else { return false }
                    return parsed.job == job && (try? parsed.validate()) != nil
                }(), "PlanJob.plain differs from ArgumentParser's parse: \(job)")
                return try job.run()
            }
            if let worker = FleetWorker.plain(CommandLine.arguments.dropFirst()) {
                assert(String(reflecting: worker) == (try? FleetWorker.parse(Array(CommandLine.arguments.dropFirst(2)))).map { String(reflecting: $0) },
                       "FleetWorker.plain differs from ArgumentParser's parse: \(worker)")
                return try worker.run()
            }
            if let check = Check.plain(CommandLine.arguments.dropFirst()) {
                assert(String(reflecting: check) == (try? Check.parse(Array(CommandLine.arguments.dropFirst(2)))).map { String(reflecting: $0) },
                       "Check.plain differs from ArgumentParser's parse: \(check)")
                try check.validate()
                return try check.run()
            }
            var command = try parseAsRoot()
            try command.run()
        } catch {
            terminate(report(error))
        }
    }

    /// Prints what ArgumentParser has to say about `error` (help and the version on stdout,
    /// usage errors on stderr) through `writeStdout` / `writeStderr`, which report a failed
    /// write instead of ignoring it, and returns the exit status. The command-line contract
    /// says usage errors exit 2; ArgumentParser's default is 64.
    static func report(_ error: Error) -> Int32 {
        var code = exitCode(for: error)
        if code == .validationFailure { code = ExitCode(Exit.usage) }
        let text = fullMessage(for: error)
        guard !text.isEmpty else { return code.rawValue }
        do {
            if code.isSuccess { try writeStdout(text + "\n") } else { try writeStderr(text + "\n") }
        } catch {
            return Exit.usage
        }
        return code.rawValue
    }
}
