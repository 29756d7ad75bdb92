/// Every rule pciplan reports, with a stable identifier (the raw value, printed as `[id]` and as
/// `id` in JSON). Each has one entry in the catalogue (`DiagnosticID+Catalogue.swift`): its
/// severity, a one-line summary and the libvirt or QEMU text it mirrors. Docs/diagnostics.md is
/// generated from that catalogue, and a test proves every ID is emitted.
public enum DiagnosticID: String, Sendable, Hashable, CaseIterable, Codable {
    // input
    case inputXML = "input.xml"
    case inputNotDomain = "input.notDomain"
    case inputMachine = "input.unsupportedMachine"
    case inputArch = "input.unsupportedArch"
    case deviceDropped = "input.deviceDropped"
    // address syntax (libvirt's parser)
    case addressMissingType = "address.missingType"
    case addressBadNumber = "address.badNumber"
    case addressBadMultifunction = "address.badMultifunction"
    case addressRange = "address.outOfRange"
    case addressAmbiguousNumber = "address.octal"
    case addressIgnored = "address.emptyIgnored"
    // address set (libvirt's validation and reservation)
    case addressDomain = "address.domain"
    case addressInUse = "address.inUse"
    case addressNoBus = "address.noSuchBus"
    case addressBusAdded = "address.busAutoAdded"
    case addressSlotRange = "address.slotRange"
    case addressIncompatible = "address.incompatibleBus"
    case addressIntegrated = "address.notIntegrated"
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
    case controllerUSBDisabled = "controller.usbDisabled"
    case controllerUSBDeviceDisabled = "controller.usbDeviceDisabled"
    case controllerUSBCompanionNoMaster = "controller.usbCompanionNoMaster"
    case controllerUSBCompanionIndex = "controller.usbCompanionIndex"
    case controllerUSBDuplicateIndex = "controller.usbDuplicateIndex"
    case chipsetFixed = "chipset.fixedAddress"
    // devices (libvirt's define-time validation)
    case deviceUnsupported = "device.unsupported"
    case deviceAddressType = "device.addressType"
    case hostdevDuplicate = "device.duplicateHostdev"
    // planning
    case planCannotAddController = "plan.cannotAddController"
    case planBusNr = "plan.busNr"
    case planKeep = "plan.cannotKeep"
    case internalError = "internal.bug"
    // diff: the kinds of guest-visible change (`ABIChange.Kind`)
    case diffMoved = "diff.moved"
    case diffUpstream = "diff.upstream"
    case diffMultifunction = "diff.multifunction"
    case diffConnectKind = "diff.connectKind"
    case diffController = "diff.controller"
    case diffControllerTarget = "diff.controllerTarget"
    case diffDisplaced = "diff.displaced"
    case diffAdded = "diff.added"
    case diffRemoved = "diff.removed"
}
