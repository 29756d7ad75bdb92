#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which of a domain's two definitions to read (`virDomainXMLFlags`).
public enum LibvirtXML: Sendable {
    /// The running guest's definition, `virDomainGetXMLDesc(dom, 0)` (`virsh dumpxml`).
    case live
    /// The persistent definition, `VIR_DOMAIN_XML_INACTIVE` (`virsh dumpxml --inactive`):
    /// what the guest boots with next time.
    case inactive

    var flags: UInt32 {
        switch self {
        case .live: 0
        case .inactive: 2  // VIR_DOMAIN_XML_INACTIVE
        }
    }
}

/// A connection to libvirt, read-only when the daemon allows it: pciplan only reads domain
/// XML, and a read-only connection needs no write access to libvirt's socket. (A read-only
/// connection refuses `VIR_DOMAIN_XML_SECURE`, which pciplan never asks for.)
public final class LibvirtConnection {
    public let uri: String
    /// True when the read-only socket answered; false when only a read-write connection did.
    public let isReadOnly: Bool
    let library: LibvirtLibrary
    let handle: OpaquePointer

    /// Opens `uri` read-only (`virConnectOpenReadOnly`), falling back to `virConnectOpen`;
    /// when both fail, the error is libvirt's message for the read-only attempt.
    public init(uri: String, library: LibvirtLibrary) throws(LibvirtError) {
        self.uri = uri
        self.library = library
        if let h = library.connectOpenReadOnly(uri) {
            handle = h
            isReadOnly = true
            return
        }
        let message = library.lastError
        guard let h = library.connectOpen(uri) else { throw .connectFailed(uri: uri, message: message) }
        handle = h
        isReadOnly = false
    }

    deinit { _ = library.connectClose(handle) }

    /// The domain with this name (`virDomainLookupByName`).
    public func domain(named name: String) throws(LibvirtError) -> LibvirtDomain {
        guard let d = library.lookupByName(handle, name) else { throw failure("virDomainLookupByName('\(name)')", domain: name) }
        return LibvirtDomain(connection: self, handle: d)
    }

    /// The error for a call that just failed: `VIR_ERR_NO_DOMAIN` (42 in virterror.h) when the
    /// domain does not exist (or was undefined since it was listed), else libvirt's message.
    func failure(_ call: String, domain: String) -> LibvirtError {
        if library.lastErrorCode() == 42 { return .noSuchDomain(uri: uri, name: domain) }
        return .callFailed(call: call, uri: uri, message: library.lastError)
    }

    /// Every persistent (defined) domain, running or not, sorted by name
    /// (`virConnectListAllDomains` with `VIR_CONNECT_LIST_DOMAINS_PERSISTENT`). One undefined
    /// after this list was made answers `noSuchDomain` when asked for its XML.
    public func definedDomains() throws(LibvirtError) -> [LibvirtDomain] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = library.listAllDomains(handle, &list, 4)  // VIR_CONNECT_LIST_DOMAINS_PERSISTENT
        guard count >= 0 else { throw .callFailed(call: "virConnectListAllDomains", uri: uri, message: library.lastError) }
        defer { free(list) }
        var domains: [LibvirtDomain] = []
        for i in 0..<Int(count) {
            if let d = list?[i] { domains.append(LibvirtDomain(connection: self, handle: d)) }
        }
        return domains.sorted { $0.name < $1.name }
    }
}

/// One domain of a connection; the reference is released when the value goes away.
public final class LibvirtDomain {
    public let connection: LibvirtConnection
    let handle: OpaquePointer
    /// The domain's name (`virDomainGetName`).
    public let name: String

    init(connection: LibvirtConnection, handle: OpaquePointer) {
        self.connection = connection
        self.handle = handle
        name = connection.library.getName(handle).map { String(cString: $0) } ?? "?"
    }

    deinit { _ = connection.library.domainFree(handle) }

    /// True when the guest is running (or paused): it has a live XML of its own.
    public func isActive() throws(LibvirtError) -> Bool {
        let r = connection.library.domainIsActive(handle)
        guard r >= 0 else { throw connection.failure("virDomainIsActive('\(name)')", domain: name) }
        return r == 1
    }

    /// The domain XML, as `virsh dumpxml [--inactive]` prints it. Asking a shut-off domain
    /// for its live XML is an error: libvirt would silently answer with the definition.
    public func xml(_ which: LibvirtXML) throws(LibvirtError) -> String {
        if which == .live, try !isActive() { throw .notRunning(uri: connection.uri, name: name) }
        guard let text = connection.library.getXMLDesc(handle, which.flags) else {
            throw connection.failure("virDomainGetXMLDesc('\(name)')", domain: name)
        }
        defer { free(text) }
        return String(cString: text)
    }
}
