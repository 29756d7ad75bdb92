import PCIPlanSource

extension Diagnostic {
    /// `plan --keep LOCK`: the lock cannot be read (`why` says how).
    package static func lockUnreadable(_ file: String, _ why: String) -> Diagnostic {
        Diagnostic(.planLock, "'\(file)' cannot be read as an ABI lock: \(why)", at: nil,
                   fixIts: [FixIt("write the lock again with `pciplan plan FILE --format lock`, or give --keep the old domain XML")])
    }
}
