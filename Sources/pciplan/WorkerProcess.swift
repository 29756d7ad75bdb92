import PCIPlan

/// One `pciplan fleet-worker` child: its pipes and what it is doing. A class because the pool
/// and the poll loop share it while it lives.
final class WorkerProcess {
    let pid: pid_t
    /// Where requests go (the child's standard input).
    let requests: Int32
    /// Where answers come from (the child's standard output).
    let responses: Int32
    /// The child's standard error: kept, to quote a crash message.
    let errors: Int32
    /// The indices of the inputs sent to it and not answered yet, in the order sent (it answers
    /// in that order): the first is the one it is checking.
    var queue: [Int] = []
    var inbox: [UInt8] = []
    /// Where answers are read into (kept: a fresh 64 KiB buffer per answer was measurable).
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    var stderrTail: [UInt8] = []
    /// False once its standard error has ended (so polling it stops).
    private(set) var stderrOpen = true
    private(set) var dead = false

    init(pid: pid_t, requests: Int32, responses: Int32, errors: Int32) {
        self.pid = pid
        self.requests = requests
        self.responses = responses
        self.errors = errors
    }

    /// Starts this executable as `pciplan ARGUMENTS…` with fresh pipes as its standard streams;
    /// nil when that fails. The Swift runtime's backtracer is turned off in the child: a crash
    /// report is not needed, and symbolicating one takes seconds.
    static func spawn(_ arguments: [String]) -> WorkerProcess? {
        guard let toChild = pipeAbove2(), let fromChild = pipeAbove2(), let errChild = pipeAbove2() else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild.read, 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errChild.write, 2)
        let executable = selfExecutable
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        Glibc.close(toChild.read)
        Glibc.close(fromChild.write)
        Glibc.close(errChild.write)
        guard rc == 0 else {
            [toChild.write, fromChild.read, errChild.read].forEach { _ = Glibc.close($0) }
            return nil
        }
        return WorkerProcess(pid: pid, requests: toChild.write, responses: fromChild.read, errors: errChild.read)
    }

    /// Forks this process into a worker that serves `task` (Linux; nil elsewhere, when the
    /// process has more than one thread, or when forking fails): the child starts with the
    /// runtime, the loaded libraries and the type metadata this process has already set up,
    /// where a spawned `pciplan fleet-worker` pays ~3.5 ms to load and start (a tenth of
    /// checking 300 small files on two cores). Only safe in a single-threaded process, which
    /// `check` is. The child never returns: it serves its pipes and leaves with `_exit`.
    static func fork(_ task: FleetTask, multifunction: PlanOptions.MultifunctionPolicy) -> WorkerProcess? {
        #if os(Linux)
        guard isSingleThreaded, let toChild = pipeAbove2(), let fromChild = pipeAbove2(), let errChild = pipeAbove2() else { return nil }
        let pid = Glibc.fork()
        if pid == 0 {
            // The child: its pipes become its standard streams, and every other descriptor of
            // the parent (other workers' pipes among them, which would keep them from seeing
            // the end of their requests) is closed.
            guard dup2(toChild.read, 0) == 0, dup2(fromChild.write, 1) == 1, dup2(errChild.write, 2) == 2 else { _exit(2) }
            closeDescriptors(above: 2)
            // A crash ends the child at once with its signal (the parent reports it with the
            // runtime's "Fatal error" line): no backtrace, which takes seconds to symbolicate.
            for sig in [SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP, SIGABRT] { signal(sig, SIG_DFL) }
            do { try FleetWorker.serve(task, multifunction: multifunction) } catch { _exit(2) }
            _exit(0)
        }
        Glibc.close(toChild.read)
        Glibc.close(fromChild.write)
        Glibc.close(errChild.write)
        guard pid > 0 else {
            [toChild.write, fromChild.read, errChild.read].forEach { _ = Glibc.close($0) }
            return nil
        }
        return WorkerProcess(pid: pid, requests: toChild.write, responses: fromChild.read, errors: errChild.read)
        #else
        return nil
        #endif
    }

    /// Closes every open descriptor above `low` (in a forked child, before it serves).
    static func closeDescriptors(above low: Int32) {
        guard let dir = opendir("/proc/self/fd") else { return }
        var open: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd > low, fd != dirfd(dir) { open.append(fd) }
        }
        closedir(dir)
        for fd in open { Glibc.close(fd) }
    }

    /// Whether this process runs one thread only (`/proc/self/task` holds one entry).
    static var isSingleThreaded: Bool {
        guard let dir = opendir("/proc/self/task") else { return false }
        defer { closedir(dir) }
        var threads = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { $0.first }
            if name != UInt8(ascii: ".") { threads += 1 }
        }
        return threads == 1
    }

    /// The running executable: the kernel's link, which works even if the file was replaced.
    static var selfExecutable: String {
        #if os(Linux)
        "/proc/self/exe"
        #else
        Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
    }

    /// A close-on-exec pipe whose descriptors are above 2, so mapping them onto the child's
    /// 0, 1 and 2 never meets one of them there (the parent may run with a standard stream closed).
    static func pipeAbove2() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        func lift(_ fd: Int32) -> Int32 {
            let high = fcntl(fd, F_DUPFD_CLOEXEC, 3)
            Glibc.close(fd)
            return high
        }
        let r = lift(fds[0]), w = lift(fds[1])
        guard r >= 0, w >= 0 else { return nil }
        return (r, w)
    }

    /// Reads what the answer pipe holds: the whole answers in it (perhaps none yet) and, when
    /// the pipe has ended or sent garbage, how the worker died.
    func readAnswers() -> (answers: [[UInt8]], died: String?) {
        let n = readBuffer.withUnsafeMutableBytes { Glibc.read(responses, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { return ([], nil) }
        guard n > 0 else { return ([], collectDeath()) }
        inbox += readBuffer.prefix(n)
        var answers: [[UInt8]] = []
        do {
            while let frame = try FleetFrame.take(&inbox) { answers.append(frame) }
        } catch {
            kill(pid, SIGKILL)
            return (answers, collectDeath())
        }
        return (answers, nil)
    }

    /// Keeps the last few KiB of the worker's standard error.
    func drainStderr() {
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(errors, $0.baseAddress, $0.count) }
        if n == 0 { stderrOpen = false }
        guard n > 0 else { return }
        stderrTail += buffer.prefix(n)
        if stderrTail.count > 8192 { stderrTail.removeFirst(stderrTail.count - 8192) }
    }

    /// After the worker's answer pipe closed: reaps it and says how it ended, quoting the first
    /// line of its crash message (`Fatal error: …`).
    func collectDeath() -> String {
        dead = true
        // Its standard error is closed now, or will be once it has gone.
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(errors, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            stderrTail += buffer.prefix(n)
            if stderrTail.count > 65536 { stderrTail.removeFirst(stderrTail.count - 65536) }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        [requests, responses, errors].forEach { _ = Glibc.close($0) }
        let signal = status & 0x7F
        var how = signal != 0 ? "the check process was killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            : "the check process exited with status \((status >> 8) & 0xFF)"
        let lines = String(decoding: stderrTail, as: UTF8.self).split(separator: "\n")
        if let line = lines.first(where: { $0.contains("Fatal error") }) ?? lines.first {
            how += ": " + line.prefix(300)
        }
        return how
    }

    /// Ends the worker: closing its requests makes an idle worker exit, and closing its answer
    /// pipe first makes a busy one fail its write and exit rather than wait for a reader.
    func close() {
        guard !dead else { return }
        dead = true
        [responses, errors, requests].forEach { _ = Glibc.close($0) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
