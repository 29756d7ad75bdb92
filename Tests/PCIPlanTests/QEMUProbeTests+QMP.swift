import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `qemu-system-x86_64` (or the QEMU of another machine's architecture) paused and reads
/// its device tree over QMP (stdio), with a deadline; QEMU is always stopped (quit, then SIGKILL
/// by its own PID) before returning.
enum QEMU {
    /// `$QEMU`, else `qemu-system-x86_64` on `PATH`.
    static let binary: String? = {
        let env = ProcessInfo.processInfo.environment
        if let q = env["QEMU"], FileManager.default.isExecutableFile(atPath: q) { return q }
        return onPath("qemu-system-x86_64")
    }()

    /// `name` (`qemu-system-aarch64`, …) on `PATH`.
    static func onPath(_ name: String) -> String? {
        let env = ProcessInfo.processInfo.environment
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    struct Run {
        /// `info qtree`; nil when QEMU refused the configuration (exited before answering).
        var qtree: String?
        var stderr: String
        /// For each command sent before `info qtree`: nil when QEMU returned, else its error.
        var errors: [String?] = []
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts QEMU paused, sends `commands` (QMP JSON lines, e.g. a hot-add) one by one, then
    /// reads `info qtree`.
    static func start(_ binary: String, machine: String, args: [String], commands: [String] = [],
                      timeout: TimeInterval = 60) throws -> Run {
        signal(SIGPIPE, SIG_IGN)  // a QEMU that exits must not take the test process with it
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-machine", "\(machine),accel=tcg", "-nodefaults", "-no-user-config", "-S",
                             "-display", "none", "-qmp", "stdio"] + args
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        defer {
            try? input.fileHandleForWriting.close()
            while process.isRunning && Date() < deadline.addingTimeInterval(3) { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        var pipes = PipeReader(out: output.fileHandleForReading.fileDescriptor,
                               err: errors.fileHandleForReading.fileDescriptor, deadline: deadline)
        var qmp = QMP(pipes: pipes, input: input.fileHandleForWriting)
        let tree: String?
        var refusals: [String?] = []
        do {
            _ = try qmp.execute("qmp_capabilities")
            for line in commands {
                do {
                    _ = try qmp.send(line)
                    refusals.append(nil)
                } catch let failure as QEMU.Failure {
                    refusals.append(failure.description)
                }
            }
            tree = try qmp.execute("human-monitor-command", ["command-line": "info qtree"]) as? String
            _ = try? qmp.execute("quit")
        } catch is QMP.Closed {
            tree = nil
        }
        pipes = qmp.pipes
        return Run(qtree: tree, stderr: try pipes.drainErrors(), errors: refusals)
    }
}

/// A QMP session over QEMU's stdio: commands out, one JSON object per line back.
struct QMP {
    struct Closed: Error {}
    var pipes: PipeReader
    let input: FileHandle
    var greeted = false

    /// Sends a command and returns its `return` value; skips the greeting and events.
    mutating func execute(_ command: String, _ arguments: [String: String] = [:]) throws -> Any? {
        var message: [String: Any] = ["execute": command]
        if !arguments.isEmpty { message["arguments"] = arguments }
        let data = try JSONSerialization.data(withJSONObject: message)
        return try send(String(decoding: data, as: UTF8.self))
    }

    /// Sends one command, already written as a JSON line, and returns its `return` value.
    mutating func send(_ json: String) throws -> Any? {
        let command = ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any])?["execute"] as? String ?? "?"
        do { try input.write(contentsOf: Data((json + "\n").utf8)) } catch { throw Closed() }
        while true {
            guard let line = try pipes.line() else { throw Closed() }
            guard let reply = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let value = reply["return"] { return value }
            if let error = reply["error"] as? [String: Any] {
                throw QEMU.Failure(description: "QMP \(command): \(error["desc"] ?? error)")
            }
        }
    }
}

/// Reads QEMU's stdout by lines and collects its stderr, both with poll(2) and a deadline.
struct PipeReader {
    let out: Int32, err: Int32, deadline: Date
    var outBuffer: [UInt8] = [], errBuffer: [UInt8] = []
    var outOpen = true, errOpen = true

    /// The next stdout line, or nil at end of file.
    mutating func line() throws -> String? {
        while true {
            if let nl = outBuffer.firstIndex(of: 10) {
                let line = String(decoding: outBuffer[..<nl], as: UTF8.self)
                outBuffer.removeSubrange(...nl)
                return line
            }
            guard outOpen else { return nil }
            try pump()
        }
    }

    /// Everything QEMU wrote to stderr, up to its end of file.
    mutating func drainErrors() throws -> String {
        while errOpen { try pump() }
        return String(decoding: errBuffer, as: UTF8.self)
    }

    mutating func pump() throws {
        let left = Int32(deadline.timeIntervalSinceNow * 1000)
        guard left > 0 else { throw QEMU.Failure(description: "QEMU did not answer in time") }
        var fds: [pollfd] = []
        if outOpen { fds.append(pollfd(fd: out, events: Int16(POLLIN), revents: 0)) }
        if errOpen { fds.append(pollfd(fd: err, events: Int16(POLLIN), revents: 0)) }
        let n = poll(&fds, nfds_t(fds.count), left)
        if n < 0 && errno != EINTR { throw QEMU.Failure(description: "poll failed: errno \(errno)") }
        for f in fds where f.revents != 0 {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let r = read(f.fd, &chunk, chunk.count)
            if r < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if r <= 0 {
                if f.fd == out { outOpen = false } else { errOpen = false }
            } else if f.fd == out {
                outBuffer += chunk[..<r]
            } else {
                errBuffer += chunk[..<r]
            }
        }
    }
}

/// The PCI devices of QEMU's `info qtree`: the qdev bus each sits on, its `addr` and properties.
enum QTree {
    struct Device {
        var driver: String, id: String, bus: String
        var slot = -1, function = -1
        var props: [String: String] = [:]
    }

    static func pciDevices(_ text: String) -> [Device] {
        enum Node { case bus(String), device(Int) }
        var stack: [(indent: Int, node: Node)] = []
        var devices: [Device] = []
        for raw in text.split(whereSeparator: \.isNewline) {  // HMP answers with \r\n
            let indent = raw.prefix { $0 == " " }.count
            let s = raw.dropFirst(indent)
            while let top = stack.last, top.indent >= indent { stack.removeLast() }
            if s.hasPrefix("bus: ") {
                stack.append((indent, .bus(String(s.dropFirst(5)))))
            } else if s.hasPrefix("dev: ") {
                let parts = s.dropFirst(5).split(separator: ",", maxSplits: 1)
                let id = parts.count > 1 ? parts[1].split(separator: "\"", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? "" : ""
                var bus = ""
                if let last = stack.last, case .bus(let b) = last.node { bus = b }
                devices.append(Device(driver: String(parts.first ?? ""), id: id, bus: bus))
                stack.append((indent, .device(devices.count - 1)))
            } else if let last = stack.last, case .device(let i) = last.node, let eq = s.range(of: " = ") {
                let key = String(s[..<eq.lowerBound])
                var value = String(s[eq.upperBound...].split(separator: " ").first ?? "")
                if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                devices[i].props[key] = value
                if key == "addr" {
                    let sf = value.split(separator: ".")
                    devices[i].slot = sf.first.flatMap { Int($0, radix: 16) } ?? -1
                    devices[i].function = sf.count > 1 ? Int(sf[1], radix: 16) ?? -1 : -1
                }
            }
        }
        return devices.filter { $0.props["addr"] != nil }
    }
}
