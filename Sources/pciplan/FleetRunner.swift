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
        let decoder = JSONDecoder()
        while head < inputs.count {
            // Hand out work while the window allows.
            while next < inputs.count, next < head + window {
                let input = inputs[next]
                if case .failed = input {
                    done[next] = task.run(input, options: options)
                } else if let w = pool.idleWorker(limit: jobs) {
                    pool.send(input, index: next, to: w)
                } else if pool.workers.isEmpty {
                    // No worker could be started: check here.
                    done[next] = task.run(input, options: options)
                } else {
                    break
                }
                next += 1
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
struct WorkerPool {
    let task: FleetTask
    let options: PlanOptions
    var workers: [WorkerProcess] = []
    /// Set once starting a worker failed: the run goes on in this process.
    var cannotSpawn = false

    enum Payload {
        case answer([UInt8])
        case died(String)
    }

    init(task: FleetTask, options: PlanOptions) {
        self.task = task
        self.options = options
    }

    /// An idle worker, starting one while there are fewer than `limit`; nil when all are busy
    /// (or none can be started: then `workers` is empty).
    mutating func idleWorker(limit: Int) -> WorkerProcess? {
        if let w = workers.first(where: { $0.busy == nil }) { return w }
        guard workers.count < limit, !cannotSpawn else { return nil }
        let arguments = ["fleet-worker", task.rawValue, "--multifunction", options.multifunction.rawValue]
        guard let w = WorkerProcess.spawn(arguments) else {
            cannotSpawn = true
            return nil
        }
        workers.append(w)
        return w
    }

    /// Sends `input` to `w`. Standard input is read here: a worker cannot.
    mutating func send(_ input: FleetInput, index: Int, to w: WorkerProcess) {
        w.busy = index
        w.stderrTail = []
        var request: [UInt8]
        switch input {
        case .path(let p): request = [UInt8(ascii: "p")] + Array(p.utf8)
        case .stdin:
            do {
                request = [UInt8(ascii: "s")] + (try readInput("-")).bytes
            } catch {
                w.pending = .answer(Array((try? JSONEncoder().encode(FleetTask.readFailure("<stdin>", error))) ?? Data()))
                return
            }
        case .memory(let name, let bytes): request = [UInt8(ascii: "m")] + Array(name.utf8) + [0] + bytes
        case .failed: return
        }
        if POSIXIO.writeAll(w.requests, FleetFrame.encode(request)) != nil {
            w.pending = .died(w.collectDeath())
        }
    }

    /// Waits until at least one busy worker answers or dies; returns (input index, payload).
    mutating func waitForAnswers() -> [(Int, Payload)] {
        var out: [(Int, Payload)] = []
        for w in workers where w.pending != nil {
            if let index = w.busy, let p = w.pending { out.append((index, p)) }
            w.pending = nil
            w.busy = nil
        }
        workers.removeAll { $0.dead }
        if !out.isEmpty { return out }
        let busy = workers.filter { $0.busy != nil }
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
            guard fds[2 * k].revents != 0, let index = w.busy else { continue }
            switch w.readAnswer() {
            case .none: continue
            case .some(let p):
                out.append((index, p))
                w.busy = nil
            }
        }
        workers.removeAll { $0.dead }
        return out
    }

    /// Closes every worker's requests (it then exits) and reaps it.
    mutating func shutDown() {
        for w in workers { w.close() }
        workers = []
    }
}
