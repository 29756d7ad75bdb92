import Testing
@testable import PCIPlan

/// The walk over explicit addresses: duplicates, slot ranges, bus compatibility, integrated
/// devices, PCI domains, and the errors it collects without stopping.
@Suite("check: explicit addresses")
struct CheckAddressTests {
    @Test("two devices on one address: the error at the second names both, a note points at the first")
    func duplicate() throws {
        let m = Marked.pc("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  ⟨first⟩<address type='pci' slot='0x04'/>
                </disk>
                <interface type='network'>
                  <mac address='52:54:00:00:00:01'/>
                  <source network='default'/>
                  <model type='virtio'/>
                  ⟨⟩<address type='pci' slot='0x04'/>
                </interface>
            """)
        let d = m.expectOne(.addressInUse, .error, in: m.check())
        #expect(d?.message == "interface 52:54:00:00:00:01 and disk 'vda' both use PCI address 0000:00:04.0")
        m.expectNote(d, containing: "disk 'vda' uses 0000:00:04.0 here", at: "first")
        m.expectNote(d, containing: "Attempted double use of PCI Address 0000:00:04.0")
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix).map { Marked($0).check().hasErrors } == false)
    }

    @Test("every duplicate is reported, not just the first")
    func everyDuplicate() {
        let m = Marked.pc("""
                <sound model='ich6'><address type='pci' slot='0x05'/></sound>
                <sound model='ac97'>⟨a⟩<address type='pci' slot='0x05'/></sound>
                <sound model='es1370'>⟨b⟩<address type='pci' slot='0x05'/></sound>
                <watchdog model='i6300esb'><address type='pci' slot='0x06'/></watchdog>
                <rng model='virtio'><backend model='random'>/dev/urandom</backend>⟨c⟩<address type='pci' slot='0x06'/></rng>
            """)
        let diags = m.check().with(.addressInUse)
        #expect(diags.count == 3, "\(m.render(diags))")
        for (d, marker) in zip(diags, ["a", "b", "c"]) { m.expect(d.range, at: marker, m.render([d])) }
    }

    @Test("the PIIX3 functions of a pc machine", arguments: [
        ("0x0", "the PIIX3 ISA bridge"), ("0x3", "the PIIX4 ACPI power-management function"),
    ])
    func piix3(_ function: String, _ holder: String) {
        let m = Marked.pc("""
                <sound model='ich6'>
                  ⟨⟩<address type='pci' slot='0x01' function='\(function)'/>
                </sound>
            """)
        let d = m.expectOne(.addressReserved, .error, in: m.check())
        #expect(d?.message.contains(holder) == true)
    }

    @Test("00:01.1 is the IDE controller's: with one, libvirt refuses; without, QEMU refuses to start")
    func piix3IDE() {
        let with = Marked.pc("""
                ⟨ide⟩<controller type='ide' index='0'/>
                <memballoon model='virtio'>
                  ⟨⟩<address type='pci' slot='1' function='1'/>
                </memballoon>
            """)
        let d = with.expectOne(.addressReserved, .error, in: with.check())
        with.expectNote(d, containing: "ide controller index 0 uses 0000:00:01.1 here")
        with.expectNote(d, containing: "Attempted double use of PCI Address 0000:00:01.1")
        let without = Marked.pc("""
                <memballoon model='virtio'>
                  ⟨⟩<address type='pci' slot='1' function='1'/>
                </memballoon>
            """)
        let q = without.expectOne(.addressReserved, .error, in: without.check())
        without.expectNote(q, containing: "QEMU 7.2 refuses to start it")
    }

    @Test("the ICH9 functions of a q35 machine", arguments: [("0x0", "LPC"), ("0x2", "sata controller index 0"), ("0x3", "SMBus")])
    func ich9(_ function: String, _ holder: String) {
        let m = Marked.q35("""
                <sound model='ich9'>
                  ⟨⟩<address type='pci' slot='0x1f' function='\(function)'/>
                </sound>
            """)
        let d = m.expectOne(.addressReserved, .error, in: m.check())
        #expect(d?.message.contains(holder) == true, "\(m.render(m.check()))")
    }

    @Test("the chipset controllers must stay at their chipset address", arguments: [
        ("pc-i440fx-7.2", "<controller type='ide' index='0'>⟨⟩<address type='pci' slot='0x05'/></controller>", "0:0:1.1"),
        ("pc-i440fx-7.2", "<controller type='usb' index='0' model='piix3-uhci'>⟨⟩<address type='pci' slot='0x05'/></controller>", "0:0:1.2"),
        ("pc-q35-7.2", "<controller type='sata' index='0'>⟨⟩<address type='pci' slot='0x05'/></controller>", "0:0:1f.2"),
    ])
    func fixedControllers(_ machine: String, _ device: String, _ libvirt: String) throws {
        let m = Marked(Marked.domain(machine, device))
        let d = m.expectOne(.chipsetFixed, .error, in: m.check())
        m.expectNote(d, containing: "must have PCI address \(libvirt)")
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix).map { Marked($0).check().hasErrors } == false)
    }

    // Slot 0 of bus 0 cannot even be asked for: 0000:00:00.x is libvirt's "assign one for me".
    @Test("slot 0 of a bridge, and slots other than 0 behind a root port", arguments: [
        ("pc-q35-7.2", "<controller type='pci' index='1' model='pcie-root-port'/><controller type='pci' index='2' model='pcie-to-pci-bridge'/>",
         "bus='0x02' slot='⟨⟩0x00'", "SHPC", "slot must be >= 1"),
        ("pc-i440fx-7.2", "<controller type='pci' index='1' model='pci-bridge'/>", "bus='0x01' slot='⟨⟩0x00'", "SHPC", "slot must be >= 1"),
        ("pc-q35-7.2", "<controller type='pci' index='1' model='pcie-root-port'/>", "bus='0x01' slot='⟨⟩0x03'", "single slot, 0x00", "slot must be <= 0"),
    ])
    func slotRange(_ machine: String, _ controller: String, _ address: String, _ why: String, _ libvirt: String) throws {
        let m = Marked(Marked.domain(machine, """
                \(controller)
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' \(address)/>
                </disk>
            """))
        let d = m.expectOne(.addressSlotRange, .error, in: m.check())
        #expect(d?.message.contains(why) == true, "\(m.render(m.check()))")
        m.expectNote(d, containing: libvirt)
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix).map { Marked($0).check().hasErrors } == false)
    }

    @Test("a device on a bus that cannot take it, with the controller and libvirt's reason")
    func incompatibleBus() {
        let m = Marked.q35("""
                ⟨ctl⟩<controller type='pci' index='1' model='pcie-root-port'/>
                <controller type='pci' index='2' model='pcie-switch-upstream-port'>
                  <address type='pci' bus='0x01' slot='0x00'/>
                </controller>
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' bus='⟨⟩0x02' slot='0x00'/>
                </disk>
            """)
        let d = m.expectOne(.addressIncompatible, .error, in: m.check())
        #expect(d?.message.contains("accepts only pcie-switch-downstream-port") == true)
        m.expectNote(d, containing: "It requires a controller that accepts a PCI Express device.")
    }

    @Test("libvirt relaxes explicit addresses: a conventional PCI device on pcie-root is fine")
    func relaxedFromConfig() {
        let m = Marked.q35("""
                <interface type='network'>
                  <source network='default'/>
                  <model type='rtl8139'/>
                  <address type='pci' slot='0x05'/>
                </interface>
            """)
        #expect(!m.check().hasErrors)
    }

    @Test("an integrated device must sit on bus 0")
    func integrated() throws {
        let m = Marked.q35("""
                <controller type='pci' index='1' model='pcie-root-port'/>
                <iommu model='virtio'>
                  <address type='pci' bus='⟨⟩0x01' slot='0x00'/>
                </iommu>
            """)
        let d = m.expectOne(.addressIntegrated, .error, in: m.check())
        m.expectNote(d, containing: "needs to be an integrated device (bus=0)")
        #expect(d?.fixIts.first?.replacement == "0x00")
    }

    @Test("only PCI domain 0 exists")
    func domain() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  <address type='pci' domain='⟨⟩0x0001' slot='0x05'/>
                </sound>
            """)
        let d = m.expectOne(.addressDomain, .error, in: m.check())
        m.expectNote(d, containing: "Only PCI domain 0 is available")
    }

    @Test("a pci-bridge on a bus no controller provides: libvirt cannot add a bus for a bridge")
    func cannotGrowForBridge() {
        let m = Marked.pc("""
                <controller type='pci' index='6' model='pci-bridge'>
                  <address type='pci' bus='⟨⟩0x07' slot='0x01'/>
                </controller>
            """)
        let d = m.expectOne(.addressNoBus, .error, in: m.check())
        m.expectNote(d, containing: "model='pci-bridge', but none is available")
    }

    @Test("a USB2 companion without an address would land on a taken function")
    func usb2Companion() {
        // (libvirt wants some USB controller without <master> in the XML: the xhci)
        let m = Marked.pc("""
                <controller type='usb' index='1' model='qemu-xhci'/>
                ⟨⟩<controller type='usb' index='0' model='ich9-uhci1'>
                  <master startport='0'/>
                </controller>
                <controller type='usb' index='0' model='ich9-uhci2'>
                  <master startport='2'/>
                  ⟨owner⟩<address type='pci' slot='0x04' function='0x0'/>
                </controller>
            """)
        let d = m.expectOne(.addressInUse, .error, in: m.check())
        m.expectNote(d, containing: "uses 0000:00:04.0 here", at: "owner")
    }

    @Test("problems of different kinds are all reported in one run, and the planner stays quiet")
    func allAtOnce() {
        let m = Marked.pc("""
                <controller type='pci' index='1' model='pci-bridge'/>
                <sound model='ich6'><address type='pci' slot='0x05'/></sound>
                <sound model='ac97'>⟨a⟩<address type='pci' slot='0x05'/></sound>
                <sound model='es1370'><address type='pci' bus='0x01' slot='⟨b⟩0x00'/></sound>
                <watchdog model='i6300esb'>⟨c⟩<address type='pci' slot='0x01'/></watchdog>
                <memballoon model='virtio'><address type='pci' domain='⟨d⟩2' slot='0x07'/></memballoon>
            """)
        let diags = m.check()
        m.expectOne(.addressInUse, .error, at: "a", in: diags)
        m.expectOne(.addressSlotRange, .error, at: "b", in: diags)
        m.expectOne(.addressReserved, .error, at: "c", in: diags)
        m.expectOne(.addressDomain, .error, at: "d", in: diags)
        #expect(diags.errors.count == 4, "\(m.render(diags))")
    }
}
