import Foundation
import PCIPlanLibvirt
import Testing

/// `--connect URI --domain NAME` against a real libvirtd (`../shared/oracle/setup start`): what
/// pciplan reads from libvirt gives the same answers as the XML `virsh dumpxml` prints. Each
/// test defines its own domain under a unique name and removes it, whatever happens. Without a
/// libvirtd answering on qemu:///system these tests are skipped (visibly), not failed.
@Suite("reading domains from a running libvirt (--connect)")
struct LibvirtConnectTests {
    static let skip = "libvirtd does not answer on \(LibvirtDaemon.uri) (../shared/oracle/setup start)"

    /// A small q35 guest: three bare root ports, one virtio NIC. TCG (`type='qemu'`), as the
    /// oracle's libvirtd runs it.
    static let q35 = """
        <domain type='qemu'>
          <name>NAME</name>
          <memory unit='MiB'>128</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          <features><acpi/></features>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <controller type='pci' index='0' model='pcie-root'/>
            <controller type='pci' model='pcie-root-port'/>
            <controller type='pci' model='pcie-root-port'/>
            <controller type='pci' model='pcie-root-port'/>
            <interface type='user'><mac address='52:54:00:c0:00:01'/><model type='virtio'/></interface>
            <memballoon model='none'/>
          </devices>
        </domain>
        """

    /// A NIC to hot-plug or add to the definition.
    static let nic = """
        <interface type='user'>
          <mac address='52:54:00:c0:00:02'/>
          <model type='virtio'/>
        </interface>

        """

    func connect(_ d: ScratchDomain) -> [String] { ["--connect", LibvirtDaemon.uri, "--domain", d.name] }

    @Test("plan, explain, headroom and check of --connect/--domain print what they print for virsh dumpxml --inactive",
          .enabled(if: LibvirtDaemon.answers, Comment(rawValue: skip)))
    func inactiveDefinition() throws {
        let d = try ScratchDomain(Self.q35)
        defer { d.remove() }
        let file = try d.dump("inactive.xml", inactive: true)
        let label = "\(LibvirtDaemon.uri)/\(d.name) (inactive)"
        for command in [["plan"], ["plan", "--format", "json"], ["plan", "--format", "tree"], ["explain"], ["headroom"], ["check"]] {
            let fromFile = try PCIPlanBinary.run(command + [file])
            let fromLibvirt = try PCIPlanBinary.run(command + connect(d))
            #expect(fromLibvirt.status == fromFile.status, "\(command): \(fromLibvirt.stderr)")
            #expect(fromLibvirt.stdout.replacingOccurrences(of: label, with: file) == fromFile.stdout, "\(command)")
            #expect(fromLibvirt.stderr.replacingOccurrences(of: label, with: file) == fromFile.stderr, "\(command)")
        }
        #expect(try PCIPlanBinary.run(["plan"] + connect(d)).stdout.contains("<address type='pci'"))
    }

    @Test("check --connect exits 1 on a definition libvirt accepts but QEMU refuses, naming it URI/NAME (inactive); --all checks it too",
          .enabled(if: LibvirtDaemon.answers, Comment(rawValue: skip)))
    func checkExitStatus() throws {
        let bad = Self.q35.replacingOccurrences(of: "<interface type='user'><mac address='52:54:00:c0:00:01'/><model type='virtio'/></interface>", with: """
            <interface type='user'><mac address='52:54:00:c0:00:01'/><model type='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0' multifunction='off'/></interface>
                <interface type='user'><mac address='52:54:00:c0:00:03'/><model type='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x1'/></interface>
            """)
        let d = try ScratchDomain(bad)
        defer { d.remove() }
        let label = "\(LibvirtDaemon.uri)/\(d.name) (inactive)"
        let one = try PCIPlanBinary.run(["check"] + connect(d))
        #expect(one.status == 1)
        #expect(one.errorLines.count == 1)
        #expect(one.errorLines.first?.hasPrefix("\(label):") == true, "\(one.stderr)")
        #expect(one.stderr.contains("[multifunction.offWithFunctions]"))
        // Every defined domain: ours is among them (other domains may add their own findings).
        let all = try PCIPlanBinary.run(["check", "--connect", LibvirtDaemon.uri, "--all"])
        #expect(all.status == 1, "\(all.stderr)")
        #expect(all.errorLines.contains { $0.hasPrefix("\(label):") && $0.contains("[multifunction.offWithFunctions]") })
    }

    @Test("attach and detach --live --connect read the running guest: the same answers as on virsh dumpxml, and libvirt agrees",
          .enabled(if: LibvirtDaemon.answers, Comment(rawValue: skip)))
    func liveHotplug() throws {
        let d = try ScratchDomain(Self.q35)
        defer { d.remove() }
        let device = try d.write("nic.xml", Self.nic)
        // A shut-off guest has no live XML to hot-plug into.
        let off = try PCIPlanBinary.run(["attach"] + connect(d) + [device, "--live"])
        #expect(off.status == 2)
        #expect(off.stderr == "pciplan: error: domain '\(d.name)' on \(LibvirtDaemon.uri) is not running, so it has no live XML\n")

        try LibvirtDaemon.must(["start", "--paused", d.name])
        let live = try d.dump("live.xml", inactive: false)
        let fromFile = try PCIPlanBinary.run(["attach", live, device, "--live", "--format", "device"])
        let fromLibvirt = try PCIPlanBinary.run(["attach"] + connect(d) + [device, "--live", "--format", "device"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromLibvirt.status == 0, "\(fromLibvirt.stderr)")
        #expect(fromLibvirt.stdout == fromFile.stdout)
        let address = try #require(fromLibvirt.stdout.split(separator: "\n").first { $0.contains("<address ") })

        let detachFile = try PCIPlanBinary.run(["detach", live, "net0", "--live"])
        let detachLibvirt = try PCIPlanBinary.run(["detach"] + connect(d) + ["net0", "--live"])
        #expect(detachLibvirt.status == 0, "\(detachLibvirt.stderr)")
        #expect(detachLibvirt.stdout == detachFile.stdout)

        // The real hot-plug puts the NIC at the predicted address.
        try LibvirtDaemon.must(["attach-device", d.name, device, "--live"])
        let after = try LibvirtDaemon.must(["dumpxml", d.name])
        #expect(after.contains(address.trimmingCharacters(in: .whitespaces)), "\(after)")
    }

    @Test("diff --connect compares the running guest with its definition: a NIC added with --config is reported as added",
          .enabled(if: LibvirtDaemon.answers, Comment(rawValue: skip)))
    func nextColdBoot() throws {
        let d = try ScratchDomain(Self.q35)
        defer { d.remove() }
        try LibvirtDaemon.must(["start", "--paused", d.name])
        let same = try PCIPlanBinary.run(["diff"] + connect(d))
        #expect(same.status == 0, "\(same.stderr)")
        #expect(!same.stdout.contains("[diff."), "\(same.stdout)")

        try LibvirtDaemon.must(["attach-device", d.name, try d.write("nic.xml", Self.nic), "--config"])
        let r = try PCIPlanBinary.run(["diff"] + connect(d))
        #expect(r.status == 0, "\(r.stderr)")
        let live = "\(LibvirtDaemon.uri)/\(d.name) (live)", inactive = "\(LibvirtDaemon.uri)/\(d.name) (inactive)"
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(inactive):") && $0.contains("interface 52:54:00:c0:00:02") && $0.hasSuffix("[diff.added]") },
                "\(r.stdout)")
        #expect(lines.last == "\(live) → \(inactive): 0 breaking, 0 warnings, 1 info")
    }

    @Test("an unknown domain and an unreachable daemon are one error line each, exit 2",
          .enabled(if: LibvirtDaemon.answers, Comment(rawValue: skip)))
    func libvirtErrors() throws {
        let missing = try PCIPlanBinary.run(["plan", "--connect", LibvirtDaemon.uri, "--domain", "pciplan-test-no-such-domain"])
        #expect(missing.status == 2)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.hasPrefix("pciplan: error: no domain named 'pciplan-test-no-such-domain' on \(LibvirtDaemon.uri)"))
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")

        let refused = try PCIPlanBinary.run(["check", "-c", "qemu:///system?socket=/nonexistent/libvirt-sock", "--domain", "vm1"])
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("pciplan: error: cannot connect to libvirt at 'qemu:///system?socket=/nonexistent/libvirt-sock': "))
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    }
}

/// Without libvirt installed (simulated with `PCIPLAN_LIBVIRT_SO`), `--connect` says what to
/// install; everything else never opens the library. Runs everywhere.
@Suite("--connect without libvirt installed")
struct LibvirtMissingTests {
    static let missing = ["PCIPLAN_LIBVIRT_SO": "/nonexistent/libvirt.so.0"]

    @Test("each command that reads a domain says libvirt.so.0 is not found and what to install, exit 2", arguments: [
        ["check", "--domain", "vm1"], ["check", "--all"], ["plan", "--domain", "vm1"], ["explain", "--domain", "vm1"],
        ["headroom", "--domain", "vm1"], ["diff", "--domain", "vm1"], ["attach", "--domain", "vm1", "nic.xml", "--live"],
        ["detach", "--domain", "vm1", "net0", "--config"],
    ])
    func missingLibrary(_ args: [String]) throws {
        let r = try PCIPlanBinary.run(Array(args.prefix(1)) + ["--connect", "qemu:///system"] + args.dropFirst(), environment: Self.missing)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("pciplan: error: libvirt.so.0 not found: install libvirt-clients/libvirt0"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test("files never open libvirt")
    func filesDoNotNeedLibvirt() throws {
        let example = PCIPlanBinary.packageRoot.appendingPathComponent("Examples/q35-desktop.xml").path
        let r = try PCIPlanBinary.run(["plan", example, "--format", "tree"], environment: Self.missing)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("the loader reports the file it could not open")
    func loader() {
        #expect(throws: LibvirtError.self) { try LibvirtLibrary.load(path: "/nonexistent/libvirt.so.0") }
        do {
            _ = try LibvirtLibrary.load(path: "/nonexistent/libvirt.so.0")
        } catch {
            #expect(error.description.contains("/nonexistent/libvirt.so.0: cannot open shared object file"))
        }
    }

    @Test("--domain needs --connect, --connect needs --domain (or check --all), and files and --domain exclude each other", arguments: [
        ["plan", "--domain", "vm1"], ["plan", "--connect", "qemu:///system"], ["plan", "vm.xml", "--connect", "qemu:///system", "--domain", "vm1"],
        ["check", "--all"], ["check", "--connect", "qemu:///system"], ["diff", "old.xml", "--connect", "qemu:///system", "--domain", "vm1"],
        ["attach", "--connect", "qemu:///system", "--domain", "vm1", "vm.xml", "nic.xml", "--live"], ["attach", "vm.xml", "--live"],
        ["detach", "--connect", "qemu:///system", "--domain", "vm1", "--live"], ["plan", "--connect", "qemu:///system", "--domain", "vm1", "--in-place"],
    ])
    func usage(_ args: [String]) throws {
        let r = try PCIPlanBinary.run(args, environment: Self.missing)
        #expect(r.status == 2)
        #expect(!r.stderr.contains("libvirt.so.0"), "\(r.stderr)")
    }
}
