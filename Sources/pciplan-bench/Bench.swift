import CLibXML2
import Foundation
import PCIPlan

/// `swift run -c release pciplan-bench [options]`: states pciplan's speed as ratios against
/// floors measured in the same run, on the same generated domains (20, 400, 4,000 devices;
/// pc and q35):
///
/// - in-process pciplan (read → plan → XML write-back) per domain and per MB, against the bare
///   libxml2 SAX2 parse of the same bytes (empty callbacks, the reader's parser options);
/// - the whole `pciplan plan FILE` process against `xmllint --noout FILE`, and its peak RSS;
/// - libvirt's define+dumpxml+undefine cycle (`../shared/oracle/bench-define`) when it answers;
/// - batch `pciplan check DIR` over a directory of small domains against libvirt's define rate
///   on some of the same files, the two measured in alternation.
///
/// Every pair compared (in-process and SAX floor, `pciplan plan` and `xmllint`, batch and
/// libvirt) is measured in alternation, and a goal compares the median of the per-pair ratios:
/// on a shared machine whose speed drifts, both sides of a ratio see the same drift.
///
/// Options: `--reps N` in-process samples (15; with 7, a 400-device median moved 3.9-5.3×
/// from run to run), `--runs N` process runs (5), `--files N` batch size (300), `--define-n N`
/// libvirt cycles (3), `--no-libvirt`, `--callgrind` (instruction counts of `pciplan plan` vs
/// `xmllint` under valgrind, stable on a loaded machine), `--oracle DIR`, `--stages` (time of
/// each stage on large pc domains), `--loop MACHINE DEVICES TIMES` (only the in-process
/// pipeline, over and over, for a profiler).
@main
struct Bench {
    // MARK: Generated domains

    static func domain(machine: String, disks: Int, nics: Int, name: String = "pciplan-bench") -> String {
        var s = "<domain type='kvm'>\n  <name>\(name)</name>\n  <memory unit='GiB'>4</memory>\n"
        s += "  <os>\n    <type arch='x86_64' machine='\(machine)'>hvm</type>\n  </os>\n  <devices>\n"
        let large = disks + nics > 200
        // Large pc guests declare their bridges: libvirt 9.0's own growth gives up after
        // a few dozen (its dry run keeps no slot for the next bridge).
        if machine == "pc" && large {
            s += "    <controller type='pci' index='0' model='pci-root'/>\n"
            for b in 1...((disks + nics) / 29 + 2) { s += "    <controller type='pci' index='\(b)' model='pci-bridge'/>\n" }
        }
        // Large q35 guests cannot give every device its own pcie-root-port (256 buses): they
        // use transitional (conventional PCI) virtio devices on declared pci-bridges.
        let transitional = machine == "q35" && large
        if transitional {
            s += "    <controller type='pci' index='0' model='pcie-root'/>\n"
            s += "    <controller type='pci' index='1' model='dmi-to-pci-bridge'/>\n"
            for b in 2...((disks + nics) / 29 + 4) { s += "    <controller type='pci' index='\(b)' model='pci-bridge'/>\n" }
        }
        let model = transitional ? " model='virtio-transitional'" : ""
        for i in 0..<disks {
            s += "    <disk type='file' device='disk'\(model)>\n      <source file='/img/\(i).qcow2'/>\n"
            s += "      <target dev='vd\(diskName(i))' bus='virtio'/>\n    </disk>\n"
        }
        for i in 0..<nics {
            s += "    <interface type='user'>\n      <mac address='52:54:00:00:\(String(format: "%02x:%02x", i / 256, i % 256))'/>\n"
            let nicModel = transitional ? "virtio-transitional" : (i % 3 == 0 ? "e1000" : "virtio")
            s += "      <model type='\(nicModel)'/>\n    </interface>\n"
        }
        return s + "  </devices>\n</domain>\n"
    }

    static func diskName(_ i: Int) -> String {
        var n = i + 1
        var s = ""
        while n > 0 {
            n -= 1
            s = String(UnicodeScalar(UInt8(97 + n % 26))) + s
            n /= 26
        }
        return s
    }

    struct Case {
        var machine: String
        var devices: Int
        var bytes: [UInt8]
        var path = ""
        var accepted = true
        var rejection = ""
    }

    /// A domain of about `wanted` devices (4 disks to 1 NIC) that libvirt 9.0 accepts: it rejects
    /// some counts (no slot left for the next bridge), so step to the next count it accepts.
    static func makeCase(_ machine: String, _ wanted: Int, name: String) -> Case {
        let nics = max(1, wanted / 5)
        var disks = wanted - nics
        func text(_ d: Int) -> String { domain(machine: machine, disks: d, nics: nics, name: name) }
        while disks < wanted - nics + 8, Pipeline.plan(SourceFile(name: "b", text: text(disks))).planned == nil { disks += 1 }
        let bytes = Array(text(disks).utf8)
        var c = Case(machine: machine, devices: disks + nics, bytes: bytes)
        let outcome = Pipeline.plan(SourceFile(name: "b", bytes: bytes))
        if outcome.planned == nil {
            c.accepted = false
            c.rejection = outcome.diagnostics.first(where: { $0.severity == .error })?.message ?? "rejected"
        }
        return c
    }

    // MARK: Timing

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func time<T>(_ f: () -> T) -> (T, Double) {
        let t0 = now()
        let r = f()
        return (r, Double(now() - t0) / 1e6)
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Minor page faults of this process so far (touching a page the kernel must first map).
    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// Two bodies measured in alternation (a, b, a, b, …), `reps` samples each: on a shared
    /// machine whose speed drifts, both see the same drift. Returns the medians of both, the
    /// median of the per-sample ratios a/b, which is what the goals compare, and the minor page
    /// faults per run of each (counted outside the timed stretches).
    static func measurePair(reps: Int, _ a: () -> Int, _ b: () -> Int)
        -> (a: Double, b: Double, ratio: Double, faultsA: Double, faultsB: Double)
    {
        func iterations(_ body: () -> Int) -> Int {
            var k = 1
            var sink = 0
            while true {
                let t0 = now()
                for _ in 0..<k { sink &+= body() }
                let ms = Double(now() - t0) / 1e6
                if ms >= 10 || k >= 1 << 20 { return sink == 42_424_242 ? k + 1 : k }
                k *= ms < 1 ? 8 : 2
            }
        }
        let ka = iterations(a), kb = iterations(b)
        var sa: [Double] = [], sb: [Double] = [], ratios: [Double] = []
        var sink = 0
        var faultsA = 0, faultsB = 0
        for _ in 0..<reps {
            var f0 = minorFaults()
            var t0 = now()
            for _ in 0..<ka { sink &+= a() }
            let ta = Double(now() - t0) / 1e6 / Double(ka)
            faultsA += minorFaults() - f0
            f0 = minorFaults()
            t0 = now()
            for _ in 0..<kb { sink &+= b() }
            let tb = Double(now() - t0) / 1e6 / Double(kb)
            faultsB += minorFaults() - f0
            sa.append(ta)
            sb.append(tb)
            ratios.append(ta / tb)
        }
        if sink == 42_424_242 { print("") }
        return (median(sa), median(sb), median(ratios),
                Double(faultsA) / Double(reps * ka), Double(faultsB) / Double(reps * kb))
    }

    // MARK: In process

    /// pciplan in-process: bytes → read → plan → XML write-back, with the options
    /// `pciplan plan FILE` uses (XML out: no planner sentences, `PlanOptions.explanations`, and
    /// no device names, `PlanOptions.aliases`).
    static func pciplanOnce(_ bytes: [UInt8]) -> Int {
        var options = PlanOptions()
        options.explanations = false
        options.aliases = false
        let outcome = Pipeline.plan(SourceFile(name: "bench.xml", bytes: bytes), options: options)
        guard let planned = outcome.planned else { return 0 }
        return XMLWriter.render(planned).count
    }

    /// The floor: a libxml2 SAX2 parse of the same bytes with empty callbacks and the parser
    /// options `SAXTreeBuilder` uses (NONET | IGNORE_ENC, no entity substitution, no DTD load).
    static func saxFloorOnce(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self),
                  let ctxt = xmlCreateMemoryParserCtxt(base, Int32(raw.count)),
                  let sax = ctxt.pointee.sax
            else { return -1 }
            defer { xmlFreeParserCtxt(ctxt) }
            var h = xmlSAXHandler()
            h.initialized = UInt32(XML_SAX2_MAGIC)
            h.startElementNs = { _, _, _, _, _, _, _, _, _ in }
            h.endElementNs = { _, _, _, _ in }
            h.characters = { _, _, _ in }
            h.ignorableWhitespace = h.characters
            h.serror = { _, _ in }
            sax.pointee = h
            xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue))
            ctxt.pointee.replaceEntities = 0
            ctxt.pointee.loadsubset = 0
            ctxt.pointee.validate = 0
            let status = xmlParseDocument(ctxt)
            return status == 0 && ctxt.pointee.wellFormed != 0 ? 1 : 0
        }
    }

    /// The in-process pipeline on `bytes`, `times` times over; with `--floor` the bare SAX
    /// parse of the same bytes instead (its instruction count), with `--check`
    /// `Pipeline.check` (a batch check worker's work per file).
    static func loop(_ bytes: [UInt8], times: Int, label: String) {
        let args = CommandLine.arguments
        var sink = 0
        if args.contains("--floor") {
            xmlInitParser()
            for _ in 0..<times { sink &+= saxFloorOnce(bytes) }
            print("\(label), \(times) SAX parses: \(sink) well-formed")
        } else if args.contains("--check") {
            for _ in 0..<times { sink &+= Pipeline.check(SourceFile(name: "bench.xml", bytes: bytes)).count }
            print("\(label), \(times) checks: \(sink) findings")
        } else {
            for _ in 0..<times { sink &+= pciplanOnce(bytes) }
            print("\(label), \(times) plans: \(sink) bytes written")
        }
    }

    // MARK: Processes

    struct Run {
        var ms: Double
        var maxRSSKB: Int
        var status: Int32
    }

    /// Spawns `argv` (stdout and stderr to /dev/null), waits with wait4 for its rusage.
    static func spawn(_ argv: [String]) -> Run? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let t0 = now()
        guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv) == 0 else { return nil }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { return nil }
        let ms = Double(now() - t0) / 1e6
        return Run(ms: ms, maxRSSKB: Int(usage.ru_maxrss), status: (status >> 8) & 0xff)
    }

    /// Median time of `runs` runs (one warm-up run first) and the peak RSS of one more run.
    ///
    /// The RSS comes from GNU time (`/usr/bin/time -f %M`), not from our own wait4: glibc's
    /// posix_spawn uses vfork, and Linux carries the spawning process's high-water mark across
    /// execve, so wait4 would report the bench's own RSS for every child.
    static func runMedian(_ argv: [String], runs: Int) -> (ms: Double, rssKB: Int?, status: Int32)? {
        _ = spawn(argv)
        var rs: [Run] = []
        for _ in 0..<runs {
            guard let r = spawn(argv) else { return nil }
            rs.append(r)
        }
        return (median(rs.map(\.ms)), peakRSS(argv), rs.last?.status ?? -1)
    }

    /// Two commands run in alternation, `runs` times each (after one warm-up run of each):
    /// medians of both, the median of the per-pair ratios a/b, and `a`'s exit status.
    static func runPairMedian(_ a: [String], _ b: [String], runs: Int) -> (a: Double, b: Double, ratio: Double, status: Int32)? {
        _ = spawn(a)
        _ = spawn(b)
        var ta: [Double] = [], tb: [Double] = [], ratios: [Double] = []
        var status: Int32 = -1
        for _ in 0..<runs {
            guard let ra = spawn(a), let rb = spawn(b) else { return nil }
            ta.append(ra.ms)
            tb.append(rb.ms)
            ratios.append(ra.ms / rb.ms)
            status = ra.status
        }
        return (median(ta), median(tb), median(ratios), status)
    }

    /// Peak RSS (KB) of one run of `argv`, from GNU time (see `runMedian`).
    static func peakRSS(_ argv: [String]) -> Int? {
        let gnuTime = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: gnuTime) else { return nil }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-bench-rss-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        guard spawn([gnuTime, "-f", "%M", "-o", out] + argv) != nil,
              let text = try? String(contentsOfFile: out, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Standard output (and optionally standard error) of a command, for the slow tools.
    static func capture(_ argv: [String], stderr wantStderr: Bool = false) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe()
        if wantStderr {
            p.standardError = out
            p.standardOutput = FileHandle.nullDevice
        } else {
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
        }
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Instructions executed by `argv` under callgrind ("Collected : N").
    static func instructions(_ argv: [String], valgrind: String) -> Int? {
        guard let err = capture([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv, stderr: true),
              let line = err.split(separator: "\n").first(where: { $0.contains("Collected :") }),
              let n = line.split(separator: " ").last.flatMap({ Int($0) })
        else { return nil }
        return n
    }

    // MARK: Stages

    /// Time of each pipeline stage on the largest case (to find what grows faster than linear).
    static func stages(_ text: String) {
        let file = SourceFile(name: "bench.xml", text: text)
        let (root, tRead) = time { try? XMLReader.parse(file) }
        guard let root else { return }
        let ((def, _), tModel) = time { DomainReader.read(file, root: root) }
        guard let def else { return }
        let ((n, _), tDefine) = time { Define.normalize(def) }
        let (_, tCheck) = time { Checker.preflight(n) }
        let ((planned, _), tPlan) = time { Planner.plan(n) }
        guard let planned else { return }
        let (_, tWrite) = time { XMLWriter.render(planned) }
        print(String(format: "  stages (ms): read %.1f  model %.1f  define %.1f  preflight %.1f  plan %.1f  write %.1f",
                     tRead, tModel, tDefine, tCheck, tPlan, tWrite))
    }

    /// The batch's domain number `i`: pc and q35 in turn, 16–20 devices.
    static func batchDomain(_ i: Int, prefix: String = "pciplan-bench") -> String {
        domain(machine: i % 2 == 0 ? "pc" : "q35", disks: 12 + i % 5, nics: 4, name: "\(prefix)-b\(i)")
    }

    // MARK: Main

    static func option(_ name: String, _ fallback: Int) -> Int {
        let args = CommandLine.arguments
        guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { return fallback }
        return v
    }

    static func stringOption(_ name: String) -> String? {
        let args = CommandLine.arguments
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    static func f(_ format: String, _ args: CVarArg...) -> String { String(format: format, arguments: args) }

    static func main() {
        let args = CommandLine.arguments
        if args.contains("--help") || args.contains("-h") {
            print("usage: pciplan-bench [--reps N] [--runs N] [--files N] [--define-n N] [--no-libvirt] [--callgrind] [--oracle DIR] [--stages] [--loop MACHINE DEVICES TIMES [--floor|--check]] [--loop-file PATH TIMES [--floor|--check]] [--write-batch DIR]")
            return
        }
        if let dir = stringOption("--write-batch") {
            // The batch's files (--files N of them) written to DIR, to profile `pciplan check DIR`.
            let n = option("--files", 300)
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for i in 0..<n where !FileManager.default.createFile(atPath: "\(dir)/d\(i).xml", contents: Data(batchDomain(i).utf8)) {
                FileHandle.standardError.write(Data("pciplan-bench: cannot write \(dir)/d\(i).xml\n".utf8))
                exit(2)
            }
            print("\(n) domains written to \(dir)")
            return
        }
        // For a profiler (perf record, valgrind --tool=callgrind): only the in-process pipeline,
        // `times` times over, on one generated domain (`--loop`) or a domain from a file
        // (`--loop-file`, a stored definition, addresses and all).
        if let i = args.firstIndex(of: "--loop-file"), i + 2 < args.count, let times = Int(args[i + 2]) {
            guard let data = FileManager.default.contents(atPath: args[i + 1]) else {
                FileHandle.standardError.write(Data("pciplan-bench: cannot read \(args[i + 1])\n".utf8))
                exit(2)
            }
            loop([UInt8](data), times: times, label: args[i + 1])
            return
        }
        if let i = args.firstIndex(of: "--loop"), i + 3 < args.count, let n = Int(args[i + 2]), let times = Int(args[i + 3]) {
            let c = makeCase(args[i + 1], n, name: "pciplan-bench")
            loop(c.bytes, times: times, label: "\(c.machine) \(c.devices) devices")
            return
        }
        if args.contains("--stages") {
            for n in [1000, 2000, 5000] { stages(domain(machine: "pc", disks: n, nics: n / 5)) }
            return
        }
        let reps = option("--reps", 15), runs = option("--runs", 5), batchFiles = option("--files", 300)
        let defineN = option("--define-n", 3)
        xmlInitParser()

        let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() ?? URL(fileURLWithPath: args[0])
        let binDir = exe.deletingLastPathComponent()
        let pciplan = binDir.appendingPathComponent("pciplan").path
        let havePciplan = FileManager.default.isExecutableFile(atPath: pciplan)
        let xmllint = which("xmllint")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pciplan-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Unique names: bench-define defines and undefines the domain by its name.
        let domainName = "pciplan-bench-\(getpid())"

        var cases: [Case] = []
        for n in [20, 400, 4000] {
            for m in ["pc", "q35"] {
                var c = makeCase(m, n, name: domainName)
                c.path = dir.appendingPathComponent("\(m)-\(n)dev.xml").path
                _ = FileManager.default.createFile(atPath: c.path, contents: Data(c.bytes))
                cases.append(c)
            }
        }

        print("pciplan-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, libxml2 \(LIBXML_DOTTED_VERSION); in-process: \(reps) samples and processes: \(runs) runs, each pair in alternation (ratios: median of the per-pair ratios)")
        print("")
        print("machine devices    bytes | in-process  ms/MB | SAX floor  ×floor | pciplan plan  xmllint  ×xmllint | RSS pciplan  xmllint")
        print("                         |    ms/plan        |   ms/parse        |   ms/process       ms           |          MB       MB")
        var floorRatios: [(Int, Double)] = []
        var smallProcessRatios: [Double] = []
        var process20: [Double] = []
        var inProcess20: [Double] = []
        var faultNotes: [String] = []
        for c in cases {
            // Each pair in alternation, the ratio the median of per-sample ratios.
            let (inProc, floor, ratio, faults, floorFaults) = measurePair(reps: reps, { pciplanOnce(c.bytes) }, { saxFloorOnce(c.bytes) })
            faultNotes.append(f("%@ %d %.0f (%.0f)", c.machine as NSString, c.devices, faults, floorFaults))
            let mb = Double(c.bytes.count) / 1e6
            floorRatios.append((c.devices, ratio))
            var line = f("%-7@ %7d %8d | %10.3f %6.1f | %9.4f %6.1f× |", c.machine as NSString, c.devices, c.bytes.count,
                         inProc, inProc / mb, floor, ratio)
            let plan = [pciplan, "plan", c.path]
            var procMs: Double?
            if havePciplan, let xmllint, let pair = runPairMedian(plan, [xmllint, "--noout", c.path], runs: runs) {
                procMs = pair.a
                line += f(" %12.1f%@ %8.1f %8.1f× |", pair.a, (pair.status != 0 ? "!" : "") as NSString, pair.b, pair.ratio)
                if c.devices <= 20 { smallProcessRatios.append(pair.ratio) }
            } else if havePciplan, let proc = runMedian(plan, runs: runs) {
                procMs = proc.ms
                line += f(" %12.1f%@      n/a       n/a |", proc.ms, (proc.status != 0 ? "!" : "") as NSString)
            } else {
                line += "          n/a      n/a       n/a |"
            }
            func megabytes(_ kb: Int?) -> NSString { (kb.map { f("%.1f", Double($0) / 1024) } ?? "n/a") as NSString }
            line += f(" %11@ %8@", megabytes(havePciplan ? peakRSS(plan) : nil), megabytes(xmllint.flatMap { peakRSS([$0, "--noout", c.path]) }))
            if !c.accepted { line += "  (rejected: \(c.rejection))" }
            if c.devices <= 20, let procMs { process20.append(procMs) }
            if c.devices <= 20 { inProcess20.append(inProc) }
            print(line)
        }
        // What the heap costs in process: glibc gives freed memory at the top of the heap back to
        // the kernel, and a plan that needs it again faults its pages in afresh.
        print("page faults per in-process plan (per floor parse): " + faultNotes.joined(separator: ", "))
        if !havePciplan { print("note: \(pciplan) not built: `swift build -c release` builds it next to the bench") }
        if xmllint == nil { print("note: xmllint not installed (Debian: libxml2-utils): process floor skipped") }

        // Batch check over a directory of 16-20-device domains, and libvirt's define + dumpxml +
        // undefine cycle on some of the same files, measured in alternation (round by round) so
        // that both see the same load; the goal compares the median of the per-round ratios.
        var batchRate: Double?
        var libvirtRate: Double?
        var batchRatio: Double?
        var files: [String] = []
        let batchDir = dir.appendingPathComponent("batch")
        if havePciplan {
            try? FileManager.default.createDirectory(at: batchDir, withIntermediateDirectories: true)
            for i in 0..<batchFiles {
                let text = batchDomain(i, prefix: domainName)
                let path = batchDir.appendingPathComponent("d\(i).xml").path
                _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
                files.append(path)
            }
        }
        var oracle: String?
        var libvirtNote = "libvirt: skipped (--no-libvirt)"
        if !args.contains("--no-libvirt") {
            var oracleCandidates: [String] = [FileManager.default.currentDirectoryPath + "/../shared/oracle",
                                              binDir.appendingPathComponent("../../../shared/oracle").standardized.path]
            if let given = stringOption("--oracle") { oracleCandidates.insert(given, at: 0) }
            if let found = oracleCandidates.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/bench-define") }) {
                if (capture([found + "/setup", "status"]) ?? "").contains("answering") {
                    oracle = found
                } else {
                    libvirtNote = "libvirt: skipped (\(found)/setup status: libvirt not answering)"
                }
            } else {
                libvirtNote = "libvirt: skipped (no ../shared/oracle/bench-define)"
            }
        }
        // libvirt defines the first files of the batch (pc and q35 alike).
        let sample = Array(files.prefix(4))
        func libvirtRates() -> (session: Double, procs: Double)? {
            guard let oracle, !sample.isEmpty else { return nil }
            let out = capture([oracle + "/bench-define", "-n", "\(defineN)"] + sample) ?? ""
            var session: [Double] = [], procs: [Double] = []
            for l in out.split(separator: "\n") {
                let w = l.split(separator: " ")
                guard w.count == 5, let cps = Double(w[4]) else { continue }
                if w[1] == "session" { session.append(cps) }
                if w[1] == "procs" { procs.append(cps) }
            }
            guard !session.isEmpty else { return nil }
            return (median(session), procs.isEmpty ? .nan : median(procs))
        }
        if havePciplan {
            let check = [pciplan, "check", batchDir.path]
            _ = spawn(check)
            var ms: [Double] = [], rates: [Double] = [], procRates: [Double] = [], ratios: [Double] = []
            var status: Int32 = -1
            // A round times five batch runs (their mean: libvirt's rate is the mean of its
            // dozen cycles too), then libvirt; one 40 ms run alone moved by a third with the load.
            rounds: for _ in 0..<max(3, runs / 3) {
                var total = 0.0
                for _ in 0..<5 {
                    guard let r = spawn(check) else { break rounds }
                    total += r.ms
                    status = r.status
                }
                let mean = total / 5
                ms.append(mean)
                if let l = libvirtRates() {
                    rates.append(l.session)
                    procRates.append(l.procs)
                    ratios.append(Double(batchFiles) / (mean / 1000) / l.session)
                }
            }
            if !ms.isEmpty {
                let m = median(ms)
                batchRate = Double(batchFiles) / (m / 1000)
                print("")
                print(f("batch:    pciplan check DIR, %d files of 16-20 devices in one process: %.1f ms  = %.0f files/s  (RSS %.1f MB, exit %d)",
                        batchFiles, m, batchRate!, Double(peakRSS(check) ?? 0) / 1024, status))
            }
            if !rates.isEmpty {
                let l = median(rates)
                libvirtRate = l
                batchRatio = median(ratios)
                libvirtNote = f("libvirt:  define+dumpxml+undefine on %d of the batch files (bench-define -n %d), in alternation with the batch: %.1f cycles/s in one virsh session (%.1f ms each), %.1f/s as 3 virsh processes",
                                sample.count, defineN, l, 1000 / l, median(procRates))
                if let p20 = process20.isEmpty ? nil : median(process20) {
                    libvirtNote += f("\n          one libvirt cycle / whole pciplan plan process (%.1f ms): %.1f×", p20, (1000 / l) / p20)
                }
                if let i20 = inProcess20.isEmpty ? nil : median(inProcess20) {
                    libvirtNote += f("\n          one libvirt cycle / pciplan in-process plan (%.2f ms): %.0f×", i20, (1000 / l) / i20)
                }
            } else if oracle != nil {
                libvirtNote = "libvirt: bench-define printed no rates"
            }
        }
        print(libvirtNote)

        if args.contains("--callgrind") {
            if let valgrind = which("valgrind"), havePciplan, let xmllint {
                print("")
                print("callgrind instructions (stable under load):")
                for c in cases where c.devices <= 400 {
                    if let a = instructions([pciplan, "plan", c.path], valgrind: valgrind),
                       let b = instructions([xmllint, "--noout", c.path], valgrind: valgrind) {
                        print(f("  %-4@ %4d devices: pciplan plan %.1f M, xmllint --noout %.1f M, ratio %.1f×",
                                c.machine as NSString, c.devices, Double(a) / 1e6, Double(b) / 1e6, Double(a) / Double(b)))
                    }
                }
            } else {
                print("callgrind: needs valgrind, xmllint and the release pciplan")
            }
        }

        // Goals.
        print("")
        // The issue sets the goal on domains of 400 and 4,000 devices; 20 is shown, not judged
        // (at that size fixed costs, not the per-device pipeline, dominate).
        let worstFloor = floorRatios.filter { $0.0 >= 400 }.map(\.1).max() ?? .nan
        let bySize = Dictionary(grouping: floorRatios, by: \.0).sorted { $0.key < $1.key }
            .map { f("%d dev %.1f×", $0.key, $0.value.map(\.1).max() ?? .nan) }.joined(separator: ", ")
        print(f("goal in-process ≤ 5× SAX floor (400, 4000): %@ (worst %.1f×; %@)", (worstFloor <= 5 ? "met" : "NOT met") as NSString,
                worstFloor, bySize as NSString))
        if let r = smallProcessRatios.max() {
            print(f("goal process ≤ 2× xmllint at 20 devices:   %@ (%.1f×)", (r <= 2 ? "met" : "NOT met") as NSString, r))
        } else {
            print("goal process ≤ 2× xmllint at 20 devices:   not measured (no xmllint or no pciplan binary)")
        }
        if let b = batchRate, let l = libvirtRate, let r = batchRatio {
            print(f("goal batch check ≥ 100× libvirt define:    %@ (%.0f×, median of the rounds' ratios: %.0f files/s vs %.1f cycles/s)",
                    (r >= 100 ? "met" : "NOT met") as NSString, r, b, l))
        } else {
            print("goal batch check ≥ 100× libvirt define:    not measured (libvirt or pciplan binary unavailable)")
        }
    }
}
