import Testing
@testable import PCIPlan

/// Address syntax as libvirt's parser reads it (DomainReader), located to the byte.
@Suite("check: address syntax")
struct CheckSyntaxTests {
    @Test("hexadecimal without 0x is not a number for libvirt; the fix adds the prefix")
    func unprefixedHex() throws {
        let m = Marked.pc("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='⟨⟩1f' function='0x0'/>
                </disk>
            """)
        let d = m.expectOne(.addressBadNumber, .error, in: m.check())
        #expect(d?.message.contains("slot='1f'") == true)
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix)?.contains("slot='0x1f'") == true)
    }

    @Test("a bus that is not a non-negative number is refused", arguments: ["-1", "abc", "", "0x"])
    func negativeOrGarbage(_ value: String) {
        let m = Marked.pc("""
                <interface type='network'>
                  <source network='default'/>
                  <address type='pci' bus='⟨⟩\(value)' slot='0x03'/>
                </interface>
            """)
        m.expectOne(.addressBadNumber, .error, in: m.check())
    }

    @Test("a leading zero is octal for libvirt: a warning with the value it reads")
    func octal() throws {
        let m = Marked.pc("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' slot='⟨⟩010'/>
                </disk>
            """)
        let diags = m.check()
        let d = m.expectOne(.addressAmbiguousNumber, .warning, in: diags)
        #expect(d?.message.contains("(8 = 0x8)") == true)
        #expect(!diags.hasErrors)
        let fix = try #require(d?.fixIts.first)
        #expect(m.applying(fix)?.contains("slot='0x08'") == true)
    }

    @Test("bus, slot and function ranges", arguments: [
        ("bus='⟨⟩0x100' slot='0x03'", "bus='0x100', must be <= 0xFF"),
        ("slot='⟨⟩0x20'", "slot='0x20', must be <= 0x1F"),
        ("slot='0x03' function='⟨⟩8'", "function=0x8, must be <= 7"),
    ])
    func ranges(_ attrs: String, _ text: String) {
        let m = Marked.pc("""
                <sound model='ich6'>
                  <address type='pci' \(attrs)/>
                </sound>
            """)
        let d = m.expectOne(.addressRange, .error, in: m.check())
        #expect(d?.message.contains(text) == true)
    }

    @Test("multifunction takes only on or off")
    func badMultifunction() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  <address type='pci' slot='0x05' multifunction='⟨⟩yes'/>
                </sound>
            """)
        m.expectOne(.addressBadMultifunction, .error, in: m.check())
    }

    @Test("an empty address drops its function: a warning, and the device is planned")
    func emptyAddress() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  ⟨⟩<address type='pci' function='0x2'/>
                </sound>
            """)
        let diags = m.check()
        m.expectOne(.addressIgnored, .warning, in: diags)
        #expect(!diags.hasErrors)
    }

    @Test("an address without a type")
    func missingType() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  ⟨⟩<address slot='0x05'/>
                </sound>
            """)
        m.expectOne(.addressMissingType, .error, in: m.check())
    }

    @Test("every syntax problem of a file is reported in one run")
    func allAtOnce() {
        let m = Marked.pc("""
                <sound model='ich6'>
                  <address type='pci' slot='⟨a⟩0x20'/>
                </sound>
                <sound model='ac97'>
                  <address type='pci' slot='⟨b⟩1g'/>
                </sound>
                <sound model='es1370'>
                  <address type='pci' slot='0x07' multifunction='⟨c⟩true'/>
                </sound>
            """)
        let diags = m.check()
        m.expectOne(.addressRange, .error, at: "a", in: diags)
        m.expectOne(.addressBadNumber, .error, at: "b", in: diags)
        m.expectOne(.addressBadMultifunction, .error, at: "c", in: diags)
    }
}
