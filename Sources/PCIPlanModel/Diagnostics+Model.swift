import PCIPlanSource

/// The messages of reading a domain (`DomainReader`) and of libvirt's define-time
/// normalisation (`Define`); severities and summaries are in the catalogue (`DiagnosticID`).
extension Diagnostic {
    // MARK: the document

    static func inputNotDomain(root: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.inputNotDomain, "the root element is <\(root)>, but libvirt domain XML starts with <domain>", at: range)
    }

    static func inputArch(_ arch: String, at range: SourceRange) -> Diagnostic {
        let known = GuestArch.allCases.map(\.rawValue).joined(separator: ", ")
        return Diagnostic(.inputArch, "architecture '\(arch)' is not supported; pciplan plans \(known) guests", at: range)
    }

    /// `machine` is not one pciplan plans on `arch`; `defaulted` when the XML names none and
    /// `machine` is libvirt's default for the architecture.
    static func inputMachine(_ machine: String, arch: GuestArch, defaulted: Bool, at range: SourceRange) -> Diagnostic {
        let given = defaulted ? " (libvirt's default for \(arch.rawValue))" : ""
        let fix = defaulted && arch != .x86_64 && arch != .i686 ? "; write machine='virt'" : ""
        return Diagnostic(.inputMachine,
            "machine type '\(machine)'\(given) is not supported on \(arch.rawValue); pciplan plans 'pc' (i440fx) and 'q35' machines on x86, and 'virt' on aarch64, armv7l and riscv64\(fix)",
            at: range)
    }

    // MARK: <address> syntax (virPCIDeviceAddressParseXML)

    static func addressMissingType(at range: SourceRange) -> Diagnostic {
        Diagnostic(.addressMissingType, "<address> has no 'type' attribute; write type='pci' for a PCI address", at: range)
    }

    /// `value` is not a number libvirt reads; when it reads as hexadecimal, the fix-it adds `0x`.
    static func addressBadNumber(_ attribute: String, _ value: String, at range: SourceRange, looksHex: Bool) -> Diagnostic {
        Diagnostic(.addressBadNumber,
            "invalid \(attribute)='\(value)': libvirt expects a non-negative integer (decimal, 0x-prefixed hex, or 0-prefixed octal)",
            at: range,
            notes: [.libvirtRejects("Invalid value for attribute '\(attribute)' in element 'address': '\(value)'. Expected non-negative integer value")],
            fixIts: looksHex ? [FixIt("write hexadecimal with a '0x' prefix", range: range, replacement: "0x" + value)] : [])
    }

    /// `value` has a leading zero, so libvirt reads it as octal: `number` is what it means.
    static func addressOctal(_ attribute: String, _ value: String, reads number: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.addressAmbiguousNumber,
            "\(attribute)='\(value)' has a leading zero, so libvirt reads it as octal (\(number) = 0x\(hex(number, 1)))",
            at: range, fixIts: [FixIt("write it as hexadecimal", range: range, replacement: "0x" + hex(number, 2))])
    }

    static func addressBadMultifunction(_ value: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.addressBadMultifunction, "invalid multifunction='\(value)': libvirt accepts only 'on' or 'off'", at: range)
    }

    /// An all-zero address with a function or multifunction switch that libvirt drops.
    static func addressEmptyIgnored(function: Int, multifunction: Tristate, at range: SourceRange) -> Diagnostic {
        let multi = multifunction != .absent ? " and multifunction='\(multifunction.rawValue)'" : ""
        return Diagnostic(.addressIgnored,
            "an address with domain, bus and slot 0 means 'assign one for me': libvirt drops function='\(function)'\(multi) and picks a new address",
            at: range)
    }

    static func addressBusOutOfRange(_ bus: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.addressRange, "invalid PCI address bus='0x\(hex(bus, 1))', must be <= 0xFF", at: range)
    }

    static func addressSlotOutOfRange(_ slot: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.addressRange, "invalid PCI address slot='0x\(hex(slot, 1))', must be <= 0x1F", at: range)
    }

    static func addressFunctionOutOfRange(_ function: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(.addressRange, "invalid PCI address function=0x\(hex(function, 1)), must be <= 7", at: range)
    }

    // MARK: define

    /// A disk target name whose drive index libvirt computes as negative (its 32-bit
    /// `virDiskNameToIndex` wraps on long names).
    static func diskNameUnknown(_ name: String, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.diskDriveIndex,
            "disk target '\(name)' gives no drive index: libvirt computes it in 32 bits, and this name overflows it",
            at: range, notes: [.libvirtRejects("Unknown disk name '\(name)' and no address specified")],
            fixIts: [FixIt("use a short name (sda, sdb, … sdzz) or give the disk an <address type='drive'/>")])
    }

    /// A disk that needs drive controller `index` of `type`: libvirt would add every controller
    /// from 0 up to it; pciplan refuses above `Define.maxDriveController`.
    static func driveControllerTooHigh(_ type: String, index: Int, at range: SourceRange?) -> Diagnostic {
        Diagnostic(.diskDriveIndex,
            "this disk needs \(type) controller \(index), and libvirt would add all \(index) \(type) controllers below it: more than pciplan plans (\(Define.maxDriveController))",
            at: range, fixIts: [FixIt("give the disk a shorter target name or an <address type='drive' controller='0'/>")])
    }

    /// An interface model name libvirt refuses (`virDomainNetSetModelString`).
    static func interfaceModelName(_ model: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(.interfaceModelName,
            "NIC model '\(model)' is not one libvirt knows, and a model name of its own may hold only letters, digits, '_' and '-'",
            at: range, notes: [.libvirtRejects("Model name contains invalid characters")])
    }

    /// A `<crypto>` device, which libvirt 9.0 drops at define.
    static func cryptoDropped(at range: SourceRange) -> Diagnostic {
        Diagnostic(.deviceDropped,
            "libvirt 9.0 does not know <crypto> devices and drops this one (and its address) at define; the planned XML leaves it out",
            at: range)
    }
}
