import Testing
@testable import PCIPlan

/// `<target>` options per controller model and their ranges (recorded with the oracle: see the
/// `fuzz-ctrl-target-*` goldens).
@Suite("check: controller target options")
struct CheckControllerOptionTests {
    @Test("hotplug is not an option of a pci-bridge")
    func hotplugOnBridge() {
        let m = Marked.pc("""
                <controller type='pci' index='0' model='pci-root'/>
                <controller type='pci' index='1' model='pci-bridge'><target ⟨⟩hotplug='off'/></controller>
            """)
        let d = m.expectOne(.controllerOption, .error, in: m.check())
        m.expectNote(d, containing: "Option 'hotplug' is not valid for PCI controller with index '1', model 'pci-bridge' and modelName 'pci-bridge'")
        #expect(m.plan().planned == nil)
    }

    @Test("busNr must be 1-254")
    func busNrRange() {
        let m = Marked.pc("""
                <controller type='pci' index='0' model='pci-root'/>
                <controller type='pci' index='1' model='pci-expander-bus'><target busNr='⟨⟩0'/></controller>
            """)
        let d = m.expectOne(.controllerOption, .error, in: m.check())
        m.expectNote(d, containing: "PCI controller busNr '0' out of range - must be 1-254")
    }

    @Test("chassis and port on a root port, hotplug on a root port: accepted")
    func validOptions() {
        let m = Marked.q35("""
                <controller type='pci' index='1' model='pcie-root-port'><target chassis='0' port='0x10' hotplug='off'/></controller>
            """)
        #expect(m.check().with(.controllerOption).isEmpty)
        #expect(m.plan().planned != nil)
    }
}
