import PCIPlanSource

/// The messages of `check` over many files (`CheckedFile`, the CLI's worker processes): a file
/// that cannot be read, and a file on which pciplan itself stopped. Severities and summaries
/// are in the catalogue (`DiagnosticID`).
extension Diagnostic {
    /// `input.unreadable`: the file cannot be read; `message` says why (`a.xml: no such file`).
    package static func inputUnreadable(_ message: String) -> Diagnostic {
        Diagnostic(.inputUnreadable, message, at: nil)
    }

    /// The process checking a file died (`detail`: how); `file` places it at the file's start
    /// for the text output, nil for the located (JSON, SARIF) form.
    package static func checkStopped(detail: String, file: String?) -> Diagnostic {
        Diagnostic(.internalError,
            "pciplan stopped while checking this file (\(detail)); this is a bug in pciplan, not a problem of the file: please report it with the file",
            at: file.map { SourceRange(file: $0, start: 0, end: 0) })
    }
}
