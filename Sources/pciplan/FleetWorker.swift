import ArgumentParser
import PCIPlan

/// What one input gives: the located findings (and, for `report`, the drawing) plus the text
/// `check` prints for them. A worker process sends it back as JSON.
struct FleetResult: Sendable, Codable {
    var report: DomainReport
    var text: String

    /// A worker answers a clean file (no finding, nothing drawn: most of a fleet) with this tag
    /// and the file's name rather than JSON: encoding and decoding the JSON was the costliest
    /// part of the exchange. JSON answers start with `{`, so the two never meet.
    static let cleanTag = "clean:"

    /// The file's name when the result is nothing but "this file is clean".
    var cleanName: String? {
        let c = report.checked
        guard c.status == .clean, c.diagnostics.isEmpty, text.isEmpty, report.machine == nil,
              report.topology == nil, report.headroom == nil else { return nil }
        return c.file
    }

    /// A worker's answer: the clean tag and a name, or the result as JSON.
    static func decode(_ bytes: [UInt8], with decoder: JSONDecoder) throws -> FleetResult {
        let tag = cleanTag.utf8
        if bytes.count >= tag.count, bytes.prefix(tag.count).elementsEqual(tag) {
            let name = String(decoding: bytes.dropFirst(tag.count), as: UTF8.self)
            return FleetResult(report: DomainReport(checked: CheckedFile(file: name, diagnostics: [])), text: "")
        }
        return try decoder.decode(FleetResult.self, from: Data(bytes))
    }
}

/// What the fleet commands ask of each input.
enum FleetTask: String, Sendable, Codable, ExpressibleByArgument {
    /// `check`: the diagnostics.
    case check
    /// `report`: the diagnostics and the topology drawing.
    case report

    /// Reads and checks one input. Never throws: whatever goes wrong is the input's result.
    func run(_ input: FleetInput, bytes: [UInt8]? = nil, options: PlanOptions) -> FleetResult {
        let file: SourceFile
        switch input {
        case .failed(let name, let message):
            return Self.unreadable(name, message)
        case .memory(let name, let bytes):
            file = SourceFile(name: name, bytes: bytes)
        case .stdin:
            if let bytes {
                file = SourceFile(name: input.name, bytes: bytes)
            } else {
                do { file = try readInput("-") } catch { return Self.readFailure(input.name, error) }
            }
        case .path(let p):
            // A test hook: proves that a crash while checking one file costs only that file.
            if let marker = Self.crashMarker, p.contains(marker) {
                fatalError("PCIPLAN_TEST_CRASH matched \(p)")
            }
            do { file = try readInput(p) } catch { return Self.readFailure(p, error) }
        }
        let diags = Pipeline.check(file, options: options)
        let text = DiagnosticPrinter(files: [file]).render(diags)
        switch self {
        case .check: return FleetResult(report: DomainReport(checked: CheckedFile(file, diagnostics: diags)), text: text)
        case .report: return FleetResult(report: Pipeline.report(file, checked: diags, options: options), text: text)
        }
    }

    /// `PCIPLAN_TEST_CRASH`, read once: `ProcessInfo.environment` builds the whole environment
    /// as a dictionary on every call, which cost more than a small domain's planning.
    static let crashMarker: String? = ProcessInfo.processInfo.environment["PCIPLAN_TEST_CRASH"].flatMap { $0.isEmpty ? nil : $0 }

    static func unreadable(_ name: String, _ message: String) -> FleetResult {
        FleetResult(report: DomainReport(checked: .unreadable(name, message: message)),
                    text: errorLine(message))
    }

    /// An oversized input is a finding (an error diagnostic), anything else unreadable.
    static func readFailure(_ name: String, _ error: Error) -> FleetResult {
        if let tooLarge = error as? InputTooLarge {
            let d = tooLarge.diagnostic
            return FleetResult(report: DomainReport(checked: CheckedFile(file: name, diagnostics: [LocatedDiagnostic(d, files: [SourceFile]())])),
                               text: DiagnosticPrinter(files: []).render(d))
        }
        return unreadable(name, "\(error)")
    }
}

/// The worker process `check` and `report` start (`pciplan fleet-worker TASK`): reads requests
/// on standard input, answers on standard output, one at a time, until standard input ends.
///
/// Frames are a 4-byte big-endian length and that many bytes. A request is `p` and a path, or
/// `s` and the bytes of standard input (which only the parent can read); an answer is a
/// `FleetResult` as JSON, or `FleetResult.cleanTag` and the name for a clean file. Checking in another process is what lets a file that crashes
/// pciplan cost only itself: the parent sees the pipe close and reports `internal.bug`.
struct FleetWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-worker",
        abstract: "Internal: checks the files `check` and `report` send it.",
        shouldDisplay: false)

    @Argument var task: FleetTask
    @Option var multifunction: PlanOptions.MultifunctionPolicy = .libvirt

    /// The arguments `WorkerPool` starts a worker with, exactly (`fleet-worker TASK
    /// --multifunction POLICY`), read without ArgumentParser: each worker would otherwise spend
    /// ~13 M instructions of reflection on them before its first file. nil for anything else.
    static func plain(_ arguments: ArraySlice<String>) -> FleetWorker? {
        let a = Array(arguments)
        guard a.count == 4, a[0] == "fleet-worker", let task = FleetTask(rawValue: a[1]), a[2] == "--multifunction",
              let policy = PlanOptions.MultifunctionPolicy(rawValue: a[3]) else { return nil }
        var w = FleetWorker()
        w.task = task
        w.multifunction = policy
        return w
    }

    func run() throws { try Self.serve(task, multifunction: multifunction) }

    /// Answers the requests on standard input until it ends: what a worker process does, as
    /// `pciplan fleet-worker` or as a child forked from `check` (`WorkerProcess.fork`).
    static func serve(_ task: FleetTask, multifunction: PlanOptions.MultifunctionPolicy) throws {
        var o = PlanOptions()
        o.multifunction = multifunction
        let encoder = JSONEncoder()
        while let request = try FleetFrame.read(STDIN_FILENO) {
            guard let kind = request.first else { throw ExitCode(Exit.usage) }
            let body = Array(request.dropFirst())
            let result: FleetResult
            switch kind {
            case UInt8(ascii: "p"): result = task.run(.path(String(decoding: body, as: UTF8.self)), options: o)
            case UInt8(ascii: "s"): result = task.run(.stdin, bytes: body, options: o)
            case UInt8(ascii: "m"):
                let cut = body.firstIndex(of: 0) ?? body.endIndex
                let name = String(decoding: body[..<cut], as: UTF8.self)
                result = task.run(.memory(name: name, bytes: Array(body[min(cut + 1, body.endIndex)...])), options: o)
            default: throw ExitCode(Exit.usage)
            }
            let answer = try result.cleanName.map { Array(FleetResult.cleanTag.utf8) + Array($0.utf8) } ?? Array(encoder.encode(result))
            if POSIXIO.writeAll(STDOUT_FILENO, FleetFrame.encode(answer)) != nil { throw ExitCode(Exit.usage) }
        }
    }
}

/// Length-prefixed frames on a pipe.
enum FleetFrame {
    /// Answers larger than this are a broken worker, not a result.
    static let maximumSize = 1 << 30

    static func encode(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + payload
    }

    /// The next frame from a blocking descriptor; nil at the end of the input.
    static func read(_ fd: Int32) throws -> [UInt8]? {
        let header = try POSIXIO.readChunk(fd, upTo: 4)
        if header.isEmpty { return nil }
        guard header.count == 4 else { throw ExitCode(Exit.usage) }
        let n = header.reduce(0) { $0 << 8 | Int($1) }
        let body = try POSIXIO.readChunk(fd, upTo: n)
        guard body.count == n else { throw ExitCode(Exit.usage) }
        return body
    }

    /// Takes one whole frame off the front of `buffer`, if it holds one; nil if it needs more
    /// bytes. Throws on a length no worker sends.
    static func take(_ buffer: inout [UInt8]) throws -> [UInt8]? {
        guard buffer.count >= 4 else { return nil }
        let n = buffer.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard n <= maximumSize else { throw ExitCode(Exit.usage) }
        guard buffer.count >= 4 + n else { return nil }
        let body = Array(buffer[4..<(4 + n)])
        buffer.removeFirst(4 + n)
        return body
    }
}
