import Foundation
import Testing

/// The real libvirtd of `../shared/oracle/setup start`, driven with `virsh`, for the
/// `--connect` tests. `answers` is false (and those tests are skipped, visibly) where libvirt is
/// not installed or not running.
enum LibvirtDaemon {
    static let uri = ProcessInfo.processInfo.environment["PCIPLAN_TEST_LIBVIRT_URI"] ?? "qemu:///system"

    /// True when `virsh -c URI uri` succeeds.
    static let answers: Bool = (try? virsh(["uri"]).status) == 0

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `virsh -c URI args…`; output through files, as `PCIPlanBinary.run` does.
    static func virsh(_ args: [String]) throws -> Output {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("pciplan-virsh-\(UUID().uuidString)")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: tmp) }
        let outURL = tmp.appendingPathComponent("stdout"), errURL = tmp.appendingPathComponent("stderr")
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["virsh", "-q", "-c", uri] + args
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return Output(status: p.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// `virsh args…` that must succeed; its stdout.
    @discardableResult
    static func must(_ args: [String]) throws -> String {
        let r = try virsh(args)
        try #require(r.status == 0, "virsh \(args.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }
}

/// A domain defined in the real libvirt under a unique name (`pciplan-test-…`), for one test.
/// Call `remove()` in a `defer`: it destroys (if running) and undefines it.
struct ScratchDomain {
    let name: String
    /// A folder for the test's files, removed with the domain.
    let dir: URL

    /// Defines `xml`, whose `<name>` is replaced by the unique name.
    init(_ xml: String) throws {
        name = "pciplan-test-\(UUID().uuidString.prefix(8).lowercased())"
        dir = try PCIPlanBinary.scratch()
        let text = xml.replacingOccurrences(of: "<name>NAME</name>", with: "<name>\(name)</name>")
        let file = dir.appendingPathComponent("define.xml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try LibvirtDaemon.must(["define", file.path])
    }

    /// Writes `text` into the scratch folder; its path.
    func write(_ file: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(file)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// `virsh dumpxml [--inactive]` into the scratch folder; its path.
    func dump(_ file: String, inactive: Bool) throws -> String {
        try write(file, try LibvirtDaemon.must(["dumpxml"] + (inactive ? ["--inactive"] : []) + [name]))
    }

    func remove() {
        _ = try? LibvirtDaemon.virsh(["destroy", name])
        _ = try? LibvirtDaemon.virsh(["undefine", name])
        try? FileManager.default.removeItem(at: dir)
    }
}
