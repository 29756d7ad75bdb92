import Testing
@testable import PCIPlan

/// USB controller rules libvirt 9.0 applies at define (each recorded with the oracle: see the
/// `fuzz-usb-*` goldens).
@Suite("check: USB controllers")
struct CheckUSBTests {
    @Test("two USB controllers that are not companions cannot share an index")
    func duplicateIndex() {
        let m = Marked.pc("""
                <controller type='usb' index='0' model='piix3-uhci'/>
                <controller type='usb' index='⟨⟩0' model='piix4-uhci'/>
            """)
        let d = m.expectOne(.controllerUSBDuplicateIndex, .error, in: m.check())
        m.expectNote(d, containing: "Duplicate USB controllers with index 0")
        #expect(m.plan().planned == nil)
    }

    @Test("ich9 companions share their master's index")
    func companionsShare() {
        let m = Marked.q35("""
                <controller type='usb' index='0' model='ich9-ehci1'/>
                <controller type='usb' index='0' model='ich9-uhci1'/>
                <controller type='usb' index='0' model='ich9-uhci2'/>
            """)
        #expect(!m.check().contains { $0.id.rawValue.hasPrefix("controller.usb") }, "\(m.render(m.check()))")
        #expect(m.plan().planned != nil)
    }

    @Test("model='none' disables USB: no other USB controller and no USB input")
    func usbDisabled() {
        let m = Marked.pc("""
                <controller type='usb' index='0' model='none'/>
                ⟨ctl⟩<controller type='usb' index='1' model='qemu-xhci'/>
                ⟨in⟩<input type='tablet' bus='usb'/>
            """)
        let diags = m.check()
        m.expectOne(.controllerUSBDisabled, .error, at: "ctl", in: diags)
        m.expectOne(.controllerUSBDeviceDisabled, .error, at: "in", in: diags)
        #expect(m.plan().planned == nil)
    }

    // libvirt 9.0's two texts, recorded in the goldens fuzz-usb-input-usb-disabled and
    // pc-err-usb-disk-usb-disabled (expected.err).
    @Test("a USB input device or disk while model='none' quotes libvirt's own refusal for each", arguments: [
        ("<input type='tablet' bus='usb'/>", "Can't add USB input device. USB bus is disabled"),
        ("<disk type='file' device='disk'><target dev='sda' bus='usb'/></disk>",
         "USB is disabled for this domain, but USB devices are present in the domain XML"),
    ])
    func usbDeviceWhileDisabledQuotesLibvirt(_ device: String, _ libvirt: String) {
        let m = Marked.pc("""
                ⟨off⟩<controller type='usb' index='0' model='none'/>
                ⟨⟩\(device)
            """)
        let d = m.expectOne(.controllerUSBDeviceDisabled, .error, in: m.check())
        m.expectNote(d, containing: "USB is disabled here", at: "off")
        m.expectNote(d, containing: "libvirt 9.0 rejects this definition: \(libvirt)")
    }

    @Test("companions without a master of their own index: a warning (libvirt accepts, cannot start)")
    func companionWithoutOwnMaster() {
        let m = Marked.pc("""
                <controller type='usb' index='0' model='piix3-uhci'/>
                ⟨⟩<controller type='usb' index='1' model='ich9-uhci1'/>
            """)
        let d = m.expectOne(.controllerUSBCompanionIndex, .warning, in: m.check())
        #expect(d?.message.contains("masterbus not found") == true)
        #expect(m.plan().planned != nil)
    }

    @Test("companions with no master controller anywhere in the XML: libvirt refuses the definition")
    func noMasterAtAll() {
        let m = Marked.q35("""
                ⟨⟩<controller type='usb' index='0' model='ich9-uhci1'/>
            """)
        let d = m.expectOne(.controllerUSBCompanionNoMaster, .error, in: m.check())
        m.expectNote(d, containing: "No master USB controller specified")
        #expect(m.plan().planned == nil)
    }
}
