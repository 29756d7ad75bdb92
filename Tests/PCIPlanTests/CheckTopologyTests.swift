import Testing
@testable import PCIPlan

/// Buses no controller provides: libvirt's dry run adds controllers (spec §5.3, §5.7).
@Suite("check: buses libvirt adds")
struct CheckTopologyTests {
    @Test("pc: bus 3 without controllers gets pci-bridges 1–3")
    func pcBridges() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  <address type='pci' bus='⟨⟩0x03' slot='0x01'/>
                </sound>
            """)
        let diags = m.check()
        let d = m.expectOne(.addressBusAdded, .warning, in: diags)
        #expect(d?.message == "bus 0x03 has no PCI controller: libvirt adds pci-bridge controllers index 1–3 to provide it")
        #expect(!diags.hasErrors)
    }

    @Test("q35: a PCIe device on a missing bus gets root ports")
    func q35RootPorts() {
        let m = Marked.q35("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' bus='⟨⟩0x02' slot='0x00'/>
                </disk>
            """)
        let d = m.expectOne(.addressBusAdded, .warning, in: m.check())
        #expect(d?.message.contains("pcie-root-port controllers index 1–2") == true)
    }

    @Test("q35: a conventional PCI device on bus 1 moves to bus 2 behind a new pcie-to-pci-bridge, reported once")
    func busBump() throws {
        let m = Marked.q35("""
                <sound model='ich6'>
                  <address type='pci' bus='⟨⟩0x01' slot='0x01'/>
                </sound>
            """)
        let diags = m.check()
        let d = m.expectOne(.addressBusAdded, .warning, in: diags)
        #expect(d?.message.contains("a pcie-root-port index 1 and a pcie-to-pci-bridge index 2 and rewrites this address to 0000:02:01.0") == true)
        let fix = try #require(d?.fixIts.first)
        #expect(fix.replacement == "0x02")
        let fixed = try #require(m.applying(fix))
        let after = Marked(fixed).check()
        #expect(!after.hasErrors && !after.contains { $0.message.contains("rewrites") }, "\(Marked(fixed).render(after))")
    }

    @Test("an index gap is filled with the machine's default bridge")
    func gap() {
        let m = Marked.q35("""
                <controller type='pci' index='1' model='pcie-root-port'/>
                <controller type='pci' index='3' model='pcie-root-port'/>
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' bus='⟨⟩0x02' slot='0x00'/>
                </disk>
            """)
        let d = m.expectOne(.addressBusAdded, .warning, in: m.check())
        #expect(d?.message.contains("fills the index gap with a pcie-root-port index 2") == true)
    }
}
