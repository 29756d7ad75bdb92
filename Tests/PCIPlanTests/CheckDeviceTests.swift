import Testing
@testable import PCIPlan

/// Device rules libvirt applies at define: address types a device cannot have, the same host
/// device twice. `plan` refuses these too (they are preflight checks).
@Suite("check: devices libvirt refuses at define")
struct CheckDeviceTests {
    @Test("an address type a device cannot have", arguments: [
        ("<disk type='file' device='disk'><target dev='sda' bus='scsi'/><address type='⟨⟩pci' slot='0x05'/></disk>",
         "Invalid address type 'pci' for the disk 'sda' with the bus type 'scsi'"),
        ("<disk type='file' device='disk'><target dev='hda' bus='ide'/><address type='⟨⟩pci' slot='0x05'/></disk>",
         "Invalid address type 'pci' for the disk 'hda' with the bus type 'ide'"),
        ("<disk type='file' device='disk'><target dev='sdb' bus='usb'/><address type='⟨⟩pci' slot='0x05'/></disk>",
         "unexpected address type for usb disk"),
        ("<video><model type='ramfb'/>⟨⟩<address type='pci' slot='0x02'/></video>",
         "address not supported for video type ramfb"),
        ("<iommu model='virtio'><address type='⟨⟩virtio-mmio'/></iommu>",
         "IOMMU device: 'virtio' needs a PCI address"),
        ("<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/></source><address type='⟨⟩drive' controller='0' bus='0' target='0' unit='1'/></hostdev>",
         "Unsupported address type 'drive' with mediated device model 'vfio-pci'"),
    ])
    func addressType(_ device: String, _ libvirt: String) throws {
        let m = Marked.pc("    " + device)
        let d = m.expectOne(.deviceAddressType, .error, in: m.check())
        m.expectNote(d, containing: libvirt)
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix).map { Marked($0).check().hasErrors } == false)
        #expect(m.plan().planned == nil)
    }

    @Test("a virtio disk with a drive address")
    func virtioDiskDrive() {
        let m = Marked.pc("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='⟨⟩drive' controller='0' bus='0' unit='0'/>
                </disk>
            """)
        let d = m.expectOne(.addressWrongType, .error, in: m.check())
        m.expectNote(d, containing: "virtio disk cannot have an address of type 'drive'")
    }

    @Test("the same host PCI device passed through twice, even written differently")
    func duplicateHostdev() {
        let m = Marked.pc("""
                ⟨first⟩<hostdev mode='subsystem' type='pci' managed='yes'>
                  <source><address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>
                </hostdev>
                <hostdev mode='subsystem' type='pci' managed='yes'>
                  <source>⟨⟩<address bus='6' slot='0x12' function='5'/></source>
                </hostdev>
            """)
        let d = m.expectOne(.hostdevDuplicate, .error, in: m.check())
        #expect(d?.message.contains("host PCI device 0000:06:12.5") == true)
        m.expectNote(d, containing: "passes the same host device through here", at: "first")
        m.expectNote(d, containing: "Hostdev already exists in the domain configuration")
        #expect(m.plan().planned == nil)
    }

    @Test("an interface of type hostdev counts as a host device")
    func interfaceHostdev() {
        let m = Marked.pc("""
                <interface type='hostdev' managed='yes'>
                  <source><address type='pci' domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>
                </interface>
                <hostdev mode='subsystem' type='pci' managed='yes'>
                  <source>⟨⟩<address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>
                </hostdev>
            """)
        m.expectOne(.hostdevDuplicate, .error, in: m.check())
    }

    @Test("two different host devices are fine")
    func distinctHostdevs() {
        let m = Marked.pc("""
                <hostdev mode='subsystem' type='pci' managed='yes'>
                  <source><address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>
                </hostdev>
                <hostdev mode='subsystem' type='pci' managed='yes'>
                  <source><address domain='0x0000' bus='0x06' slot='0x12' function='0x6'/></source>
                </hostdev>
            """)
        #expect(!m.check().hasErrors)
    }
}
