import ArgumentParser
import PCIPlan

/// Exit codes of the command-line contract.
enum Exit {
    static let clean: Int32 = 0
    static let findings: Int32 = 1
    static let usage: Int32 = 2
}

struct InputError: Error, CustomStringConvertible {
    var description: String
}

/// An input over `XMLReader.maximumSize`: a finding about that input (exit 1), not an I/O failure.
struct InputTooLarge: Error {
    var name: String

    var diagnostic: Diagnostic {
        .inputTooLarge(file: name, limitMiB: XMLReader.maximumSize >> 20)
    }
}

/// Reads a file (or stdin for `-`) as bytes, refusing oversized input before reading it all.
/// Plain stat(2), open(2) and read(2): FileHandle is not in FoundationEssentials (Platform.swift).
func readInput(_ path: String) throws -> SourceFile {
    let limit = XMLReader.maximumSize
    /// `size`: the file's size when it is a regular file, so a small domain is read in one call
    /// into a buffer of its size (a 64 KiB buffer, zeroed twice, cost more than its planning).
    func readAll(_ fd: Int32, name: String, size: Int? = nil) throws -> [UInt8] {
        var data: [UInt8] = []
        let chunkSize = size.map { min(max($0 + 1, 4096), 1 << 16) } ?? 1 << 16
        while true {
            let chunk: [UInt8]
            do { chunk = try POSIXIO.readChunk(fd, upTo: chunkSize) } catch {
                throw InputError(description: "\(name): cannot be read (\(POSIXIO.message(error.code.rawValue)))")
            }
            if data.isEmpty { data = chunk } else { data += chunk }
            if data.count > limit { throw InputTooLarge(name: name) }
            // readChunk comes back short only at the end of the input.
            if chunk.count < chunkSize { break }
        }
        return data
    }
    if path == "-" {
        return SourceFile(name: "<stdin>", bytes: try readAll(STDIN_FILENO, name: "<stdin>"))
    }
    var st = stat()
    guard stat(path, &st) == 0 else { throw InputError(description: "\(path): no such file") }
    if st.st_mode & S_IFMT == S_IFDIR { throw InputError(description: "\(path): is a directory") }
    if st.st_mode & S_IFMT == S_IFREG, Int64(st.st_size) > Int64(limit) { throw InputTooLarge(name: path) }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw InputError(description: "\(path): cannot be read (permission denied?)") }
    defer { close(fd) }
    return SourceFile(name: path, bytes: try readAll(fd, name: path, size: st.st_mode & S_IFMT == S_IFREG ? Int(st.st_size) : nil))
}

/// `readInput` for commands that take one domain per argument: an oversized input prints its
/// diagnostic and exits 1, any other read failure exits 2 (usage or I/O).
func readInputOrExit(_ path: String) throws -> SourceFile {
    do {
        return try readInput(path)
    } catch let tooLarge as InputTooLarge {
        try writeStderr(DiagnosticPrinter(files: []).render(tooLarge.diagnostic))
        throw ExitCode(Exit.findings)
    } catch {
        try printError("\(error)")
        throw ExitCode(Exit.usage)
    }
}

enum DiagnosticsFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// Prints diagnostics. Text goes to standard error. JSON is one document (`{"schema": 1,
/// "diagnostics": […]}`, Docs/json.md): on standard output when the command prints nothing
/// else there (it failed), on standard error when standard output holds its result
/// (`stdoutTaken`: the planned XML, a diff, explanations).
func printDiagnostics(_ diags: [Diagnostic], files: [SourceFile], format: DiagnosticsFormat, stdoutTaken: Bool = false) throws {
    switch format {
    case .text: try writeStderr(DiagnosticPrinter(files: files).render(diags))
    case .json:
        let document = DiagnosticsJSON.document(diags, files: files)
        if stdoutTaken { try writeStderr(document) } else { try writeStdout(document) }
    }
}
