import Foundation
import Testing

/// `pciplan report` opened in a real headless Chromium (Debian's `chromium`; `.ci/run`
/// installs it): the page loads without console errors or policy violations, and a screenshot
/// shows the drawings in their colours. Skipped, and said so, when Chromium is not installed.
@Suite("the HTML report in a real browser", .serialized,
       .enabled(if: Chromium.path != nil, "chromium is not installed (apt-get install chromium)"))
struct ReportBrowserTests {
    static var chromium: String? { Chromium.path }

    /// Runs headless Chromium on `page` with `args`; its stdout and stderr.
    static func browse(_ page: URL, _ args: [String], in dir: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(chromium))
        // A profile of its own per run: a concurrent Chromium must not share one.
        p.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--hide-scrollbars",
                       "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--enable-logging=stderr", "--v=0"] + args + [page.absoluteString]
        let out = dir.appendingPathComponent("chromium.out"), err = dir.appendingPathComponent("chromium.err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let o = try FileHandle(forWritingTo: out), e = try FileHandle(forWritingTo: err)
        defer {
            try? o.close()
            try? e.close()
        }
        p.standardOutput = o
        p.standardError = e
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self),
                String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// A report of the examples and one domain with errors, written into a scratch folder.
    static func report() throws -> (dir: URL, page: URL) {
        let dir = try PCIPlanBinary.scratch()
        let domains = dir.appendingPathComponent("domains")
        try FileManager.default.createDirectory(at: domains, withIntermediateDirectories: true)
        for name in ["q35-desktop.xml", "pc-multifunction.xml", "q35-no-free-port.xml"] {
            try FileManager.default.copyItem(at: PCIPlanBinary.packageRoot.appendingPathComponent("Examples/\(name)"),
                                             to: domains.appendingPathComponent(name))
        }
        try Data(EndToEndCheckTests.duplicate.utf8).write(to: domains.appendingPathComponent("z-<error>.xml"))
        let r = try PCIPlanBinary.run(["report", "domains", "--output", "report.html"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, dir.appendingPathComponent("report.html"))
    }

    /// Console messages, script errors and Content-Security-Policy refusals Chromium logs.
    static func pageErrors(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused to") || $0.contains("Content Security Policy")
                || $0.contains("net::ERR_")
        }
    }

    @Test("the page loads without console errors, and its DOM holds the summary, the domains and their drawings")
    func loads() throws {
        let (dir, page) = try Self.report()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.browse(page, ["--dump-dom"], in: dir)
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(Self.pageErrors(r.stderr).isEmpty, "\(Self.pageErrors(r.stderr))")
        #expect(r.stdout.contains("PCI topology report"))
        #expect(r.stdout.components(separatedBy: "<svg ").count - 1 == 3, "three domains can be planned")
        #expect(r.stdout.contains("domains/z-&lt;error&gt;.xml"))
        #expect(r.stdout.contains("address.inUse"))
    }

    @Test("a screenshot shows the drawings: many colours, and the fills of PCIe, conventional and free slots")
    func screenshot() throws {
        let (dir, page) = try Self.report()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = dir.appendingPathComponent("report.png")
        let r = try Self.browse(page, ["--screenshot=\(shot.path)", "--window-size=1000,2400"], in: dir)
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(Self.pageErrors(r.stderr).isEmpty, "\(Self.pageErrors(r.stderr))")
        let png = try PNGImage(Array(try Data(contentsOf: shot)))
        #expect(png.width == 1000 && png.height == 2400)
        #expect(png.distinctColours() > 50, "a blank or single-colour page")
        // The box fills of SVGRenderer: PCI Express, conventional PCI, free hot-plug slot.
        for (colour, name) in [(0xDBE8FB, "PCI Express"), (0xFDEBC8, "conventional PCI"), (0xE2F5E2, "free slot")] {
            #expect(png.count(colour) > 500, "\(name) boxes are not visible")
        }
    }
}

/// Where headless Chromium is: `$PCIPLAN_CHROMIUM`, else Debian's names.
enum Chromium {
    static var path: String? {
        let env = ProcessInfo.processInfo.environment["PCIPLAN_CHROMIUM"] ?? ""
        return [env, "/usr/bin/chromium", "/usr/bin/chromium-browser"].first { !$0.isEmpty && FileManager.default.isExecutableFile(atPath: $0) }
    }
}
