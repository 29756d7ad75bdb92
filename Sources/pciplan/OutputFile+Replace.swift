
extension OutputFile {
    /// Replaces (or creates) the regular file `path` atomically. `old` is the file being
    /// replaced; its owner, group and mode go to the new one.
    static func replace(_ path: String, with bytes: [UInt8], keeping old: stat?) throws(Failure) {
        let folder = folder(of: path)
        let prefix = temporaryPrefix(for: lastComponent(path))
        removeStaleTemporaries(in: folder, prefix: prefix)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let temporary = folder + "/" + prefix + "\(getpid())-" + String(repeating: "0", count: 8 - random.count) + random
        // 0600 until the final mode is set: nobody else can open it meanwhile.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Failure("\(path): cannot create a temporary file in \(folder) (\(POSIXIO.message(errno)))")
        }
        var isOpen = true
        var renamed = false
        defer {
            if isOpen { close(fd) }
            if !renamed { unlink(temporary) }
        }
        if let code = POSIXIO.writeAll(fd, bytes) { throw Failure("\(path): cannot write (\(POSIXIO.message(code)))") }
        try setOwnerAndMode(fd, path: path, like: old)
        guard fsync(fd) == 0 else { throw Failure("\(path): cannot write (\(POSIXIO.message(errno)))") }
        isOpen = false
        guard close(fd) == 0 else { throw Failure("\(path): cannot write (\(POSIXIO.message(errno)))") }
        guard rename(temporary, path) == 0 else {
            throw Failure("\(path): cannot replace the file (\(POSIXIO.message(errno)))")
        }
        renamed = true
        // Make the rename itself durable; a folder that cannot be opened or synced changes nothing.
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }

    /// The old file's owner and group (before the mode: `chown` may clear set-user-ID bits), then
    /// its mode; a new file gets 0666 less the umask, as `open(O_CREAT)` would have given it.
    static func setOwnerAndMode(_ fd: Int32, path: String, like old: stat?) throws(Failure) {
        guard let old else {
            let mask = umask(0)
            umask(mask)
            guard fchmod(fd, 0o666 & ~mask) == 0 else { throw Failure("\(path): cannot set the mode (\(POSIXIO.message(errno)))") }
            return
        }
        var now = stat()
        guard fstat(fd, &now) == 0 else { throw Failure("\(path): cannot write (\(POSIXIO.message(errno)))") }
        if now.st_uid != old.st_uid || now.st_gid != old.st_gid, fchown(fd, old.st_uid, old.st_gid) != 0 {
            throw Failure("\(path): cannot keep its owner and group \(old.st_uid):\(old.st_gid) (\(POSIXIO.message(errno))); nothing was written")
        }
        guard fchmod(fd, old.st_mode & 0o7777) == 0 else {
            throw Failure("\(path): cannot keep its mode (\(POSIXIO.message(errno))); nothing was written")
        }
    }

    /// `.NAME.pciplan-tmp-`: the start of every temporary file for NAME. A long NAME is cut so
    /// the whole name stays within the 255 bytes a file name may have.
    static func temporaryPrefix(for name: String) -> String {
        var kept = Substring(name)
        while kept.utf8.count > 200 { kept = kept.dropLast() }
        return "." + kept + temporaryMarker
    }

    /// Removes the temporary files `prefix`PID-RANDOM of runs that were killed: regular files
    /// whose PID names no running process. A live process's file (a concurrent run) stays.
    static func removeStaleTemporaries(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0,
                  parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit)
            else { continue }
            // ESRCH: no such process. EPERM means it exists (another user's): leave it.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = folder + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            unlink(path)
        }
    }
}
