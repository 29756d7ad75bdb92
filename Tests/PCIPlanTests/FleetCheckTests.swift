import Foundation
import Testing

/// `pciplan check` over many files (issue 13): folders, parallel workers, input order, the
/// summary, JSON and SARIF documents and exit codes, end to end on the built binary.
///
/// The unreadable inputs are ones that stay unreadable when the tests run as root (CI does):
/// a dangling symbolic link named `*.xml` and a FIFO named `*.xml` inside a folder (read, it
/// would block the run; found in a folder it is reported instead). `chmod 000` would not do:
/// root reads the file anyway.
@Suite("check over many files, end to end", .serialized)
struct FleetCheckTests {
    static let warning = EndToEndCheckTests.domain("""
            <sound model='ich6'>
              <address type='pci' slot='010'/>
            </sound>
        """)

    /// The fleet folder's files in the order check reports them, with their status.
    static let expected: [(String, String)] = [
        ("fleet/a-clean.xml", "clean"), ("fleet/b-warning.xml", "warnings"), ("fleet/c-error.xml", "errors"),
        ("fleet/d-dangling.xml", "unreadable"), ("fleet/e-fifo.xml", "unreadable"),
        ("fleet/hostile/blob.xml", "errors"), ("fleet/hostile/laughs.xml", "errors"),
    ]

    /// A scratch folder holding `fleet/`: clean, warning, error, unreadable and hostile domains,
    /// a file that is not `*.xml`, and a symbolic link loop.
    static func fleet() throws -> URL {
        let dir = try PCIPlanBinary.scratch()
        let fleet = dir.appendingPathComponent("fleet")
        let fm = FileManager.default
        try fm.createDirectory(at: fleet.appendingPathComponent("hostile"), withIntermediateDirectories: true)
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: fleet.appendingPathComponent(name)) }
        try write("a-clean.xml", Array(EndToEndCheckTests.clean.utf8))
        try write("b-warning.xml", Array(warning.utf8))
        try write("c-error.xml", Array(EndToEndCheckTests.duplicate.utf8))
        try write("notes.txt", Array("not a domain\n".utf8))
        try write("hostile/laughs.xml", Array(EndToEndHostileCheckTests.laughs.utf8))
        try write("hostile/blob.xml", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        try fm.createSymbolicLink(atPath: fleet.appendingPathComponent("d-dangling.xml").path, withDestinationPath: "gone.xml")
        #expect(mkfifo(fleet.appendingPathComponent("e-fifo.xml").path, 0o644) == 0)
        try fm.createSymbolicLink(atPath: fleet.appendingPathComponent("loop").path, withDestinationPath: ".")
        return dir
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a folder: every *.xml in path order, once each despite the link loop; summary on stdout; exit 2 for the unreadable ones")
    func text() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PCIPlanBinary.run(["check", "fleet"], in: dir)
        #expect(!r.crashed && r.status == 2, "\(r.status)\n\(r.stderr)")
        let named = r.stderr.split(separator: "\n").compactMap { line -> String? in
            let l = line.hasPrefix("pciplan: error: ") ? line.dropFirst("pciplan: error: ".count) : line
            return l.split(separator: ":").first.map(String.init)
        }
        var order: [String] = []
        for n in named where order.last != n { order.append(n) }
        #expect(order == Self.expected.filter { $0.1 != "clean" }.map(\.0))
        #expect(r.stderr.contains("pciplan: error: fleet/d-dangling.xml: a symbolic link to a file that does not exist"))
        #expect(r.stderr.contains("pciplan: error: fleet/e-fifo.xml: not a regular file (a FIFO)"))
        #expect(r.stdout.hasPrefix("7 files checked\n"), "\(r.stdout)")
        for row in ["clean               1", "with warnings       1", "with errors         3", "unreadable          2"] {
            #expect(r.stdout.contains(row), "\(row):\n\(r.stdout)")
        }
        #expect(r.stdout.contains("PCI Express domains that cannot take another hot-plug: 0"))
        #expect(r.stdout.contains("input.xml"))
        #expect(!r.stderr.contains("\r") && !r.stderr.contains("\u{1B}"), "a progress bar on a pipe")
    }

    @Test("exit status: 0 clean or warnings, 1 errors, 2 unreadable or usage")
    func exitCodes() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], Int32)] = [
            (["fleet/a-clean.xml", "fleet/b-warning.xml"], 0),
            (["fleet/a-clean.xml", "fleet/c-error.xml"], 1),
            (["fleet/c-error.xml", "fleet/missing.xml"], 2),
            (["fleet/hostile"], 1),
            (["--jobs", "0", "fleet"], 2),
            (["--format", "json", "--diagnostics-format", "text", "fleet"], 2),
            (["-", "-"], 2),
        ]
        for (args, status) in cases {
            let r = try PCIPlanBinary.run(["check"] + args, in: dir)
            #expect(!r.crashed && r.status == status, "check \(args.joined(separator: " ")): \(r.status)\n\(r.stderr)")
        }
    }

    @Test("--format json: one document, files in input order with status and located diagnostics, and the summary")
    func jsonDocument() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PCIPlanBinary.run(["check", "--format", "json", "fleet"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let doc = try Self.json(r.stdout)
        #expect(doc["schema"] as? Int == 1)
        let files = try #require(doc["files"] as? [[String: Any]])
        #expect(files.map { $0["file"] as? String ?? "" } == Self.expected.map(\.0))
        #expect(files.map { $0["status"] as? String ?? "" } == Self.expected.map(\.1))
        for f in files {
            for d in try #require(f["diagnostics"] as? [[String: Any]]) {
                for key in ["id", "severity", "message", "notes", "fixits"] { #expect(d[key] != nil, "\(key) in \(d)") }
                guard let range = d["range"] as? [String: Any] else {
                    #expect(f["status"] as? String == "unreadable", "no range in \(d)")
                    continue
                }
                for end in ["start", "end"] {
                    let p = try #require(range[end] as? [String: Any])
                    #expect(p["offset"] is Int && p["line"] is Int && p["column"] is Int, "\(p)")
                }
            }
        }
        let error = try #require((files[2]["diagnostics"] as? [[String: Any]])?.first)
        let fix = try #require((error["fixits"] as? [[String: Any]])?.first)
        #expect(fix["replacement"] as? String == "" && fix["range"] is [String: Any] && fix["message"] is String)
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["files"] as? Int == 7 && summary["clean"] as? Int == 1 && summary["warnings"] as? Int == 1)
        #expect(summary["errors"] as? Int == 3 && summary["unreadable"] as? Int == 2 && summary["noFreeHotplugPort"] as? Int == 0)
        #expect((summary["diagnostics"] as? [String: Int])?["input.unreadable"] == 2)
    }

    @Test("--format sarif: SARIF 2.1.0 with rules, levels, relative URIs, 1-based regions, related locations and fixes")
    func sarif() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PCIPlanBinary.run(["check", "--format", "sarif", "fleet/c-error.xml", "fleet/b-warning.xml", "fleet/d-dangling.xml"], in: dir)
        #expect(r.status == 2)
        let log = try Self.json(r.stdout)
        #expect(log["version"] as? String == "2.1.0")
        #expect((log["$schema"] as? String)?.contains("sarif-2.1.0") == true)
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let driver = try #require((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "pciplan")
        #expect(driver["version"] is String)
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String ?? "" } == ["address.inUse", "address.octal", "input.unreadable"])
        for rule in rules {
            let text = (rule["shortDescription"] as? [String: Any])?["text"] as? String ?? ""
            #expect(!text.isEmpty && text != rule["id"] as? String)
        }
        let results = try #require(runs[0]["results"] as? [[String: Any]])
        #expect(results.map { $0["ruleId"] as? String ?? "" } == ["address.inUse", "address.octal", "input.unreadable"])
        #expect(results.map { $0["level"] as? String ?? "" } == ["error", "warning", "error"])
        let first = results[0]
        #expect(((first["message"] as? [String: Any])?["text"] as? String)?.contains("both use PCI address 0000:00:05.0") == true)
        let physical = try #require(((first["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "fleet/c-error.xml")
        let region = try #require(physical["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 12 && region["startColumn"] as? Int == 7)
        #expect(region["endLine"] as? Int == 12 && (region["endColumn"] as? Int ?? 0) > 7)
        let related = try #require(first["relatedLocations"] as? [[String: Any]])
        #expect(related.contains { (($0["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])?["startLine"] as? Int == 9 })
        let change = try #require(((first["fixes"] as? [[String: Any]])?.first?["artifactChanges"] as? [[String: Any]])?.first)
        let replacement = try #require((change["replacements"] as? [[String: Any]])?.first)
        #expect((replacement["insertedContent"] as? [String: Any])?["text"] as? String == "")
        #expect((replacement["deletedRegion"] as? [String: Any])?["startLine"] as? Int == 12)
        let unreadable = try #require(((results[2]["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])
        #expect((unreadable["artifactLocation"] as? [String: Any])?["uri"] as? String == "fleet/d-dangling.xml")
    }

    @Test("the same output whatever the number of jobs", arguments: ["text", "json", "sarif"])
    func stableOrder(_ format: String) throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        // More files than jobs, of different sizes, so workers finish out of order.
        let more = dir.appendingPathComponent("fleet/more")
        try FileManager.default.createDirectory(at: more, withIntermediateDirectories: true)
        let q35 = try Data(contentsOf: PCIPlanBinary.packageRoot.appendingPathComponent("Examples/q35-desktop.xml"))
        for i in 0..<24 {
            try (i % 3 == 0 ? q35 : Data((i % 2 == 0 ? EndToEndCheckTests.duplicate : Self.warning).utf8))
                .write(to: more.appendingPathComponent("vm-\(i).xml"))
        }
        let one = try PCIPlanBinary.run(["check", "--format", format, "--jobs", "1", "fleet"], in: dir)
        let four = try PCIPlanBinary.run(["check", "--format", format, "--jobs", "4", "fleet"], in: dir)
        #expect(one.status == 2 && four.status == 2)
        #expect(one.stdout == four.stdout)
        #expect(one.stderr == four.stderr)
        #expect(one.stdout.contains("more/vm-23.xml") || one.stderr.contains("more/vm-23.xml"))
    }

    @Test("a file that crashes pciplan costs only that file: internal.bug, the others checked, exit 1")
    func crashIsolated() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["check", "--format", "json", "fleet/a-clean.xml", "fleet/c-error.xml", "fleet/b-warning.xml"]
        let r = try PCIPlanBinary.run(args, in: dir, environment: ["PCIPLAN_TEST_CRASH": "c-error"])
        #expect(!r.crashed && r.status == 1, "\(r.status)\n\(r.stderr)")
        let files = try #require(try Self.json(r.stdout)["files"] as? [[String: Any]])
        #expect(files.map { $0["status"] as? String ?? "" } == ["clean", "errors", "warnings"])
        let bug = try #require((files[1]["diagnostics"] as? [[String: Any]])?.first)
        #expect(bug["id"] as? String == "internal.bug")
        #expect((bug["message"] as? String)?.contains("Fatal error: PCIPLAN_TEST_CRASH") == true, "\(bug)")
    }

    /// A worker has two inputs in flight: when it dies on the first, the second (already sent
    /// to it) is checked by a new worker, and the crash still costs only the file it was on.
    @Test("a worker that dies with an input queued behind the crash: that input is checked by another worker",
          arguments: ["1", "2"])
    func crashWithQueuedInput(jobs: String) throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = ["a-clean", "c-error", "b-warning", "a-clean", "c-error", "b-warning", "a-clean"]
        let args = ["check", "--format", "json", "--jobs", jobs] + names.map { "fleet/\($0).xml" }
        let r = try PCIPlanBinary.run(args, in: dir, environment: ["PCIPLAN_TEST_CRASH": "c-error"])
        #expect(!r.crashed && r.status == 1, "\(r.status)\n\(r.stderr)")
        let files = try #require(try Self.json(r.stdout)["files"] as? [[String: Any]])
        #expect(files.map { $0["status"] as? String ?? "" } == ["clean", "errors", "warnings", "clean", "errors", "warnings", "clean"])
        for k in [1, 4] {
            let bug = try #require((files[k]["diagnostics"] as? [[String: Any]])?.first)
            #expect(bug["id"] as? String == "internal.bug")
            #expect((bug["message"] as? String)?.contains("Fatal error: PCIPLAN_TEST_CRASH") == true, "\(bug)")
        }
        for k in [0, 2, 3, 5, 6] {
            let ids = (files[k]["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(!ids.contains("internal.bug"), "\(names[k]): \(ids)")
        }
    }

    @Test("an unreadable file whose name holds control characters is named with them escaped")
    func controlCharactersInNames() throws {
        let dir = try PCIPlanBinary.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("vms"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("vms/a\u{1B}[31mred.xml").path, withDestinationPath: "gone")
        // A right-to-left override would show the rest of the line reversed.
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("vms/b\u{202E}lmx.xml").path, withDestinationPath: "gone")
        let r = try PCIPlanBinary.run(["check", "vms"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr == """
            pciplan: error: vms/a\\u{1B}[31mred.xml: a symbolic link to a file that does not exist
            pciplan: error: vms/b\\u{202E}lmx.xml: a symbolic link to a file that does not exist

            """)
    }

    @Test("standard input among files, named <stdin>")
    func stdinAmongFiles() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PCIPlanBinary.run(["check", "--format", "json", "fleet/a-clean.xml", "-"], stdin: Data(EndToEndCheckTests.duplicate.utf8), in: dir)
        #expect(r.status == 1)
        let files = try #require(try Self.json(r.stdout)["files"] as? [[String: Any]])
        #expect(files.map { $0["file"] as? String ?? "" } == ["fleet/a-clean.xml", "<stdin>"])
    }

    /// Runs `pciplan args…` with a terminal as standard output and error (`script` makes one);
    /// nil when `script` is missing.
    static func onTerminal(_ args: [String], in dir: URL) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return nil }
        let bin = try #require(PCIPlanBinary.url)
        let command = ([bin.path] + args).map { "'\($0)'" }.joined(separator: " ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", command, "/dev/null"]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("on a terminal, a progress bar on stderr for several files, erased at the end; none for one file")
    func progressBar() throws {
        let dir = try Self.fleet()
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let many = try Self.onTerminal(["check", "fleet/hostile", "fleet/a-clean.xml"], in: dir),
              let one = try Self.onTerminal(["check", "fleet/a-clean.xml"], in: dir)
        else {
            Issue.record("skipped: /usr/bin/script (util-linux) is needed for a terminal")
            return
        }
        #expect(many.contains("\r\u{1B}[K[") && many.contains("3/3 files"), "\(many.debugDescription)")
        #expect(!one.contains("\u{1B}[K"), "\(one.debugDescription)")
    }

    static let corpus = PCIPlanBinary.packageRoot.appendingPathComponent("../shared/conformance/libvirt-9.0/cases").standardizedFileURL

    @Test("smoke: the conformance corpus folder, on two jobs: every *.xml checked, none unreadable, no internal bug",
          .enabled(if: FileManager.default.fileExists(atPath: corpus.path)))
    func corpusSmoke() throws {
        let r = try PCIPlanBinary.run(["check", "--format", "json", "--jobs", "2", Self.corpus.path])
        #expect(!r.crashed && r.status == 1, "\(r.status): \(r.stderr.prefix(2000))")
        let doc = try Self.json(r.stdout)
        let files = try #require(doc["files"] as? [[String: Any]])
        let all = (FileManager.default.enumerator(atPath: Self.corpus.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".xml") }
        #expect(files.count == all.count && files.count > 500)
        let names = files.compactMap { $0["file"] as? String }
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["unreadable"] as? Int == 0)
        #expect((summary["diagnostics"] as? [String: Int])?["internal.bug"] == nil)
    }
}
