import PCIPlan

/// The progress bar of a fleet run: one line on a terminal's standard error, redrawn at most
/// ten times a second, erased before anything else is written there and at the end. Off when
/// standard error is not a terminal (a pipe, a file, CI) and for a single input.
struct ProgressBar {
    let total: Int
    let enabled: Bool
    private var shown = false
    private var lastDraw = 0.0

    init(total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.enabled = enabled && total > 1
    }

    mutating func update(done: Int, _ summary: CheckSummary) throws {
        guard enabled else { return }
        let now = ProcessInfo.processInfo.systemUptime
        guard done == total || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let width = 30
        let filled = total == 0 ? width : width * done / total
        var line = "\r\u{1B}[K[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        line += " \(done)/\(total) files"
        if summary.count(.errors) > 0 { line += ", \(summary.count(.errors)) with errors" }
        if summary.count(.warnings) > 0 { line += ", \(summary.count(.warnings)) with warnings" }
        if summary.count(.unreadable) > 0 { line += ", \(summary.count(.unreadable)) unreadable" }
        try writeStderr(line)
        shown = true
    }

    /// Erases the bar (if drawn) so the next write starts on a clean line.
    mutating func erase() throws {
        guard shown else { return }
        try writeStderr("\r\u{1B}[K")
        shown = false
        lastDraw = 0
    }
}
