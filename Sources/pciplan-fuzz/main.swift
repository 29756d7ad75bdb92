// pciplan-fuzz: the libFuzzer target over the whole pipeline (`FuzzInput.run`), and in a plain
// build the runner that replays saved inputs.
//
// Why a `main` of our own rather than libFuzzer's: SwiftPM links every executable on Linux with
// `--defsym main=<module>_main` (so tests can link the module), and that `main` wins over the one
// in libclang_rt.fuzzer: libFuzzer's `main` never runs, and a target without a `main` of its own
// does not link. So the fuzz build (`Scripts/fuzz`: `-sanitize=fuzzer,address
// -DPCIPLAN_LIBFUZZER`) calls libFuzzer's driver, `LLVMFuzzerRunDriver`, from here with the
// command line untouched (every libFuzzer flag works, and files as arguments replay them); a
// plain `swift build` gets the replay runner below and never references libFuzzer.
import Foundation
import PCIPlanFuzz

/// libFuzzer's entry point. The driver gets it as an argument; the symbol must exist all the
/// same, because the linker pulls libFuzzer's unused `main` (which names it) out of the archive
/// before `--defsym` replaces `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = FuzzInput.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if PCIPLAN_LIBFUZZER
import CLibFuzzer

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
#else

/// `pciplan-fuzz FILE|DIR…`: runs each file (each file of each folder) through `FuzzInput.run`,
/// as the fuzz target does, and prints one line per file. A crash is the failure it looks for;
/// an input that does not crash exits 0 whatever pciplan thinks of it.
func replay(_ paths: [String]) -> Int32 {
    let fm = FileManager.default
    var files: [String] = []
    for path in paths {
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            FileHandle.standardError.write(Data("pciplan-fuzz: error: no such file '\(path)'\n".utf8))
            return 2
        }
        if isDir.boolValue {
            let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted()
            files += names.map { "\(path)/\($0)" }.filter { !$0.hasSuffix(".md") }
        } else {
            files.append(path)
        }
    }
    for file in files {
        guard let data = fm.contents(atPath: file) else {
            FileHandle.standardError.write(Data("pciplan-fuzz: error: cannot read '\(file)'\n".utf8))
            return 2
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let out = FuzzInput.run(Array(data))
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        print("ok \(file): \(data.count) bytes in, \(out) bytes rendered, \(String(format: "%.0f", ms)) ms")
    }
    return 0
}

let paths = Array(CommandLine.arguments.dropFirst())
if paths.isEmpty || paths.contains("-h") || paths.contains("--help") {
    print("usage: pciplan-fuzz FILE|DIR…   (replays fuzz inputs; Scripts/fuzz SECONDS fuzzes)")
    exit(paths.isEmpty ? 2 : 0)
}
exit(replay(paths))
#endif
