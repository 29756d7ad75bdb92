import PCIPlanModel
import PCIPlanSource

/// Options shared by `plan` and `check`.
public struct PlanOptions: Sendable {
    /// `libvirt`: derive and persist multifunction like libvirt 9.0. `explicit`: derive nothing;
    /// a slot with functions ≥ 1 whose function 0 lacks `multifunction='on'` is an error.
    public enum MultifunctionPolicy: String, Sendable, CaseIterable {
        /// Derive `multifunction='on'` and store it, as libvirt 9.0 does.
        case libvirt
        /// Derive nothing: a slot whose function 0 lacks the bit is an error.
        case explicit
    }
    /// How `multifunction='on'` is handled; libvirt's way by default.
    public var multifunction: MultifunctionPolicy = .libvirt
    /// `--hotplug-ports N`: leave at least N free hot-pluggable root ports (PCI Express machines),
    /// by appending the fewest bare `pcie-root-port` controllers that do it.
    public var hotplugPorts: Int? = nil
    /// `--hotplug-slots N`: leave at least N free hot-pluggable conventional slots (pc), by
    /// appending the fewest bare `pci-bridge` controllers that do it.
    public var hotplugSlots: Int? = nil
    /// `--group-host-functions`: PCI host devices without a guest address that are functions of
    /// one host slot share one guest slot, with their host function numbers and
    /// `multifunction='on'` on function 0 (`Planner+HostGroups.swift`). libvirt gives each its
    /// own slot.
    public var groupHostFunctions = false
    /// `plan NEW --keep OLD --reserve-removed`: no new device takes the address a device of OLD
    /// (or a lock's `removed` list) had that NEW no longer has. Beyond libvirt, whose first fit
    /// reuses a freed slot, so a guest that names devices by slot would give the new device the
    /// removed one's name.
    public var reserveRemoved = false
    /// The addresses the planner marks used before placing anything (filled by `plan --keep`
    /// from `reserveRemoved`); never written to the output.
    public var reservedAddresses: [PCIAddress] = []
    /// Whether the planner records why: `PlannedDomain.steps`, the words of each `Provenance`
    /// of a controller it added and the reason (`DeviceOrigin.added`) of each controller its
    /// dry run added (empty without). Addresses, controllers and diagnostics are the same
    /// either way (a plan that fails or finds something is made again with them); turning
    /// them off spares building those sentences where nothing prints them — `check`, and
    /// `plan` writing XML.
    public var explanations = true
    /// Whether the planned devices carry libvirt's alias names (`Device.alias`), which QEMU
    /// arguments, JSON and drawings show. Off, `Pipeline.plan` names devices only when it finds
    /// something (every message is then worded as with names) or the machine is an Arm or
    /// RISC-V `virt`, whose virtio-mmio checks quote them; the XML written back never shows
    /// them, and `plan` writing XML turns naming off.
    public var aliases = true
    /// libvirt 9.0's behaviour: the multifunction bit derived as libvirt does, no hot-plug places
    /// reserved.
    public init() {}
}
