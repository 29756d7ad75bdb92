import Foundation
import Testing

/// Standard output and standard error that cannot be written: a full device, a closed pipe.
/// Every command ends with exit 2 and at most one `pciplan: error:` line, never a trap.
@Suite("output streams that cannot be written, end to end")
struct OutputStreamTests {
    static let example = PCIPlanBinary.packageRoot.appendingPathComponent("Examples/q35-desktop.xml").path

    /// One invocation per command that prints to standard output.
    static let commands: [[String]] = [
        ["plan", example],
        ["plan", example, "--format", "json"],
        ["check", example, "--diagnostics-format", "json"],
        ["check", example, example, "--format", "sarif"],
        ["check", example, example],
        ["report", example],
        ["plan", example, "--format", "svg"],
        ["explain", example],
        ["diff", example, example],
        ["--help"],
        ["--version"],
    ]

    /// A crash shows as a signal, SIGILL's 132 or SIGABRT's 134, or a Swift backtrace.
    static func expectNoCrash(_ r: PCIPlanBinary.Result, _ args: [String]) {
        #expect(!r.crashed && r.status != 132 && r.status != 134, "\(args): status \(r.status)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Backtracing") && !r.stderr.contains("crashed"),
                "\(args):\n\(r.stderr)")
    }

    @Test("stdout on /dev/full: exit 2 and one error line", arguments: commands)
    func fullStdout(_ args: [String]) throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        let r = try PCIPlanBinary.run(args, stdout: full)
        Self.expectNoCrash(r, args)
        #expect(r.status == 2, "\(args)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("pciplan: error: ") == true, "\(args):\n\(r.stderr)")
        #expect(r.stderr.contains("No space left on device"), "\(args):\n\(r.stderr)")
    }

    @Test("stdout into a pipe whose reader has gone: exit 2, silently", arguments: commands)
    func closedPipe(_ args: [String]) throws {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let r = try PCIPlanBinary.run(args, stdout: pipe.fileHandleForWriting)
        try? pipe.fileHandleForWriting.close()
        Self.expectNoCrash(r, args)
        #expect(r.status == 2, "\(args)")
        #expect(r.stderr.isEmpty, "\(args):\n\(r.stderr)")
    }

    @Test("a shell pipeline that stops reading early, like | head -c1")
    func headOfPipeline() throws {
        let bin = try #require(PCIPlanBinary.url)
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Big enough that the reader is gone before the writer is done.
        var big = "<domain type='kvm'>\n  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n  <devices>\n"
        for i in 0..<200 { big += "    <disk type='file' device='disk'><target dev='vd\(i)' bus='virtio'/></disk>\n" }
        big += "  </devices>\n</domain>\n"
        try big.write(to: dir.appendingPathComponent("big.xml"), atomically: true, encoding: .utf8)
        let err = dir.appendingPathComponent("stderr")
        let script = "'\(bin.path)' plan --format json big.xml 2>stderr | head -c1 >/dev/null; echo ${PIPESTATUS[0]} >status"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = dir
        try p.run()
        p.waitUntilExit()
        let status = try String(contentsOf: dir.appendingPathComponent("status"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let stderr = try String(contentsOf: err, encoding: .utf8)
        #expect(status == "0" || status == "2", "status \(status)")
        #expect(stderr.isEmpty, "\(stderr)")
    }

    @Test("stderr on /dev/full: exit 2, no trap")
    func fullStderr() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "<domain type='kvm'><devices>".write(to: dir.appendingPathComponent("bad.xml"), atomically: true, encoding: .utf8)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        for args in [["check", "bad.xml"], ["plan", "bad.xml"], ["plan", "missing.xml"], ["plan"]] {
            let r = try PCIPlanBinary.run(args, in: dir, stderr: full)
            Self.expectNoCrash(r, args)
            #expect(r.status == 2, "\(args)")
        }
    }

    @Test("standard input that cannot be read (a directory): exit 2 and one error line")
    func unreadableStdin() throws {
        let bin = try #require(PCIPlanBinary.url)
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", "\"$0\" check - < . 2>stderr", bin.path]
        sh.currentDirectoryURL = dir
        try sh.run()
        sh.waitUntilExit()
        let stderr = try String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)
        #expect(sh.terminationStatus == 2, "\(stderr)")
        #expect(stderr == "pciplan: error: <stdin>: cannot be read (Is a directory)\n")
    }

    @Test("--version prints the version")
    func version() throws {
        let r = try PCIPlanBinary.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.wholeMatch(of: /pciplan \d+\.\d+\.\d+\n/) != nil, "\(r.stdout)")
    }
}
