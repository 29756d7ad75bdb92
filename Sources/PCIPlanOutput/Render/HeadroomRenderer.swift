import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// `headroom` as text and JSON (also a section of `plan --format json` and the tree).
public enum HeadroomRenderer {
    /// A few lines a person reads: what can be hot-plugged now and what fits cold.
    public static func text(_ h: Headroom, plan: PlannedDomain) -> String {
        var out = ""
        let express = plan.family.descriptor.pciExpress
        if express {
            out += "hot-plug now: \(h.pcieHotplug) PCI Express endpoint(s), \(h.conventionalHotplug) conventional PCI device(s), \(h.multifunctionGroups) multifunction group(s)\n"
            if !h.freePorts.isEmpty {
                out += "  free hot-pluggable ports: \(h.freePorts.map { "pci.\($0)" }.joined(separator: ", "))\n"
            }
            out += "cold, without a new controller: \(h.pcieCold) PCI Express endpoint(s), \(h.conventionalCold) conventional PCI device(s)\n"
            if h.pcieHotplug == 0 {
                out += "the next hot-plug of a PCI Express device will fail (libvirt: No more available PCI slots); plan with --hotplug-ports N to keep N free root ports\n"
            }
        } else {
            out += "hot-plug now: \(h.conventionalHotplug) PCI device(s), \(h.multifunctionGroups) multifunction group(s)\n"
            out += "cold, without a new controller: \(h.conventionalCold) PCI device(s)\n"
            if h.rootNeedsACPI {
                out += "the root bus has free slots, but without <acpi/> QEMU cannot hot-plug into it\n"
            }
            if h.conventionalHotplug == 0 {
                out += "the next hot-plug will fail; plan with --hotplug-slots N to keep N free slots\n"
            }
        }
        return out
    }

    /// `{"pcieHotplug": …, "conventionalHotplug": …, "multifunctionGroups": …, "pcieCold": …,
    /// "conventionalCold": …, "freePorts": [indexes], "rootNeedsACPI": bool}`.
    public static func json(_ h: Headroom) -> JSONValue {
        .object([
            "pcieHotplug": .int(h.pcieHotplug),
            "conventionalHotplug": .int(h.conventionalHotplug),
            "multifunctionGroups": .int(h.multifunctionGroups),
            "pcieCold": .int(h.pcieCold),
            "conventionalCold": .int(h.conventionalCold),
            "freePorts": .array(h.freePorts.map { .int($0) }),
            "rootNeedsACPI": .bool(h.rootNeedsACPI),
        ])
    }
}
