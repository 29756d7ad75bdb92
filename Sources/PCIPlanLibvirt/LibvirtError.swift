/// Why a domain could not be read from libvirt. Each description is one phrase for the
/// command line's `error:` line, with libvirt's own message where it has one.
public enum LibvirtError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `dlopen` failed: libvirt's client library is not installed (or not loadable).
    case libraryMissing(path: String, reason: String)
    /// The library lacks an entry point pciplan uses (a libvirt older than 4.5).
    case symbolMissing(name: String, path: String)
    /// Neither a read-only nor a read-write connection could be opened.
    case connectFailed(uri: String, message: String)
    /// No domain of that name is defined on the connection.
    case noSuchDomain(uri: String, name: String)
    /// The domain is defined but shut off, so it has no live XML.
    case notRunning(uri: String, name: String)
    /// Any other failed call, with libvirt's message.
    case callFailed(call: String, uri: String, message: String)

    public var description: String {
        switch self {
        case .libraryMissing(let path, let reason):
            let name = path.split(separator: "/").last.map(String.init) ?? path
            if reason.contains("No such file") {
                return "\(name) not found: install libvirt-clients/libvirt0 (Debian: apt-get install libvirt-clients) to read domains from libvirt (\(reason))"
            }
            return "\(path) cannot be loaded: \(reason)"
        case .symbolMissing(let name, let path):
            return "\(path) has no \(name): libvirt 4.5 or newer is needed"
        case .connectFailed(let uri, let message):
            return "cannot connect to libvirt at '\(uri)': \(message)"
        case .noSuchDomain(let uri, let name):
            return "no domain named '\(name)' on \(uri) (virsh -c \(uri) list --all shows the defined ones)"
        case .notRunning(let uri, let name):
            return "domain '\(name)' on \(uri) is not running, so it has no live XML"
        case .callFailed(let call, let uri, let message):
            return "\(call) on \(uri) failed: \(message)"
        }
    }
}
