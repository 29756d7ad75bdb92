import ArgumentParser
import Foundation
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
func readInput(_ path: String) throws -> SourceFile {
    let limit = XMLReader.maximumSize
    func readAll(_ h: FileHandle, name: String) throws -> [UInt8] {
        var data: [UInt8] = []
        while true {
            let chunk: [UInt8]
            do { chunk = try POSIXIO.readChunk(h.fileDescriptor, upTo: 1 << 16) } catch {
                throw InputError(description: "\(name): cannot be read (\(POSIXIO.message(error.code.rawValue)))")
            }
            if chunk.isEmpty { break }
            data += chunk
            if data.count > limit { throw InputTooLarge(name: name) }
        }
        return data
    }
    if path == "-" {
        return SourceFile(name: "<stdin>", bytes: try readAll(FileHandle.standardInput, name: "<stdin>"))
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw InputError(description: "\(path): no such file")
    }
    if isDir.boolValue { throw InputError(description: "\(path): is a directory") }
    if let attrs = try? FileManager.default.attributesOfItem(atPath: path),
       attrs[.type] as? FileAttributeType == .typeRegular,
       let size = attrs[.size] as? NSNumber, size.int64Value > Int64(limit)
    {
        throw InputTooLarge(name: path)
    }
    guard let h = FileHandle(forReadingAtPath: path) else { throw InputError(description: "\(path): cannot be read (permission denied?)") }
    defer { try? h.close() }
    return SourceFile(name: path, bytes: try readAll(h, name: path))
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
