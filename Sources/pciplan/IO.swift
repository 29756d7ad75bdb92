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
        var data = Data()
        while true {
            let chunk = h.readData(ofLength: 1 << 16)
            if chunk.isEmpty { break }
            data.append(chunk)
            if data.count > limit { throw InputTooLarge(name: name) }
        }
        return [UInt8](data)
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
        writeStderr(DiagnosticPrinter(files: []).render(tooLarge.diagnostic))
        throw ExitCode(Exit.findings)
    } catch {
        printError("\(error)")
        throw ExitCode(Exit.usage)
    }
}

func writeStdout(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
func writeStdout(_ b: [UInt8]) { FileHandle.standardOutput.write(Data(b)) }
func writeStderr(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

/// `pciplan: error: …` on one line, whatever bytes a file name carries.
func printError(_ message: String) { writeStderr("pciplan: error: \(message.escapedForLine)\n") }

/// Writes atomically: a temporary file in the same directory, then rename.
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).pciplan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
        try Data(bytes).write(to: tmp)
        if let attrs = try? FileManager.default.attributesOfItem(atPath: path), let perms = attrs[.posixPermissions] {
            try? FileManager.default.setAttributes([.posixPermissions: perms], ofItemAtPath: tmp.path)
        }
        guard rename(tmp.path, path) == 0 else {
            throw InputError(description: "\(path): cannot replace the file (\(String(cString: strerror(errno))))")
        }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        if let e = error as? InputError { throw e }
        throw InputError(description: "\(path): cannot write (\(error.localizedDescription))")
    }
}

enum DiagnosticsFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

func printDiagnostics(_ diags: [Diagnostic], files: [SourceFile], format: DiagnosticsFormat) {
    let printer = DiagnosticPrinter(files: files)
    switch format {
    case .text: writeStderr(printer.render(diags))
    case .json: writeStdout(printer.json(diags))
    }
}
