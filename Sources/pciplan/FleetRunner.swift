import PCIPlan

/// Runs one `FleetTask` over many inputs on `jobs` worker processes and hands the results
/// back in input order, as soon as each is next in line.
///
/// Memory stays bounded however many inputs there are: at most `window` inputs are in flight
/// or finished but waiting for an earlier one, and a result is dropped once handed back. Each
/// worker checks one file at a time; a worker that dies (a crash in pciplan) costs only the
/// file it was checking, which gets an `internal.bug` diagnostic, and a new worker takes over.
/// When no worker process can be started, the inputs are checked in this process instead.
struct FleetRunner {
    var inputs: [FleetInput]
    var task: FleetTask
    var jobs: Int
    var options: PlanOptions

    var window: Int { max(8, jobs * 4) }

    func run(_ deliver: (Int, FleetResult) throws -> Void) throws {
        var pool = WorkerPool(task: task, options: options)
        defer { pool.shutDown() }
        var done: [Int: FleetResult] = [:]
        var next = 0, head = 0
        /// Inputs sent to a worker that died before it reached them: sent again first.
        var again: [Int] = []
        let decoder = JSONDecoder()
        while head < inputs.count {
            // Hand out work while the window allows.
            while true {
                let index: Int
                if let first = again.first {
                    index = first
                } else if next < inputs.count, next < head + window {
                    index = next
                } else {
                    break
                }
                let input = inputs[index]
                if case .failed = input {
                    done[index] = task.run(input, options: options)
                } else if let w = pool.availableWorker(limit: jobs) {
                    pool.send(input, index: index, to: w)
                } else if pool.workers.isEmpty {
                    // No worker could be started: check here.
                    done[index] = task.run(input, options: options)
                } else {
                    break
                }
                if again.first == index { again.removeFirst() } else { next += 1 }
            }
            while let r = done.removeValue(forKey: head) {
                try deliver(head, r)
                head += 1
            }
            guard head < inputs.count else { break }
            for (index, payload) in pool.waitForAnswers() {
                switch payload {
                case .answer(let bytes):
                    do {
                        done[index] = try FleetResult.decode(bytes, with: decoder)
                    } catch {
                        done[index] = crashResult(index, "its answer could not be read: \(error)")
                    }
                case .died(let detail):
                    done[index] = crashResult(index, detail)
                case .sendAgain:
                    again.append(index)
                }
            }
        }
    }

    func crashResult(_ index: Int, _ detail: String) -> FleetResult {
        let name = inputs[index].name
        let f = CheckedFile.internalFailure(name, detail: detail)
        // The text as `check` prints any finding about a whole file: `name: error: … [id]`.
        let text = DiagnosticPrinter(files: []).render(.checkStopped(detail: detail, file: name))
        return FleetResult(report: DomainReport(checked: f), text: text)
    }
}

/// The worker processes of one run.
///
/// Each worker has up to `depth` inputs in flight: it starts on the next as soon as it has
/// answered one, instead of waiting for this process to read the answer and send more (on two
/// cores a worker with one input at a time idled about a fifth of the run). A worker answers in
/// order, so when one dies, the first input it had not answered is the one it died on; the
/// others are sent again, to another worker.
struct WorkerPool {
    let task: FleetTask
    let options: PlanOptions
    var workers: [WorkerProcess] = []
    /// Set once starting a worker failed: the run goes on in this process.
    var cannotSpawn = false
    /// Results known without polling (standard input that could not be read, a worker found
    /// dead while sending), handed out by the next `waitForAnswers`.
    var ready: [(Int, Payload)] = []
    /// Inputs in flight per worker.
    let depth = 2

    enum Payload {
        case answer([UInt8])
        case died(String)
        /// Its worker died before reaching it: send it again.
        case sendAgain
    }

    init(task: FleetTask, options: PlanOptions) {
        self.task = task
        self.options = options
    }

    /// A worker that can take one more input: an idle one, else a new one while there are
    /// fewer than `limit`, else one with fewer than `depth` in flight; nil when all are full
    /// (or none can be started: then `workers` is empty).
    mutating func availableWorker(limit: Int) -> WorkerProcess? {
        // A worker found dead while sending is gone: its descriptors are closed, and their
        // numbers may already belong to a new worker's pipes.
        workers.removeAll { $0.dead }
        if let w = workers.first(where: { $0.queue.isEmpty }) { return w }
        if workers.count < limit, !cannotSpawn {
            // A forked worker starts in a fraction of the time of a new process.
            if let w = WorkerProcess.fork(task, multifunction: options.multifunction)
                ?? WorkerProcess.spawn(["fleet-worker", task.rawValue, "--multifunction", options.multifunction.rawValue]) {
                workers.append(w)
                return w
            }
            cannotSpawn = true
        }
        return workers.filter { $0.queue.count < depth }.min { $0.queue.count < $1.queue.count }
    }

    /// Sends `input` to `w`. Standard input is read here: a worker cannot.
    mutating func send(_ input: FleetInput, index: Int, to w: WorkerProcess) {
        if w.queue.isEmpty { w.stderrTail = [] }
        var request: [UInt8]
        switch input {
        case .path(let p): request = [UInt8(ascii: "p")] + Array(p.utf8)
        case .stdin:
            do {
                request = [UInt8(ascii: "s")] + (try readInput("-")).bytes
            } catch {
                ready.append((index, .answer(Array((try? JSONEncoder().encode(FleetTask.readFailure("<stdin>", error))) ?? Data()))))
                return
            }
        case .memory(let name, let bytes): request = [UInt8(ascii: "m")] + Array(name.utf8) + [0] + bytes
        case .failed: return
        }
        w.queue.append(index)
        if POSIXIO.writeAll(w.requests, FleetFrame.encode(request)) != nil {
            buried(w, w.collectDeath())
        }
    }

    /// `w` has died: the first input it had not answered is the one it died on; the rest go
    /// to another worker.
    mutating func buried(_ w: WorkerProcess, _ detail: String) {
        for (k, index) in w.queue.enumerated() { ready.append((index, k == 0 ? .died(detail) : .sendAgain)) }
        w.queue = []
    }

    /// Waits until at least one worker answers or dies; returns (input index, payload).
    mutating func waitForAnswers() -> [(Int, Payload)] {
        workers.removeAll { $0.dead }
        if !ready.isEmpty { return takeReady() }
        let busy = workers.filter { !$0.queue.isEmpty }
        guard !busy.isEmpty else { return [] }
        // A worker's standard error is polled while it is open (and drained, so a chatty
        // worker cannot block on it); -1 makes poll skip it.
        var fds: [pollfd] = busy.flatMap { w in
            [pollfd(fd: w.responses, events: Int16(POLLIN), revents: 0),
             pollfd(fd: w.stderrOpen ? w.errors : -1, events: Int16(POLLIN), revents: 0)]
        }
        while poll(&fds, nfds_t(fds.count), -1) < 0 && errno == EINTR {}
        for (k, w) in busy.enumerated() {
            if fds[2 * k + 1].revents != 0 { w.drainStderr() }
            guard fds[2 * k].revents != 0 else { continue }
            let (answers, died) = w.readAnswers()
            for answer in answers where !w.queue.isEmpty {
                ready.append((w.queue.removeFirst(), .answer(answer)))
                // What it printed on standard error belongs to the input it answered.
                if w.queue.isEmpty { w.stderrTail = [] }
            }
            if let died { buried(w, died) }
        }
        workers.removeAll { $0.dead }
        return takeReady()
    }

    /// The results gathered so far, handed out once.
    mutating func takeReady() -> [(Int, Payload)] {
        defer { ready = [] }
        return ready
    }

    /// Closes every worker's requests (it then exits) and reaps it.
    mutating func shutDown() {
        for w in workers { w.close() }
        workers = []
    }
}
