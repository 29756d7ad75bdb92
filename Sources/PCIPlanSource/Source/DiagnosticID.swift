/// Every diagnostic pciplan can emit, with a stable identifier (the raw value) and a one-line
/// summary of the rule. The README's diagnostics table is checked against this list by a test.
public enum DiagnosticID: String, Sendable, CaseIterable, Codable {
    // input
    case inputUnreadable = "input.unreadable"
    case inputXML = "input.xml"
    case inputNotDomain = "input.notDomain"
    case inputMachine = "input.unsupportedMachine"
    case inputArch = "input.unsupportedArch"
    case deviceDropped = "input.deviceDropped"
    case deviceUnsupported = "device.unsupported"
    // address syntax (libvirt's parser)
    case addressMissingType = "address.missingType"
    case addressBadNumber = "address.badNumber"
    case addressBadMultifunction = "address.badMultifunction"
    case addressRange = "address.outOfRange"
    case addressDomain = "address.domain"
    case addressAmbiguousNumber = "address.octal"
    case addressIgnored = "address.emptyIgnored"
    // address set (libvirt's validation and reservation)
    case addressInUse = "address.inUse"
    case addressNoBus = "address.noSuchBus"
    case addressBusAdded = "address.busAutoAdded"
    case addressSlotRange = "address.slotRange"
    case addressIncompatible = "address.incompatibleBus"
    case addressIntegrated = "address.notIntegrated"
    case addressNoAutoAssign = "address.noAutoAssign"
    case addressReserved = "address.chipsetReserved"
    case addressWrongType = "address.wrongType"
    // multifunction
    case multifunctionOff = "multifunction.offWithFunctions"
    case multifunctionNoFunctionZero = "multifunction.noFunctionZero"
    case multifunctionDerived = "multifunction.derived"
    case multifunctionNotExplicit = "multifunction.notExplicit"
    // controllers
    case controllerDuplicateIndex = "controller.duplicateIndex"
    case controllerRootIndex = "controller.rootIndex"
    case controllerWrongRoot = "controller.wrongRoot"
    case controllerRootAddress = "controller.rootAddress"
    case controllerBadIndex = "controller.badIndex"
    case controllerIndexTooHigh = "controller.indexTooHigh"
    case controllerBadModel = "controller.badModel"
    case controllerIndexNotAboveBus = "controller.indexNotAboveBus"
    case controllerOption = "controller.option"
    case controllerMachine = "controller.machine"
    case controllerUSB = "controller.usb"
    /// A PCI controller on the bus of a controller with a higher index: QEMU creates PCI
    /// controllers in index order and does not find the bus yet (QEMU refuses).
    case controllerBusOrder = "controller.busOrder"
    case chipsetFixed = "chipset.fixedAddress"
    // devices (libvirt's define-time validation)
    case deviceAddressType = "device.addressType"
    case hostdevDuplicate = "device.duplicateHostdev"
    /// A device QEMU refuses on this machine although libvirt accepts it (ramfb on riscv64).
    case deviceMachine = "device.machine"
    // virtio-mmio on the virt boards (libvirt accepts, QEMU refuses)
    /// A transitional virtio model on virtio-mmio, where QEMU has only the plain device.
    case virtioMMIOTransitional = "virtioMMIO.transitional"
    /// A device that is not a virtio device (lsilogic) on virtio-mmio.
    case virtioMMIONotVirtio = "virtioMMIO.notVirtio"
    /// More virtio-mmio devices than the board has transports.
    case virtioMMIOTooMany = "virtioMMIO.tooMany"
    // planning
    case planNoSlot = "plan.noFreeSlot"
    case planCannotAddController = "plan.cannotAddController"
    case planBusNr = "plan.busNr"
    case planKeep = "plan.cannotKeep"
    case internalError = "internal.bug"
    // diff
    case diffMoved = "diff.moved"
    case diffMultifunction = "diff.multifunction"
    case diffKind = "diff.connectKind"
    case diffController = "diff.controller"
    case diffAdded = "diff.added"
    case diffRemoved = "diff.removed"
}
