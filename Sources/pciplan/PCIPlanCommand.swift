import ArgumentParser
import Foundation
import PCIPlan

@main
struct PCIPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pciplan",
        abstract: "Check, plan, explain and diff the PCI topology of libvirt QEMU/KVM domains.",
        subcommands: [Check.self, Plan.self, Explain.self, Diff.self])
}
