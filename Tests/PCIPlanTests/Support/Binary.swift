import Foundation
import Testing

/// The built `pciplan` executable, for end-to-end tests: `$PCIPLAN_BIN`, else the one next to
/// the running test bundle (same scratch dir and configuration, e.g. `.build-check/debug`),
/// else the newest `.build*/debug/pciplan` or `.build*/release/pciplan` of the package.
enum PCIPlanBinary {
    /// The package root, from this file's path (Tests/PCIPlanTests/Support/Binary.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var url: URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["PCIPLAN_BIN"], !env.isEmpty { return URL(fileURLWithPath: env) }
        for base in [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments.first ?? "")] {
            if let sibling = base?.deletingLastPathComponent().appendingPathComponent("pciplan"),
               fm.isExecutableFile(atPath: sibling.path)
            {
                return sibling
            }
        }
        let dirs = ((try? fm.contentsOfDirectory(atPath: packageRoot.path)) ?? []).filter { $0.hasPrefix(".build") }
        let candidates = dirs.flatMap { d in ["debug", "release"].map { packageRoot.appendingPathComponent("\(d)/\($0)/pciplan") } }
            .filter { fm.isExecutableFile(atPath: $0.path) }
        func modified(_ u: URL) -> Date { ((try? fm.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date) ?? .distantPast }
        return candidates.max { modified($0) < modified($1) }
    }

    /// What one run printed and how it ended.
    struct Result: Sendable {
        var status: Int32
        /// True when the process was killed by a signal (a crash), not exited.
        var crashed: Bool
        var stdout: String
        var stderr: String

        /// The `error:` lines of the text diagnostics on stderr.
        var errorLines: [Substring] { stderr.split(separator: "\n").filter { $0.contains(": error: ") } }
    }

    /// Runs `pciplan args…` in `dir`, feeding `stdin`. Output goes through temporary files, so
    /// no pipe can fill up and block the child however much it prints; `stdout` / `stderr`
    /// send a stream elsewhere instead (e.g. `/dev/full`), and it then reads back as empty.
    /// `environment` adds variables to the test's own.
    static func run(_ args: [String], stdin: Data? = nil, in dir: URL? = nil,
                    stdout: FileHandle? = nil, stderr: FileHandle? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        let bin = try #require(url, "build pciplan first (swift build) or set PCIPLAN_BIN")
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("pciplan-e2e-\(UUID().uuidString)")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: tmp) }
        let outURL = tmp.appendingPathComponent("stdout"), errURL = tmp.appendingPathComponent("stderr")
        let inURL = tmp.appendingPathComponent("stdin")
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        _ = fm.createFile(atPath: inURL.path, contents: stdin ?? Data())
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        if let dir { p.currentDirectoryURL = dir }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        p.standardOutput = stdout ?? out
        p.standardError = stderr ?? err
        p.standardInput = input
        try p.run()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, crashed: p.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A fresh folder for the files one test writes; remove it when done.
    static func scratch() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
