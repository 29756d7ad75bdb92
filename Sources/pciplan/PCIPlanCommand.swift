import ArgumentParser
import Foundation
import PCIPlan

@main
struct PCIPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pciplan",
        abstract: "Check, plan, explain and diff the PCI topology of libvirt QEMU/KVM domains.",
        subcommands: [Check.self, Plan.self, Explain.self, Diff.self, Attach.self, Detach.self, HeadroomCommand.self])

    /// The command-line contract says usage errors exit 2; ArgumentParser's default is 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                writeStderr(fullMessage(for: error) + "\n")
                Foundation.exit(Exit.usage)
            }
            exit(withError: error)
        }
    }
}
