import ArgumentParser
import PCIPlan
import PCIPlanLibvirt

/// `-c/--connect URI --domain NAME`: read the domain XML from libvirt instead of a file. The
/// options every command that reads one domain shares; libvirt's library is only opened when
/// `--connect` is given.
struct LibvirtOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("connect")], help: ArgumentHelp(
        "Read the domain from libvirt at this URI (qemu:///system) instead of a file, with --domain; opens a read-only connection when libvirt allows one.",
        valueName: "URI"))
    var uri: String?

    @Option(name: .customLong("domain"), help: ArgumentHelp("The libvirt domain to read, with --connect.", valueName: "NAME"))
    var domainName: String?

    var isGiven: Bool { uri != nil }

    func validate() throws {
        if domainName != nil && uri == nil { throw ValidationError("--domain needs --connect URI") }
    }

    /// The check commands that read exactly one domain make: `--connect` needs `--domain`, and
    /// then the file argument is left out (`what` names it in the message).
    func validate(file: String?, what: String = "FILE") throws {
        try validate()
        if isGiven {
            if domainName == nil { throw ValidationError("--connect needs --domain NAME") }
            if file != nil { throw ValidationError("give either \(what) or --connect/--domain, not both") }
        } else if file == nil {
            throw ValidationError("missing \(what) (or --connect URI --domain NAME)")
        }
    }

    /// For `DOMAIN OTHER` commands (`attach`, `detach`): with `--connect/--domain` the only
    /// positional is OTHER, without them both are needed.
    func validate(positionals: [String?], _ domain: String, _ other: String) throws {
        try validate()
        let given = positionals.compactMap { $0 }.count
        if isGiven {
            if domainName == nil { throw ValidationError("--connect needs --domain NAME") }
            if given == 0 { throw ValidationError("missing \(other)") }
            if given > 1 { throw ValidationError("with --connect/--domain give only \(other): \(domain) is read from libvirt") }
        } else if given < 2 {
            throw ValidationError("missing \(given == 0 ? "\(domain) and \(other)" : other) (or --connect URI --domain NAME \(other))")
        }
    }

    /// The domain XML: `virDomainGetXMLDesc` of `--domain` when `--connect` is given (`which`
    /// picks the live or the persistent definition), else the file, as `readInputOrExit` reads it.
    func readOrExit(file: String?, _ which: LibvirtXML) throws -> SourceFile {
        guard isGiven, let name = domainName else { return try readInputOrExit(file ?? "-") }
        return try readOrExit(name, [which])[0]
    }

    /// Several definitions of one domain over one connection (`diff`: live, then inactive).
    func readOrExit(_ name: String, _ which: [LibvirtXML]) throws -> [SourceFile] {
        try libvirtOrExit { connection throws(LibvirtError) in
            let domain = try connection.domain(named: name)
            var files: [SourceFile] = []
            for w in which { files.append(try source(domain, w)) }
            return files
        }
    }

    /// The persistent definition of every defined domain (`check --all`), sorted by name.
    func readAllDefinitionsOrExit() throws -> [SourceFile] {
        try libvirtOrExit { connection throws(LibvirtError) in
            var files: [SourceFile] = []
            for domain in try connection.definedDomains() {
                do throws(LibvirtError) {
                    files.append(try source(domain, .inactive))
                } catch .noSuchDomain {
                    continue  // undefined since it was listed: no longer a defined domain
                }
            }
            return files
        }
    }

    /// Named `URI/NAME (inactive)` or `(live)`, so diagnostics say which definition they are about.
    private func source(_ domain: LibvirtDomain, _ which: LibvirtXML) throws(LibvirtError) -> SourceFile {
        let xml = try domain.xml(which)
        let name = "\(domain.connection.uri)/\(domain.name) (\(which == .live ? "live" : "inactive"))"
        return SourceFile(name: name, bytes: Array(xml.utf8))
    }

    /// Loads libvirt, connects to `--connect` and runs `body`; every libvirt failure is one
    /// `pciplan: error:` line and exit 2, like a file that cannot be read.
    private func libvirtOrExit<T>(_ body: (LibvirtConnection) throws(LibvirtError) -> T) throws -> T {
        do throws(LibvirtError) {
            let connection = try LibvirtConnection(uri: uri ?? "", library: LibvirtLibrary.load())
            return try body(connection)
        } catch {
            try printError("\(error)")
            throw ExitCode(Exit.usage)
        }
    }
}
