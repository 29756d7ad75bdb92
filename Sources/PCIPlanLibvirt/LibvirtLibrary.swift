#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libvirt's C client library, opened at run time with `dlopen` and bound with `dlsym`.
///
/// pciplan has no link-time dependency on libvirt: the same binary builds and runs without it,
/// and the library is only opened when a command is asked to read a domain from libvirt. The
/// handful of entry points used are declared here as C function types (their prototypes are in
/// libvirt's `libvirt-host.h`, `libvirt-domain.h` and `virterror.h`); `virConnectPtr` and
/// `virDomainPtr` are opaque pointers. The handle is never closed: libvirt keeps thread-local
/// error state and one-time initialisation that must outlive any caller.
public struct LibvirtLibrary {
    /// The file `dlopen` looks for: libvirt's stable ABI (soname `libvirt.so.0` since 0.x).
    #if os(macOS)
    public static let defaultPath = "libvirt.0.dylib"
    #else
    public static let defaultPath = "libvirt.so.0"
    #endif

    /// An environment variable naming another file to open instead, for tests (a path that
    /// does not exist simulates a machine without libvirt).
    public static let pathVariable = "PCIPLAN_LIBVIRT_SO"

    // virConnectPtr virConnectOpenReadOnly(const char *name) / virConnectOpen(const char *name)
    typealias ConnectOpen = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    // int virConnectClose(virConnectPtr) / int virDomainFree(virDomainPtr) / int virDomainIsActive(virDomainPtr)
    typealias PointerToInt = @convention(c) (OpaquePointer?) -> Int32
    // virDomainPtr virDomainLookupByName(virConnectPtr conn, const char *name)
    typealias LookupByName = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    // char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags): the caller frees it
    typealias GetXMLDesc = @convention(c) (OpaquePointer?, UInt32) -> UnsafeMutablePointer<CChar>?
    // int virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags)
    typealias ListAllDomains = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>?, UInt32) -> Int32
    // const char *virDomainGetName(virDomainPtr domain)
    typealias GetName = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    // const char *virGetLastErrorMessage(void)
    typealias LastErrorMessage = @convention(c) () -> UnsafePointer<CChar>?
    // int virGetLastErrorCode(void)
    typealias LastErrorCode = @convention(c) () -> Int32
    // typedef void (*virErrorFunc)(void *userData, virErrorPtr error)
    typealias ErrorFunc = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void
    // void virSetErrorFunc(void *userData, virErrorFunc handler)
    typealias SetErrorFunc = @convention(c) (UnsafeMutableRawPointer?, ErrorFunc?) -> Void

    /// The file that was opened.
    public let path: String
    let connectOpenReadOnly: ConnectOpen
    let connectOpen: ConnectOpen
    let connectClose: PointerToInt
    let lookupByName: LookupByName
    let getXMLDesc: GetXMLDesc
    let listAllDomains: ListAllDomains
    let getName: GetName
    let domainFree: PointerToInt
    let domainIsActive: PointerToInt
    let lastErrorMessage: LastErrorMessage
    let lastErrorCode: LastErrorCode

    /// Opens libvirt's client library: `path`, else `$PCIPLAN_LIBVIRT_SO`, else `libvirt.so.0`
    /// from the dynamic linker's search path.
    public static func load(path: String? = nil) throws(LibvirtError) -> LibvirtLibrary {
        let file = path ?? getenv(pathVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw .libraryMissing(path: file, reason: reason)
        }
        func bind<F>(_ name: String, as _: F.Type) throws(LibvirtError) -> F {
            guard let symbol = dlsym(handle, name) else { throw .symbolMissing(name: name, path: file) }
            return unsafeBitCast(symbol, to: F.self)
        }
        let library = LibvirtLibrary(
            path: file,
            connectOpenReadOnly: try bind("virConnectOpenReadOnly", as: ConnectOpen.self),
            connectOpen: try bind("virConnectOpen", as: ConnectOpen.self),
            connectClose: try bind("virConnectClose", as: PointerToInt.self),
            lookupByName: try bind("virDomainLookupByName", as: LookupByName.self),
            getXMLDesc: try bind("virDomainGetXMLDesc", as: GetXMLDesc.self),
            listAllDomains: try bind("virConnectListAllDomains", as: ListAllDomains.self),
            getName: try bind("virDomainGetName", as: GetName.self),
            domainFree: try bind("virDomainFree", as: PointerToInt.self),
            domainIsActive: try bind("virDomainIsActive", as: PointerToInt.self),
            lastErrorMessage: try bind("virGetLastErrorMessage", as: LastErrorMessage.self),
            lastErrorCode: try bind("virGetLastErrorCode", as: LastErrorCode.self))
        // Without a handler libvirt prints every error to stderr ("libvirt: error : …") before
        // the caller sees it; pciplan reports each failure once, in its own words.
        let setErrorFunc = try bind("virSetErrorFunc", as: SetErrorFunc.self)
        setErrorFunc(nil) { _, _ in }
        return library
    }

    /// libvirt's message for the last failure on this thread.
    var lastError: String {
        lastErrorMessage().map { String(cString: $0) } ?? "unknown libvirt error"
    }
}
