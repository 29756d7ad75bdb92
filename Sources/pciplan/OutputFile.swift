
/// How `plan --output FILE` and `plan --in-place` write a file without damaging anything:
///
/// - Symbolic links are followed (chains too, relative ones against the link's folder); the
///   file at the end is replaced and every link stays a link. A dangling link creates the
///   file it names, as a shell redirect does.
/// - A regular file is replaced atomically: a temporary file in the same folder, written,
///   given the old file's owner, group and mode (`fchown`, then `fchmod`), `fsync`ed, then
///   renamed over it. A new file gets 0666 less the umask. Permissions are never widened.
/// - A file with more than one hard link is refused: replacing it would split the links apart,
///   and writing into it would not be atomic. Nothing is written.
/// - FIFOs and character or block devices are written into, like a shell redirect; they are
///   never replaced. `--in-place` needs a regular file.
/// - Temporary files are named `.NAME.pciplan-tmp-PID-RANDOM`; a run that is killed leaves
///   its temporary file behind, and the next write of the same file removes every such file
///   whose process no longer exists.
enum OutputFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The kernel's limit on symbolic links followed in one lookup (Linux MAXSYMLINKS).
    static let maximumLinks = 40
    static let temporaryMarker = ".pciplan-tmp-"

    /// Writes `bytes` to `path` as described above.
    static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        // The kernel's view first: it follows every link, /proc's too (`/dev/stdout` →
        // `/proc/self/fd/1` → `pipe:[…]`, which names no path we could follow ourselves).
        var st = stat()
        guard stat(path, &st) == 0 else {
            guard errno == ENOENT else { throw Failure("\(path): \(POSIXIO.message(errno))") }
            // Missing, or a dangling link: create the file the links lead to.
            return try replace(resolveLinks(path), with: bytes, keeping: nil)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            let (target, old) = try regularFile(path, st)
            try replace(target, with: bytes, keeping: old)
        case S_IFIFO, S_IFCHR, S_IFBLK:
            try writeInto(path, bytes)
        case S_IFDIR:
            throw Failure("\(path): is a directory")
        default:
            throw Failure("\(path): is not a regular file, FIFO or device")
        }
    }

    /// For `--in-place`, before the input is read: the file behind `path` must be a regular
    /// file with one link, or the plan could not be written back safely.
    static func checkInPlace(_ path: String) throws(Failure) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw Failure("\(path): \(errno == ENOENT ? "no such file" : POSIXIO.message(errno))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw Failure("\(path): is not a regular file, so --in-place cannot replace it (use --output)")
        }
        _ = try regularFile(path, st)
    }

    /// The path of the regular file `path` leads to (`st`, as `stat` saw it) and its status,
    /// once it is sure to be that file and to have a single link.
    static func regularFile(_ path: String, _ st: stat) throws(Failure) -> (String, stat) {
        let target = try resolveLinks(path)
        var real = stat()
        guard lstat(target, &real) == 0, real.st_dev == st.st_dev, real.st_ino == st.st_ino else {
            throw Failure("\(path): cannot tell which file its symbolic links lead to; nothing was written")
        }
        try refuseHardLinks(target, real)
        return (target, real)
    }

    /// `path` with every symbolic link in its last component followed. Links in the folders
    /// above need no care: the file system follows them, and the temporary file goes next to
    /// the final file either way.
    static func resolveLinks(_ path: String) throws(Failure) -> String {
        var current = path
        for _ in 0...maximumLinks {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { throw Failure("\(current): cannot read the symbolic link (\(POSIXIO.message(errno)))") }
            let destination = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination : folder(of: current) + "/" + destination
        }
        throw Failure("\(path): too many levels of symbolic links")
    }

    static func refuseHardLinks(_ path: String, _ st: stat) throws(Failure) {
        guard st.st_nlink > 1 else { return }
        throw Failure("\(path) has \(st.st_nlink) hard links, which replacing it would break; nothing was written (plan into another file and copy that over this one)")
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// Writes into a FIFO or device as `> path` would (opening a FIFO waits for a reader).
    static func writeInto(_ path: String, _ bytes: [UInt8]) throws(Failure) {
        let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("\(path): cannot open for writing (\(POSIXIO.message(errno)))") }
        let failed = POSIXIO.writeAll(fd, bytes)
        let closeFailed = close(fd) != 0 ? errno : nil
        if let code = failed ?? closeFailed { throw Failure("\(path): cannot write (\(POSIXIO.message(code)))") }
    }
}
