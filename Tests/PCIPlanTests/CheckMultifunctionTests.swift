import Testing
@testable import PCIPlan

/// Multifunction slots: what QEMU refuses, what guests miss, what libvirt derives.
@Suite("check: multifunction")
struct CheckMultifunctionTests {
    static let offSlot = """
            <disk type='file' device='disk'>
              <target dev='vda' bus='virtio'/>
              <address type='pci' slot='0x04' function='0x0' multifunction='⟨⟩off'/>
            </disk>
            <disk type='file' device='disk'>
              <target dev='vdb' bus='virtio'/>
              ⟨fn1⟩<address type='pci' slot='0x04' function='0x1'/>
            </disk>
        """

    @Test("function 0 says multifunction='off' while function 1 is used: an error quoting QEMU")
    func offWithFunctions() throws {
        let m = Marked.pc(Self.offSlot)
        let d = m.expectOne(.multifunctionOff, .error, in: m.check())
        m.expectNote(d, containing: "disk 'vdb' uses function 1 here", at: "fn1")
        m.expectNote(d, containing: "QEMU 7.2 refuses to start it: PCI: 4.0 indicates single function, but 4.1 is already populated.")
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix).map { Marked($0).check().hasErrors } == false)
    }

    @Test("plan still follows libvirt, which accepts multifunction='off' (QEMU is what refuses)")
    func planAcceptsOff() {
        #expect(Marked.pc(Self.offSlot).plan().planned != nil)
    }

    @Test("functions used while function 0 is absent: a warning")
    func noFunctionZero() throws {
        let m = Marked.pc("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  ⟨⟩<address type='pci' slot='0x04' function='0x1'/>
                </disk>
            """)
        let diags = m.check()
        m.expectOne(.multifunctionNoFunctionZero, .warning, in: diags)
        #expect(!diags.hasErrors)
        let fix = try #require(diags.with(.multifunctionNoFunctionZero).first?.fixIts.first)
        #expect(m.applying(fix).map { Marked($0).check().with(.multifunctionNoFunctionZero).isEmpty } == true)
    }

    static let derived = """
            <disk type='file' device='disk'>
              <target dev='vda' bus='virtio'/>
              ⟨fn0⟩<address type='pci' slot='0x04' function='0x0'/>
            </disk>
            <disk type='file' device='disk'>
              <target dev='vdb' bus='virtio'/>
              ⟨fn1⟩<address type='pci' slot='0x04' function='0x1'/>
            </disk>
        """

    @Test("function 0 without multifunction: a note that libvirt sets and stores it")
    func derivedNote() {
        let m = Marked.pc(Self.derived)
        let diags = m.check()
        let d = m.expectOne(.multifunctionDerived, .note, at: "fn0", in: diags)
        m.expectNote(d, containing: "uses function 1 here", at: "fn1")
        #expect(!diags.hasErrors)
    }

    @Test("with --multifunction explicit it is an error at function 1, with a fix-it on function 0")
    func explicitMode() throws {
        let m = Marked.pc(Self.derived)
        let diags = m.check(.explicit)
        let d = m.expectOne(.multifunctionNotExplicit, .error, at: "fn1", in: diags)
        #expect(d?.message == "PCI address 0000:00:04.1 is used but function 0 of slot 0000:00:04 does not set multifunction='on'")
        m.expectNote(d, containing: "function 0 (disk 'vda') is declared here", at: "fn0")
        let fix = try #require(d?.fixIts.first)
        #expect(fix.replacement == " multifunction='on'")
        let fixed = try #require(m.applying(fix))
        #expect(fixed.contains("<address type='pci' slot='0x04' function='0x0' multifunction='on'/>"))
        #expect(!Marked(fixed).check(.explicit).hasErrors)
        #expect(m.plan(.explicit).planned == nil)
    }

    @Test("under --multifunction explicit, root ports the planner packs into one slot get the bit written explicitly")
    func explicitModePlanned() throws {
        let m = Marked.q35("""
                <controller type='pci' index='1' model='pcie-root-port'/>
                <controller type='pci' index='2' model='pcie-root-port'/>
            """)
        #expect(!m.check(.libvirt).hasErrors)
        let diags = m.check(.explicit)
        #expect(diags.with(.multifunctionNotExplicit).isEmpty, "\(m.render(diags))")
        // The planner chose to share the slot, so it writes the bit with the addresses.
        let planned = try #require(m.plan(.explicit).planned)
        let zero = planned.placements.values.filter { $0.address.bus == 0 && $0.address.function == 0 && $0.address.slot == 1 }
        #expect(zero.map(\.multifunction) == [.on])
    }

    @Test("a root port at function 1: the warning waits for the plan, which may put a root port at function 0")
    func aggregateSlot() {
        let alone = Marked.q35("""
                <controller type='usb' model='none'/>
                <memballoon model='none'/>
                <controller type='pci' index='1' model='pcie-root-port'>
                  ⟨⟩<address type='pci' slot='0x01' function='0x1'/>
                </controller>
            """)
        alone.expectOne(.multifunctionNoFunctionZero, .warning, in: alone.check())
        let filled = Marked.q35("""
                <controller type='usb' model='none'/>
                <memballoon model='none'/>
                <controller type='pci' index='1' model='pcie-root-port'>
                  <address type='pci' slot='0x01' function='0x1'/>
                </controller>
                <controller type='pci' index='2' model='pcie-root-port'/>
            """)
        let diags = filled.check()
        #expect(diags.with(.multifunctionNoFunctionZero).isEmpty, "\(filled.render(diags))")
        #expect(filled.plan().planned?.placements.values.contains { $0.address == PCIAddress(bus: 0, slot: 1, function: 0) } == true)
    }

    @Test("the chipset's own multifunction slots need nothing from the input")
    func chipsetSlot() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  <address type='pci' slot='0x01' function='0x5'/>
                </sound>
            """)
        let diags = m.check(.explicit)
        #expect(diags.filter { $0.id.rawValue.hasPrefix("multifunction.") }.isEmpty, "\(m.render(diags))")
        #expect(!diags.hasErrors)
    }
}
