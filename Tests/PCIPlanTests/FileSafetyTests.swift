import Foundation
import Testing

/// What `plan --in-place` and `plan --output` do to the files they write: links are followed,
/// FIFOs and devices are written into, owner, group and mode are kept, hard links are refused,
/// and temporary files a killed run left behind are cleaned up.
@Suite("plan --in-place and --output leave files intact, end to end")
struct FileSafetyTests {
    static let example = PCIPlanBinary.packageRoot.appendingPathComponent("Examples/q35-desktop.xml")
    static let fm = FileManager.default

    /// A scratch folder holding `vm.xml` (the example) and what `pciplan plan vm.xml` prints.
    static func setUp() throws -> (dir: URL, input: URL, planned: String) {
        let dir = try PCIPlanBinary.scratch()
        let input = dir.appendingPathComponent("vm.xml")
        try fm.copyItem(at: example, to: input)
        let r = try PCIPlanBinary.run(["plan", input.path])
        try #require(r.status == 0)
        return (dir, input, r.stdout)
    }

    static func status(_ url: URL) -> stat? {
        var st = stat()
        return lstat(url.path, &st) == 0 ? st : nil
    }

    static func isSymlink(_ url: URL) -> Bool { status(url).map { $0.st_mode & S_IFMT == S_IFLNK } ?? false }

    static func contents(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static func dotFiles(_ dir: URL) throws -> [String] { try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") } }

    @Test("--in-place on a symlink plans the file it points to and keeps the link")
    func inPlaceSymlink() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        chmod(input.path, 0o640)
        let link = dir.appendingPathComponent("link.xml")
        try Self.fm.createSymbolicLink(atPath: link.path, withDestinationPath: "vm.xml")
        let original = try Self.contents(input)
        let r = try PCIPlanBinary.run(["plan", "--in-place", link.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.isSymlink(link), "the link was replaced by a file")
        #expect(try Self.fm.destinationOfSymbolicLink(atPath: link.path) == "vm.xml")
        #expect(try Self.contents(input) == planned && planned != original)
        #expect(Self.status(input).map { $0.st_mode & 0o7777 } == 0o640, "the mode changed")
        #expect(try Self.dotFiles(dir).isEmpty)
    }

    @Test("--output through a chain of relative symlinks replaces the final file, links stay")
    func outputSymlinkChain() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let sub = dir.appendingPathComponent("sub")
        try Self.fm.createDirectory(at: sub, withIntermediateDirectories: true)
        let target = sub.appendingPathComponent("out.xml")
        try "old\n".write(to: target, atomically: false, encoding: .utf8)
        chmod(target.path, 0o600)
        try Self.fm.createSymbolicLink(atPath: dir.appendingPathComponent("b").path, withDestinationPath: "sub/out.xml")
        try Self.fm.createSymbolicLink(atPath: dir.appendingPathComponent("a").path, withDestinationPath: "b")
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", dir.appendingPathComponent("a").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.isSymlink(dir.appendingPathComponent("a")) && Self.isSymlink(dir.appendingPathComponent("b")))
        #expect(try Self.contents(target) == planned)
        #expect(Self.status(target).map { $0.st_mode & 0o7777 } == 0o600, "the mode changed")
    }

    @Test("--output onto a dangling symlink creates the file it names, like a shell redirect")
    func outputDanglingSymlink() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let link = dir.appendingPathComponent("link.xml")
        try Self.fm.createSymbolicLink(atPath: link.path, withDestinationPath: "new.xml")
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", link.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.isSymlink(link))
        #expect(try Self.contents(dir.appendingPathComponent("new.xml")) == planned)
    }

    @Test("a symlink loop is an error, and nothing is written")
    func symlinkLoop() throws {
        let (dir, input, _) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        try Self.fm.createSymbolicLink(atPath: dir.appendingPathComponent("a").path, withDestinationPath: "b")
        try Self.fm.createSymbolicLink(atPath: dir.appendingPathComponent("b").path, withDestinationPath: "a")
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", dir.appendingPathComponent("a").path])
        #expect(!r.crashed && r.status == 2)
        #expect(r.errorLines.count == 1 && r.stderr.hasPrefix("pciplan: error: "), "\(r.stderr)")
        #expect(Self.isSymlink(dir.appendingPathComponent("a")) && Self.isSymlink(dir.appendingPathComponent("b")))
    }

    @Test("--output onto a FIFO writes into it, and it stays a FIFO")
    func outputFIFO() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        let received = dir.appendingPathComponent("received")
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat fifo > received"]
        reader.currentDirectoryURL = dir
        try reader.run()
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", fifo.path])
        reader.waitUntilExit()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.status(fifo).map { $0.st_mode & S_IFMT == S_IFIFO } == true, "the FIFO was replaced")
        #expect(try Self.contents(received) == planned)
    }

    @Test("--output onto a character device writes into it, and the node stays")
    func outputCharacterDevice() throws {
        let (dir, input, _) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        // A private copy of /dev/null, so the test never risks the real one.
        let device = try #require(Self.status(URL(fileURLWithPath: "/dev/null"))).st_rdev
        let null = dir.appendingPathComponent("null")
        guard mknod(null.path, S_IFCHR | 0o666, device) == 0 else {
            print("skipped: mknod needs root (CAP_MKNOD)")
            return
        }
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", null.path])
        #expect(r.status == 0, "\(r.stderr)")
        let st = try #require(Self.status(null))
        #expect(st.st_mode & S_IFMT == S_IFCHR, "the device node was replaced")
        #expect(st.st_rdev == device)
        #expect(try Self.dotFiles(dir).isEmpty)
    }

    @Test("--output /dev/stdout writes into the pipe behind it (a /proc link that names no file)")
    func outputDevStdout() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let pipe = Pipe()
        let r = try PCIPlanBinary.run(["plan", input.path, "--output", "/dev/stdout"], stdout: pipe.fileHandleForWriting)
        try pipe.fileHandleForWriting.close()
        let received = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(received == planned)
    }

    @Test("--in-place keeps owner, group and mode")
    func ownerGroupMode() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let asRoot = getuid() == 0
        if asRoot { try #require(chown(input.path, 12345, 12345) == 0) }
        let before = try #require(Self.status(input))
        chmod(input.path, 0o640)
        let r = try PCIPlanBinary.run(["plan", "--in-place", input.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.contents(input) == planned)
        let after = try #require(Self.status(input))
        #expect(after.st_uid == before.st_uid && after.st_gid == before.st_gid, "owner \(after.st_uid):\(after.st_gid)")
        if asRoot { #expect(after.st_uid == 12345 && after.st_gid == 12345) }
        #expect(after.st_mode & 0o7777 == 0o640)
    }

    @Test("a new --output file gets 0666 less the umask, never more")
    func newFileMode() throws {
        let (dir, _, _) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let bin = try #require(PCIPlanBinary.url)
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", "umask 027; exec \"$0\" plan vm.xml --output new.xml", bin.path]
        sh.currentDirectoryURL = dir
        try sh.run()
        sh.waitUntilExit()
        #expect(sh.terminationStatus == 0)
        #expect(Self.status(dir.appendingPathComponent("new.xml")).map { $0.st_mode & 0o7777 } == 0o640)
    }

    @Test("a file with several hard links is refused, and left as it was")
    func hardLinks() throws {
        let (dir, input, _) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let other = dir.appendingPathComponent("other.xml")
        try #require(link(input.path, other.path) == 0)
        let original = try Self.contents(input)
        for args in [["plan", "--in-place", input.path], ["plan", Self.example.path, "--output", other.path]] {
            let r = try PCIPlanBinary.run(args)
            #expect(!r.crashed && r.status == 2, "\(args)")
            #expect(r.errorLines.count == 1 && r.stderr.contains("hard links"), "\(args):\n\(r.stderr)")
            #expect(try Self.contents(input) == original && Self.contents(other) == original)
            #expect(Self.status(input)?.st_nlink == 2 && Self.status(input)?.st_ino == Self.status(other)?.st_ino)
        }
        #expect(try Self.dotFiles(dir).isEmpty)
    }

    @Test("a temporary file left by a killed run is removed by the next run; a live run's is not")
    func staleTemporaryFiles() throws {
        let (dir, input, planned) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        // A PID that is surely gone: a process that has exited and been waited for.
        let done = Process()
        done.executableURL = URL(fileURLWithPath: "/bin/true")
        try done.run()
        done.waitUntilExit()
        let dead = done.processIdentifier
        let stale = dir.appendingPathComponent(".vm.xml.pciplan-tmp-\(dead)-0badf00d")
        let live = dir.appendingPathComponent(".vm.xml.pciplan-tmp-\(getpid())-0badf00d")
        let unrelated = dir.appendingPathComponent(".other.xml.pciplan-tmp-\(dead)-0badf00d")
        for url in [stale, live, unrelated] { try "half a domain".write(to: url, atomically: false, encoding: .utf8) }
        let r = try PCIPlanBinary.run(["plan", "--in-place", input.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.contents(input) == planned)
        #expect(!Self.fm.fileExists(atPath: stale.path), "the stale temporary file is still there")
        #expect(Self.fm.fileExists(atPath: live.path), "a running process's temporary file was removed")
        #expect(Self.fm.fileExists(atPath: unrelated.path), "another file's temporary file was removed")
    }

    @Test("--in-place on something that is not a regular file is refused before reading it")
    func inPlaceNotRegular() throws {
        let (dir, _, _) = try Self.setUp()
        defer { try? Self.fm.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        let r = try PCIPlanBinary.run(["plan", "--in-place", fifo.path])
        #expect(!r.crashed && r.status == 2)
        #expect(r.errorLines.count == 1 && r.stderr.contains("not a regular file"), "\(r.stderr)")
    }
}
