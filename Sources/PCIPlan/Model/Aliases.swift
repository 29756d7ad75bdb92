/// libvirt's device alias names (`qemu_alias.c`), used in messages and as QEMU `id`s.
public enum Aliases {
    public static func assign(_ devices: inout [Device], controllerOrder: [Int]) {
        var counters: [String: Int] = [:]
        func next(_ prefix: String) -> String {
            let n = counters[prefix, default: 0]
            counters[prefix] = n + 1
            return "\(prefix)\(n)"
        }
        for i in devices.indices {
            let d = devices[i]
            switch d.kind {
            case .controller:
                guard let c = d.controller, let idx = c.index else { continue }
                switch c.type {
                case "pci": devices[i].alias = c.pciModel == .pcieRoot ? "pcie.\(idx)" : "pci.\(idx)"
                case "usb" where idx == 0: devices[i].alias = "usb"
                case "ide" where idx == 0: devices[i].alias = "ide"
                case "sata" where idx == 0: devices[i].alias = "ide"
                default: devices[i].alias = "\(c.type)\(idx)"
                }
            case .disk:
                let dev = d.element?.child("target")?[attribute: "dev"] ?? ""
                let prefix = d.bus == "virtio" ? "virtio-disk" : "\(d.bus ?? "disk")"
                devices[i].alias = "\(prefix)\(Define.diskNameIndex(dev))"
            case .interface:
                devices[i].alias = d.subtype == "hostdev" ? next("hostdev") : next("net")
            case .hostdev: devices[i].alias = next("hostdev")
            case .video: devices[i].alias = next("video")
            case .sound: devices[i].alias = next("sound")
            case .memballoon: devices[i].alias = "balloon0"
            case .rng: devices[i].alias = next("rng")
            case .watchdog: devices[i].alias = next("watchdog")
            case .input: devices[i].alias = next("input")
            case .shmem: devices[i].alias = next("shmem")
            case .filesystem: devices[i].alias = next("fs")
            case .serial: devices[i].alias = next("serial")
            case .vsock: devices[i].alias = "vsock0"
            case .iommu: devices[i].alias = "iommu0"
            case .memory: devices[i].alias = next(d.model == "virtio-mem" ? "virtiomem" : "virtiopmem")
            default: break
            }
        }
    }
}
