import Testing
@testable import PCIPlan

/// Controller sanity: indexes, root controllers, models per machine (libvirt's define-time rules).
@Suite("check: controllers")
struct CheckControllerTests {
    @Test("a negative index is refused, and neither check nor plan crashes on it")
    func negativeIndex() {
        let m = Marked.pc("""
                <controller type='pci' index='0' model='pci-root'/>
                <controller type='pci' index='⟨⟩-1' model='pci-bridge'/>
            """)
        let d = m.expectOne(.controllerBadIndex, .error, in: m.check())
        m.expectNote(d, containing: "'-1'. Expected non-negative value")
        let plan = m.plan()
        #expect(plan.planned == nil)
        #expect(plan.diagnostics.with(.controllerBadIndex).count == 1)
    }

    @Test("libvirt reads a controller index as decimal only; the fix writes it in decimal")
    func hexIndex() throws {
        let m = Marked.pc("""
                <controller type='scsi' index='⟨⟩0x1' model='virtio-scsi'/>
            """)
        let d = m.expectOne(.controllerBadIndex, .error, in: m.check())
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix)?.contains("index='1'") == true)
    }

    @Test("a leading zero in a controller index is plain decimal, not an error")
    func decimalLeadingZero() {
        let m = Marked.pc("""
                <controller type='pci' index='0' model='pci-root'/>
                <controller type='pci' index='01' model='pci-bridge'/>
            """)
        #expect(m.check().with(.controllerBadIndex).isEmpty)
    }

    @Test("pci-root must have index 0, as libvirt says")
    func rootIndex() throws {
        let m = Marked.pc("""
                <controller type='pci' index='⟨⟩7' model='pci-root'/>
            """)
        let d = m.expectOne(.controllerRootIndex, .error, in: m.check())
        m.expectNote(d, containing: "pci-root and pcie-root controllers should have index 0")
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix)?.contains("index='0' model='pci-root'") == true)
        #expect(m.plan().planned == nil)
    }

    @Test("the root controller of the wrong family", arguments: [
        ("pc-i440fx-7.2", "pcie-root", "pci-root"), ("pc-q35-7.2", "pci-root", "pcie-root"),
    ])
    func wrongRoot(_ machine: String, _ given: String, _ wanted: String) {
        let m = Marked(Marked.domain(machine, "    <controller type='pci' index='0' model='⟨⟩\(given)'/>"))
        let d = m.expectOne(.controllerWrongRoot, .error, in: m.check())
        #expect(d?.message.contains("must be model='\(wanted)'") == true)
    }

    @Test("a root controller has no address; the fix removes it")
    func rootAddress() throws {
        let m = Marked.q35("""
                <controller type='pci' index='0' model='pcie-root'>
                  ⟨⟩<address type='pci' slot='0x01'/>
                </controller>
            """)
        let d = m.expectOne(.controllerRootAddress, .error, in: m.check())
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix)?.contains("<address") == false)
    }

    @Test("a PCI controller index above 255")
    func indexTooHigh() {
        let m = Marked.pc("""
                <controller type='pci' index='⟨⟩256' model='pci-bridge'/>
            """)
        let d = m.expectOne(.controllerIndexTooHigh, .error, in: m.check())
        m.expectNote(d, containing: "PCI controller index 256 too high, maximum is 255")
    }

    @Test("two controllers of one type with one index: the error at the second, a note at the first")
    func duplicateIndex() {
        let m = Marked.pc("""
                ⟨first⟩<controller type='scsi' index='0' model='virtio-scsi'/>
                <controller type='scsi' index='⟨⟩0' model='lsilogic'/>
                ⟨third⟩<controller type='pci' index='1' model='pci-bridge'/>
                <controller type='pci' index='⟨second⟩1' model='pci-bridge'/>
            """)
        let diags = m.check().with(.controllerDuplicateIndex)
        #expect(diags.count == 2)
        let scsi = diags.first { $0.message.contains("scsi") }
        m.expect(scsi?.range, at: "")
        m.expectNote(scsi, containing: "first scsi controller", at: "first")
        m.expectNote(scsi, containing: "Multiple 'scsi' controllers with index '0'")
        let pci = diags.first { $0.message.contains("pci") }
        m.expect(pci?.range, at: "second")
        m.expectNote(pci, containing: "first pci controller", at: "third")
    }

    @Test("USB controllers may share an index (USB2 companions)")
    func usbCompanions() {
        let m = Marked.q35("""
                <controller type='usb' index='0' model='ich9-ehci1'/>
                <controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/></controller>
            """)
        #expect(m.check().with(.controllerDuplicateIndex).isEmpty)
    }

    @Test("PCI Express controllers on a pc machine", arguments: ["pcie-root-port", "dmi-to-pci-bridge", "pcie-expander-bus", "pcie-switch-upstream-port"])
    func pcieOnPC(_ model: String) {
        let m = Marked.pc("""
                <controller type='pci' index='1' model='⟨⟩\(model)'/>
            """)
        let diags = m.check()
        m.expectOne(.controllerMachine, .error, in: diags)
        #expect(diags.errors.count == 1, "\(m.render(diags))")
    }

    @Test("pci-expander-bus on q35, with libvirt's reason")
    func pxbOnQ35() {
        let m = Marked.q35("""
                <controller type='pci' index='1' model='⟨⟩pci-expander-bus'/>
            """)
        let d = m.expectOne(.controllerMachine, .error, in: m.check())
        m.expectNote(d, containing: "pci-expander-bus controllers are only supported on 440fx-based machinetypes")
    }

    @Test("a PCI controller without a model, or with one libvirt does not know")
    func badModel() {
        let m = Marked.pc("""
                ⟨a⟩<controller type='pci' index='1'/>
                <controller type='pci' index='2' model='⟨b⟩pcie-switch'/>
            """)
        let diags = m.check().with(.controllerBadModel)
        #expect(diags.count == 2)
        m.expect(diags.first?.range, at: "a")
        m.expect(diags.last?.range, at: "b")
    }

    @Test("a pci-bridge must have an index larger than the bus it sits on")
    func bridgeIndexNotAboveBus() {
        let m = Marked.pc("""
                <controller type='pci' index='1' model='pci-bridge'/>
                <controller type='pci' index='2' model='pci-bridge'>
                  <address type='pci' bus='⟨⟩0x03' slot='0x01'/>
                </controller>
                <controller type='pci' index='3' model='pci-bridge'/>
            """)
        let d = m.expectOne(.controllerIndexNotAboveBus, .error, in: m.check())
        m.expectNote(d, containing: "PCI controller at index 2 (0x02) has bus='0x03', but index must be larger than bus")
    }

    @Test("the controller problems of a file are all reported in one run")
    func allAtOnce() {
        let m = Marked.pc("""
                <controller type='pci' index='⟨a⟩4' model='pci-root'/>
                <controller type='pci' index='⟨b⟩-2' model='pci-bridge'/>
                <controller type='pci' index='3' model='⟨c⟩pcie-root-port'/>
                <controller type='pci' index='⟨d⟩300' model='pci-bridge'/>
            """)
        let diags = m.check()
        m.expectOne(.controllerRootIndex, .error, at: "a", in: diags)
        m.expectOne(.controllerBadIndex, .error, at: "b", in: diags)
        m.expectOne(.controllerMachine, .error, at: "c", in: diags)
        m.expectOne(.controllerIndexTooHigh, .error, at: "d", in: diags)
    }
}
