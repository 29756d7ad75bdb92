import ArgumentParser

/// Plain read(2) and write(2) loops. `FileHandle`'s `write` and `readData` trap on any error
/// (`/dev/full`, a pipe whose reader has gone, a directory on standard input); a command-line
/// tool reports those and exits 2 instead.
enum POSIXIO {
    /// Writes all of `bytes`, retrying short writes and interrupted calls and waiting while a
    /// non-blocking descriptor is full. Nil when done, else the errno of the failure.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var p = bytes.baseAddress else { return nil }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, left)
            if n > 0 {
                p += n
                left -= n
            } else if n < 0, errno == EINTR {
                continue
            } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                var pending = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pending, 1, -1)
            } else {
                return n < 0 ? errno : EIO
            }
        }
        return nil
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? { bytes.withUnsafeBytes { writeAll(fd, $0) } }

    /// Up to `count` bytes (fewer only at the end of the input), retrying interrupted calls.
    static func readChunk(_ fd: Int32, upTo count: Int) throws(POSIXError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(fd, base + filled, count - filled)
            }
            if n > 0 {
                filled += n
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&pending, 1, -1)
            } else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        }
        return Array(buffer.prefix(filled))
    }

    static func message(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// Writes to standard output. On failure says why on stderr and throws exit 2 — silently when
/// the reader of a pipe has gone (`pciplan plan vm.xml | head`), as other Unix tools do.
func writeStdout(_ b: [UInt8]) throws {
    guard let code = POSIXIO.writeAll(STDOUT_FILENO, b) else { return }
    if code != EPIPE {
        _ = POSIXIO.writeAll(STDERR_FILENO, Array("pciplan: error: cannot write to standard output: \(POSIXIO.message(code))\n".utf8))
    }
    throw ExitCode(Exit.usage)
}

func writeStdout(_ s: String) throws { try writeStdout(Array(s.utf8)) }

/// Writes to standard error; when even that fails there is nobody left to tell: exit 2.
func writeStderr(_ s: String) throws {
    if POSIXIO.writeAll(STDERR_FILENO, Array(s.utf8)) != nil { throw ExitCode(Exit.usage) }
}

/// `pciplan: error: …` on one line, whatever bytes a file name or a libvirt message carries
/// (`String.escapedForLine`).
func errorLine(_ message: String) -> String { "pciplan: error: \(message.escapedForLine)\n" }

func printError(_ message: String) throws { try writeStderr(errorLine(message)) }

/// The command's result: into `path` as `OutputFile.write` writes (a regular file replaced
/// atomically, links followed, a FIFO or device written into), or on standard output when
/// there is no path. A file that cannot be written is one error line and exit 2.
func writeOutput(_ bytes: [UInt8], to path: String?) throws {
    guard let path else { return try writeStdout(bytes) }
    do { try OutputFile.write(bytes, to: path) } catch {
        try printError("\(error)")
        throw ExitCode(Exit.usage)
    }
}
