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

    @Test("a hand-written domain with six independent faults gets six errors in one run, each on its element, in file order")
    func everyProblemInOneRun() {
        // Two of the faults are address syntax (slot 0x20, multifunction='yes'), which once
        // stopped the run before the checker looked at any other device.
        let m = Marked.q35("""
                <controller type='pci' index='1' model='pcie-root-port'><address type='pci' bus='0x00' slot='0x02'/></controller>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='0x01' slot='0x00'/></disk>
                <disk type='file' device='disk'><target dev='vdb' bus='virtio'/>⟨inUse⟩<address type='pci' bus='0x01' slot='0x00'/></disk>
                <interface type='network'><model type='virtio'/><address type='pci' domain='⟨domain⟩0x0001' bus='0x00' slot='0x05'/></interface>
                <interface type='network'><model type='e1000e'/><address type='pci' bus='0x00' slot='⟨slot⟩0x20'/></interface>
                <controller type='pci' index='2' model='pci-bridge'><address type='pci' bus='⟨bridge⟩0x03' slot='0x01'/></controller>
                <controller type='pci' index='3' model='pcie-to-pci-bridge'><address type='pci' bus='⟨incompatible⟩0x00' slot='0x06'/></controller>
                <rng model='virtio'><backend model='random'>/dev/urandom</backend><address type='pci' bus='0x00' slot='0x07' multifunction='⟨multi⟩yes'/></rng>
            """)
        let diags = m.check()
        m.expectOne(.addressInUse, .error, at: "inUse", in: diags)
        m.expectOne(.addressDomain, .error, at: "domain", in: diags)
        m.expectOne(.addressRange, .error, at: "slot", in: diags)
        m.expectOne(.controllerIndexNotAboveBus, .error, at: "bridge", in: diags)
        m.expectOne(.addressIncompatible, .error, at: "incompatible", in: diags)
        m.expectOne(.addressBadMultifunction, .error, at: "multi", in: diags)
        #expect(diags.errors.count == 6, "\(m.render(diags))")
        let starts = diags.compactMap { $0.range?.start }
        #expect(starts == starts.sorted(), "\(m.render(diags))")
    }

    @Test("a pcie-to-pci-bridge no root port is free for is reported on its element in plain words, with libvirt's 'connect flags' text as a note")
    func connectFlagsInPlainWords() {
        let m = Marked.q35("""
                <controller type='pci' index='1' model='pcie-root-port'/>
                <disk type='file' device='disk'><target dev='vda' bus='virtio'/><address type='pci' bus='0x01' slot='0x00'/></disk>
                ⟨⟩<controller type='pci' index='2' model='pcie-to-pci-bridge'/>
            """)
        let diags = m.check()
        let d = m.expectOne(.planCannotAddController, .error, in: diags)
        #expect(d?.message.contains("pcie-to-pci-bridge index 2 has no address") == true, "\(m.render(diags))")
        #expect(d?.message.contains("flags") == false, "\(m.render(diags))")
        m.expectNote(d, containing: "Cannot automatically add a new PCI bus for a device with connect flags 2000")
        #expect(d?.fixIts.first?.message.contains("pcie-root-port with an index below 2") == true, "\(m.render(diags))")
    }

    @Test("a pci-bridge libvirt adds and cannot place is reported on the device it was added for, not on <devices>")
    func addedControllerBlamesItsDevice() throws {
        // pc: bus 0 full of written devices (slot 1 is the PIIX3), so the NIC without an address needs a new bus.
        let written = (2...31).map { "<sound model='ich6'><address type='pci' slot='0x\(String($0, radix: 16))'/></sound>" }
        let m = Marked.pc(written.joined(separator: "\n") + """

                ⟨⟩<interface type='network'><mac address='52:54:00:00:00:01'/><model type='e1000'/></interface>
            """)
        let diags = m.check()
        let d = try #require(diags.first { $0.severity == .error }, "\(m.render(diags))")
        m.expect(d.range, at: "", m.render(diags))
        #expect(d.message.contains("libvirt adds pci-bridge index 1 (interface 52:54:00:00:00:01"), "\(m.render(diags))")
        #expect(!d.fixIts.isEmpty, "\(m.render(diags))")
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
