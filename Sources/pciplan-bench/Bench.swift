import Foundation
import PCIPlan

/// `swift run -c release pciplan-bench [N...]`: plans generated domains with N devices and
/// prints the time per plan, so planning cost can be watched as domains grow (it should stay
/// roughly linear in the number of devices).
@main
struct Bench {
    static func domain(machine: String, disks: Int, nics: Int) -> String {
        var s = "<domain type='kvm'>\n  <name>bench</name>\n  <memory unit='GiB'>4</memory>\n"
        s += "  <os>\n    <type arch='x86_64' machine='\(machine)'>hvm</type>\n  </os>\n  <devices>\n"
        // Large pc guests declare their bridges: libvirt 9.0's own growth gives up after
        // a few dozen (its dry run keeps no slot for the next bridge).
        if machine == "pc" && disks + nics > 200 {
            s += "    <controller type='pci' index='0' model='pci-root'/>\n"
            for b in 1...((disks + nics) / 29 + 2) { s += "    <controller type='pci' index='\(b)' model='pci-bridge'/>\n" }
        }
        for i in 0..<disks {
            s += "    <disk type='file' device='disk'>\n      <source file='/img/\(i).qcow2'/>\n"
            s += "      <target dev='vd\(diskName(i))' bus='virtio'/>\n    </disk>\n"
        }
        for i in 0..<nics {
            s += "    <interface type='user'>\n      <mac address='52:54:00:00:\(String(format: "%02x:%02x", i / 256, i % 256))'/>\n"
            s += "      <model type='\(i % 3 == 0 ? "e1000" : "virtio")'/>\n    </interface>\n"
        }
        return s + "  </devices>\n</domain>\n"
    }

    static func diskName(_ i: Int) -> String {
        var n = i + 1
        var s = ""
        while n > 0 {
            n -= 1
            s = String(UnicodeScalar(UInt8(97 + n % 26))) + s
            n /= 26
        }
        return s
    }

    static func time<T>(_ f: () -> T) -> (T, Double) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = f()
        return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }

    /// Time of each pipeline stage on the largest case (to find what grows faster than linear).
    static func stages(_ text: String) {
        let file = SourceFile(name: "bench.xml", text: text)
        let (root, tRead) = time { try? XMLReader.parse(file) }
        guard let root else { return }
        let ((def, _), tModel) = time { DomainReader.read(file, root: root) }
        guard let def else { return }
        let ((n, _), tDefine) = time { Define.normalize(def) }
        let (_, tCheck) = time { Checker.preflight(n) }
        let ((planned, _), tPlan) = time { Planner.plan(n) }
        guard let planned else { return }
        let (_, tWrite) = time { XMLWriter.render(planned) }
        print(String(format: "  stages (ms): read %.1f  model %.1f  define %.1f  preflight %.1f  plan %.1f  write %.1f",
                     tRead, tModel, tDefine, tCheck, tPlan, tWrite))
    }

    static func main() {
        if CommandLine.arguments.dropFirst().first == "--stages" {
            for n in [1000, 2000, 5000] { stages(domain(machine: "pc", disks: n, nics: n / 5)) }
            return
        }
        let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let cases: [(String, Int, Int)] = sizes.isEmpty
            ? [("pc", 100, 20), ("pc", 1000, 200), ("pc", 2000, 400), ("pc", 5000, 1000), ("q35", 150, 50)]
            : sizes.map { ("pc", $0, $0 / 5) }
        print("machine  devices  bytes      plan (ms, best of 5)  per device (µs)")
        for (machine, wanted, nics) in cases {
            // libvirt 9.0 itself rejects some device counts (no slot left for the next
            // bridge); step to the next count it accepts.
            var disks = wanted
            while disks < wanted + 8, Pipeline.plan(SourceFile(name: "b", text: domain(machine: machine, disks: disks, nics: nics))).planned == nil {
                disks += 1
            }
            let text = domain(machine: machine, disks: disks, nics: nics)
            let file = SourceFile(name: "bench.xml", text: text)
            var best = Double.infinity
            var ok = true
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let outcome = Pipeline.plan(file)
                let out = outcome.planned.map { XMLWriter.render($0) }
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                ok = out != nil
                best = min(best, dt)
            }
            let n = disks + nics
            if !ok, let d = Pipeline.plan(file).diagnostics.first(where: { $0.severity == .error }) {
                print("  rejected: \(d.message)")
            }
            print(String(format: "%-8@ %7d  %9d  %10.1f%@  %14.1f", machine as NSString, n, text.utf8.count, best,
                         (ok ? "" : " (rejected)") as NSString, best * 1000 / Double(n)))
        }
    }
}
