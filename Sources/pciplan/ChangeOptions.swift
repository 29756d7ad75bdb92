import ArgumentParser
import PCIPlan
import PCIPlanLibvirt

/// What `attach` and `detach` share: which definition they change (exactly one of `--live` and
/// `--config`), where the resulting XML goes and how diagnostics are printed.
struct ChangeOptions: ParsableArguments {
    @Flag(help: "Change the running guest: DOMAIN is its live XML (virsh dumpxml), changed by libvirt's hot-plug rules.")
    var live = false

    @Flag(help: "Change the persistent definition: DOMAIN is what virsh dumpxml --inactive prints.")
    var config = false

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Diagnostics as text (stderr) or json (one document: on stdout when the command fails, else on stderr).")
    var diagnosticsFormat: DiagnosticsFormat = .text

    func validate() throws {
        if live == config { throw ValidationError("give exactly one of --live and --config") }
    }

    var mode: AttachMode { live ? .live : .config }

    /// The definition libvirt gives with `--connect`: the live XML for `--live`.
    var definition: LibvirtXML { live ? .live : .inactive }
}
