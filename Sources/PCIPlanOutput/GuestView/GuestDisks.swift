import PCIPlanModel
import PCIPlanPlanner
import PCIPlanSource

/// The `/dev/disk/by-path/` names udev v252 (`path_id`, `60-persistent-storage.rules`) gives a
/// disk. `path_id` keeps only the nearest PCI function of the disk (bridges are skipped), so the
/// PCI part is the guest address of the disk's own function (virtio-blk) or of its controller.
public struct GuestDiskPaths: Sendable, Hashable {
    /// `pci-0000:05:00.0`: the prefix every by-path name of the disk starts with, and the part
    /// that changes when the guest renumbers the bus.
    public var prefix: String
    /// The full names, main one first (`pci-0000:05:00.0`, `virtio-pci-0000:05:00.0`); empty
    /// where pciplan does not model the rest of the path (SCSI controllers other than
    /// virtio-scsi, see Docs/guest-names.md).
    public var links: [String]
}

extension GuestView {
    /// The by-path names of disk `i`; nil for another kind of device, a disk on a bus without a
    /// PCI function of its own (USB, floppy, SD), or one whose function the guest does not see.
    public func diskPaths(_ i: Int) -> GuestDiskPaths? {
        let d = plan.devices[i]
        guard d.kind == .disk else { return nil }
        switch d.bus {
        case "virtio":
            guard let ga = address(of: i) else { return nil }
            return GuestDiskPaths(prefix: "pci-\(ga)", links: ["pci-\(ga)", "virtio-pci-\(ga)"])
        case "scsi", "sata", "ide":
            guard let drive = Self.drive(d), let type = d.bus, let c = controller(type: type, index: drive.controller), let ga = address(of: c) else { return nil }
            let prefix = "pci-\(ga)"
            switch type {
            case "scsi":
                // path_id rebases the SCSI host number on the controller's lowest host: one host
                // per virtio-scsi controller, so always 0; QEMU's virtio-scsi takes channel,
                // scsi-id and lun from the drive address's bus, target and unit.
                guard (plan.devices[c].controller?.model ?? "").hasPrefix("virtio-scsi") else { return GuestDiskPaths(prefix: prefix, links: []) }
                return GuestDiskPaths(prefix: prefix, links: ["\(prefix)-scsi-0:\(drive.bus):\(drive.target):\(drive.unit)"])
            case "sata":
                // One ATA port per AHCI port: port_no is unit + 1, the device (target) 0.
                return GuestDiskPaths(prefix: prefix, links: ["\(prefix)-ata-\(drive.unit + 1).0", "\(prefix)-ata-\(drive.unit + 1)"])
            default:
                // PIIX IDE: ata1 is the primary channel (bus 0), ata2 the secondary; the unit is
                // master (0) or slave (1).
                return GuestDiskPaths(prefix: prefix, links: ["\(prefix)-ata-\(drive.bus + 1).\(drive.unit)", "\(prefix)-ata-\(drive.bus + 1)"])
            }
        default:
            return nil
        }
    }

    /// The device index of the controller of `type` with `index`.
    func controller(type: String, index: Int) -> Int? {
        plan.normalized.controllerOrder.first { plan.devices[$0].controller?.type == type && plan.devices[$0].controller?.index == index }
    }

    /// A disk's drive address: `<address type='drive'>`, or what libvirt 9.0 derives from the
    /// target name at define (`virDomainDiskDefAssignAddress`, as the aliases use it).
    static func drive(_ d: Device) -> Aliases.DriveAddress? {
        let index = Aliases.diskNameToIndex(d.diskTarget ?? "")
        return Aliases.driveAddress(d.addressElement, bus: d.bus ?? "", index: index)
    }
}
