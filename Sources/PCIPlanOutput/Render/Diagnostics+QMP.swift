import PCIPlanSource

/// The messages of `QMPRenderer` (`attach --live --qmp`): what it cannot turn into QMP
/// commands. Severities and summaries are in the catalogue (`DiagnosticID`).
extension Diagnostic {
    /// Device `name` has no QEMU PCI device (driver, alias or placement) to `device_add`.
    static func qmpNoPCIDevice(_ name: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.attachQMPBackend, "\(name) has no QEMU PCI device pciplan can render", at: range)
    }

    /// Device `name`'s backend is set up by libvirt outside QMP (`why`), with a likely `fix`.
    static func qmpBackendRefused(_ name: String, why: String, fix: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.attachQMPBackend, "pciplan cannot render \(name) as QMP commands: \(why)", at: range, fixIts: [FixIt(fix)])
    }
}
