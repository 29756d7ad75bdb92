
/// One input of `check` / `report`, in the order the command line gives them.
enum FleetInput: Sendable, Hashable {
    /// A file to read (given by name, or found in a folder).
    case path(String)
    /// Standard input (`-`).
    case stdin
    /// Known to be unreadable before reading: `message` says why (`a.xml: no such file`).
    case failed(name: String, message: String)
    /// A domain already read, e.g. from libvirt with `--connect` (`qemu:///system/vm1 (inactive)`).
    case memory(name: String, bytes: [UInt8])

    var name: String {
        switch self {
        case .path(let p): p
        case .stdin: "<stdin>"
        case .failed(let name, _): name
        case .memory(let name, _): name
        }
    }
}

/// Turns the command line's FILE|DIR|- arguments into inputs.
///
/// A folder is walked recursively for `*.xml`; its files come in byte order of their paths,
/// where the folder stands on the command line. Symbolic links are followed, folders at most
/// once each (by device and inode), so a link loop ends. Inside a folder, an `*.xml` entry that
/// is a dangling link, or is not a regular file (a FIFO would block the run, a socket cannot be
/// read), is an unreadable input; given by name, FIFOs and devices are read like files
/// (`pciplan check <(virsh dumpxml vm)`).
enum FleetInputs {
    static func expand(_ arguments: [String]) -> [FleetInput] {
        var out: [FleetInput] = []
        var visited = Set<FileID>()
        for arg in arguments {
            if arg == "-" {
                out.append(.stdin)
                continue
            }
            var st = stat()
            guard stat(arg, &st) == 0 else {
                out.append(.failed(name: arg, message: "\(arg): \(missingReason(arg, errno))"))
                continue
            }
            if st.st_mode & S_IFMT == S_IFDIR {
                var found: [FleetInput] = []
                walk(arg, &found, &visited)
                // Sorted on byte arrays made once: comparing the names' UTF-8 views took
                // longer than walking the folder.
                let keyed = found.map { (key: Array($0.name.utf8), input: $0) }
                out += keyed.sorted { bytesPrecede($0.key, $1.key) }.map(\.input)
            } else {
                out.append(.path(arg))
            }
        }
        return out
    }

    /// Byte order of two paths (memcmp, then the shorter first).
    static func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) } }
        return c != 0 ? c < 0 : a.count < b.count
    }

    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    static func walk(_ folder: String, _ out: inout [FleetInput], _ visited: inout Set<FileID>) {
        var st = stat()
        guard stat(folder, &st) == 0 else { return }
        guard visited.insert(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else { return }
        guard let dir = opendir(folder) else {
            out.append(.failed(name: folder, message: "\(folder): cannot read the folder (\(POSIXIO.message(errno)))"))
            return
        }
        defer { closedir(dir) }
        // `check .` names its files `a.xml`, not `./a.xml`.
        let prefix = folder == "." ? "" : folder.hasSuffix("/") ? folder : folder + "/"
        while let entry = readdir(dir) {
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if raw == [0x2E] || raw == [0x2E, 0x2E] { continue }
            let isXML = raw.count > 4 && raw.suffix(4).elementsEqual(".xml".utf8)
            guard let name = String(validating: raw, as: UTF8.self) else {
                if isXML {
                    let shown = String(decoding: raw, as: UTF8.self)
                    out.append(.failed(name: prefix + shown, message: "\(prefix + shown): the file name is not valid UTF-8"))
                }
                continue
            }
            let path = prefix + name
            var est = stat()
            guard stat(path, &est) == 0 else {
                if isXML { out.append(.failed(name: path, message: "\(path): \(missingReason(path, errno))")) }
                continue
            }
            switch est.st_mode & S_IFMT {
            case S_IFDIR: walk(path, &out, &visited)
            case S_IFREG: if isXML { out.append(.path(path)) }
            default:
                if isXML {
                    out.append(.failed(name: path, message: "\(path): not a regular file (\(kind(est.st_mode))); give it by name to read it"))
                }
            }
        }
    }

    /// Why `stat` failed: a dangling symbolic link says so.
    static func missingReason(_ path: String, _ code: Int32) -> String {
        var lst = stat()
        if code == ENOENT, lstat(path, &lst) == 0, lst.st_mode & S_IFMT == S_IFLNK {
            return "a symbolic link to a file that does not exist"
        }
        return code == ENOENT ? "no such file" : POSIXIO.message(code)
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a file"
        }
    }
}
