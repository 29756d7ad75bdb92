extension Pipeline {
    /// `plan FILE --format lock`: the ABI lock of a planned domain (`ABILock`, Docs/abi.md),
    /// taken from the form libvirt stores — the rendered plan, planned again — so that every
    /// device, the ones libvirt adds included, has its element and explicit address.
    /// `removed` is carried into the lock's `removed` list (minus addresses now in use).
    public static func lock(_ planned: PlannedDomain, removed: [ABILock.Removed] = []) -> String {
        let file = planned.normalized.definition.file
        let stored = plan(SourceFile(name: file.name, bytes: XMLWriter.render(planned))).planned ?? planned
        return ABILock.make(stored, removed: removed).rendered()
    }
}
