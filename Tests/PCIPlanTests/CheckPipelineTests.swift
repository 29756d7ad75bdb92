import Foundation
import Testing
@testable import PCIPlan

/// How `Pipeline.check` combines the checker and the planner (the catalogue: CatalogueTests).
@Suite("check: pipeline")
struct CheckPipelineTests {
    @Test("a clean domain has no findings at all")
    func clean() {
        let m = Marked.q35("""
                <disk type='file' device='disk'>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <interface type='network'>
                  <source network='default'/>
                  <model type='virtio'/>
                </interface>
            """)
        #expect(m.check().isEmpty, "\(m.render(m.check()))")
    }

    @Test("what only planning finds is reported when the explicit addresses are fine")
    func plannerFindings() {
        let m = Marked.q35("""
                ⟨⟩<controller type='pci' index='1' model='pci-bridge'/>
            """)
        let diags = m.check()
        m.expectOne(.controllerIndexNotAboveBus, .error, in: diags)
    }

    @Test("when the checker finds errors the planner does not run, so nothing is reported twice")
    func noDoubleReport() {
        let m = Marked.pc("""
                <sound model='ich6'><address type='pci' slot='0x05'/></sound>
                <sound model='ac97'><address type='pci' slot='0x05'/></sound>
            """)
        let diags = m.check()
        #expect(diags.errors.count == 1, "\(m.render(diags))")
    }

    @Test("the planner's own warning about the bus bump is not repeated")
    func dedupe() {
        let m = Marked.q35("""
                <sound model='ich6'><address type='pci' bus='0x01' slot='0x01'/></sound>
            """)
        #expect(m.check().with(.addressBusAdded).count == 1, "\(m.render(m.check()))")
    }

    @Test("diagnostics come in file order")
    func fileOrder() {
        let m = Marked.pc("""
                <sound model='es1370'><address type='pci' bus='0x02' slot='0x00'/></sound>
                <controller type='pci' index='2' model='pci-bridge'/>
                <controller type='scsi' index='0x1'/>
            """)
        let starts = m.check().compactMap { $0.range?.start }
        #expect(starts == starts.sorted())
    }
}
