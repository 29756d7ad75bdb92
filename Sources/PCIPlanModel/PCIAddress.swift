import PCIPlanSource

/// A guest PCI address: domain:bus:slot.function.
///
/// `bus` is the *index* of the PCI controller that provides the bus (libvirt's meaning),
/// not the bus number firmware gives it.
public struct PCIAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The PCI domain (segment); libvirt's QEMU driver allows only 0.
    public var domain: UInt32
    /// The index of the PCI controller providing the bus (0–255), not the bus number the guest sees.
    public var bus: Int
    /// The slot on that bus (0–31).
    public var slot: Int
    /// The function within the slot (0–7); functions ≥ 1 need `multifunction='on'` on function 0.
    public var function: Int

    /// The address `domain:bus:slot.function`; values are not range-checked here (the reader does that).
    public init(domain: UInt32 = 0, bus: Int, slot: Int, function: Int = 0) {
        self.domain = domain
        self.bus = bus
        self.slot = slot
        self.function = function
    }

    /// libvirt's "empty" address: domain, bus and slot all 0 (the function is ignored).
    public var isEmpty: Bool { domain == 0 && bus == 0 && slot == 0 }

    /// `0000:00:02.0`, as libvirt prints addresses in messages.
    public var description: String {
        var s = hex(Int(domain), 4)
        s += ":"
        s += hex(bus, 2)
        s += ":"
        s += hex(slot, 2)
        s += "."
        s += String(function)
        return s
    }

    /// `0000:00:02`, the slot this address belongs to.
    public var slotDescription: String { "\(hex(Int(domain), 4)):\(hex(bus, 2)):\(hex(slot, 2))" }

    /// The slot this address belongs to, for grouping the functions of one slot.
    public var slotKey: SlotKey { SlotKey(domain: domain, bus: bus, slot: slot) }

    /// Orders by domain, bus, slot, then function: the order of `explain` and of the address set.
    public static func < (a: PCIAddress, b: PCIAddress) -> Bool {
        (a.domain, a.bus, a.slot, a.function) < (b.domain, b.bus, b.slot, b.function)
    }

    /// The XML libvirt stores: `<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>`.
    public func xml(multifunction: Tristate) -> String {
        var text = ByteText(capacity: 96)
        appendXML(multifunction: multifunction, to: &text)
        return text.string
    }

    /// Appends `xml(multifunction:)` to `text`: the writer adds one per planned device.
    public func appendXML(multifunction: Tristate, to text: inout ByteText) {
        // Every address the planner writes has a 4-digit domain, 2-digit bus and slot and a
        // one-digit function: those are written into a buffer on the stack and appended at once
        // (byte by byte, the appends were most of the writer's time); anything else, the long way.
        guard domain <= 0xFFFF, (0...0xFF).contains(bus), (0...0xFF).contains(slot), (0...9).contains(function) else {
            return appendXMLSlowly(multifunction: multifunction, to: &text)
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 112) { buffer in
            var n = 0
            func put(_ literal: StaticString) {
                (buffer.baseAddress! + n).initialize(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
                n += literal.utf8CodeUnitCount
            }
            func hex(_ value: Int, digits: Int) {
                for k in stride(from: digits - 1, through: 0, by: -1) {
                    let digit = UInt8(truncatingIfNeeded: value >> (4 * k)) & 0xF
                    buffer[n] = digit < 10 ? 0x30 + digit : 0x61 + digit - 10
                    n += 1
                }
            }
            put("<address type='pci' domain='0x")
            hex(Int(domain), digits: 4)
            put("' bus='0x")
            hex(bus, digits: 2)
            put("' slot='0x")
            hex(slot, digits: 2)
            put("' function='0x")
            hex(function, digits: 1)
            put("'")
            switch multifunction {
            case .absent: break
            case .on: put(" multifunction='on'")
            case .off: put(" multifunction='off'")
            }
            put("/>")
            text.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    private func appendXMLSlowly(multifunction: Tristate, to text: inout ByteText) {
        text.append("<address type='pci' domain='0x")
        text.append(hex: Int(domain), width: 4)
        text.append("' bus='0x")
        text.append(hex: bus, width: 2)
        text.append("' slot='0x")
        text.append(hex: slot, width: 2)
        text.append("' function='0x")
        text.append(decimal: function)
        text.append("'")
        switch multifunction {
        case .absent: break
        case .on: text.append(" multifunction='on'")
        case .off: text.append(" multifunction='off'")
        }
        text.append("/>")
    }
}

/// Identifies one slot (all eight functions).
public struct SlotKey: Sendable, Hashable, Comparable {
    /// The PCI domain of the slot (0 under libvirt's QEMU driver).
    public var domain: UInt32
    /// The index of the PCI controller providing the bus the slot is on.
    public var bus: Int
    /// The slot on the bus (0–31).
    public var slot: Int
    /// Orders by domain, bus, then slot.
    public static func < (a: SlotKey, b: SlotKey) -> Bool { (a.domain, a.bus, a.slot) < (b.domain, b.bus, b.slot) }
    /// `0000:00:04`, as messages print a slot.
    public var description: String { "\(hex(Int(domain), 4)):\(hex(bus, 2)):\(hex(slot, 2))" }
}

/// libvirt's tri-state switch (`multifunction`, `hotplug`): absent, on or off.
public enum Tristate: String, Sendable, Hashable, Codable {
    /// `absent`: not written, libvirt decides; `on` / `off`: written so.
    case absent, on, off
}

/// Lowercase hex, zero-padded to `width` digits.
package func hex(_ v: Int, _ width: Int) -> String {
    // Addresses print several of these per device: the common case writes the digits straight
    // into a small string instead of padding `String(v, radix: 16)`.
    if (1...15).contains(width), v >= 0, v >> (4 * width) == 0 {
        return String(unsafeUninitializedCapacity: width) { buffer in
            for k in 0..<width {
                let digit = UInt8(truncatingIfNeeded: v >> (4 * (width - 1 - k))) & 0xF
                buffer[k] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            }
            return width
        }
    }
    let s = String(v, radix: 16)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Parses a number the way libvirt's `virXMLPropUInt` with base 0 does: `0x` hex, a leading
/// `0` octal (so `010` is 8 and `08` is invalid), otherwise decimal. Returns nil when invalid.
public func parseLibvirtUInt(_ text: String) -> UInt64? {
    // On the UTF-8 bytes: every address attribute goes through here, and walking Characters
    // (grapheme breaking) cost more than planning a small domain. Only ASCII is ever accepted,
    // and a non-ASCII byte fails wherever the Character walk failed.
    var text = text
    return text.withUTF8 { parseLibvirtUInt(bytes: $0) }
}

/// Where the white space libvirt's number parsers skip ends in `bytes`: spaces, tabs, line
/// feeds and carriage returns, but not a CR LF pair, which is one Character and was never white
/// space to the Character walks these parsers replaced.
private func afterLibvirtSpace(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var i = 0
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
        if bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { break }
        i += 1
    }
    return i
}

private func parseLibvirtUInt(bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
    let n = bytes.count
    // libvirt's strtoul accepts leading white space and a leading '+'; it rejects '-'.
    var i = afterLibvirtSpace(bytes)
    if i < n, bytes[i] == UInt8(ascii: "+") { i += 1 }
    // Swift's own parser would take a sign here ("-0" is 0); libvirt's unsigned parse does not.
    guard i < n, isDigit(bytes[i]) else { return nil }
    if i + 1 < n, bytes[i] == UInt8(ascii: "0"), bytes[i + 1] == UInt8(ascii: "x") || bytes[i + 1] == UInt8(ascii: "X") {
        guard i + 2 < n else { return nil }
        return accumulate(bytes, from: i + 2, radix: 16)
    }
    if n - i > 1 && bytes[i] == UInt8(ascii: "0") {
        // Octal; every byte must still be a decimal digit first ("08" is invalid, not "0").
        guard (i..<n).allSatisfy({ isDigit(bytes[$0]) }) else { return nil }
        return accumulate(bytes, from: i + 1, radix: 8)
    }
    return accumulate(bytes, from: i, radix: 10)
}

private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

/// The digits of `bytes[from...]` in `radix` (8, 10 or 16); nil for any other byte or overflow.
private func accumulate(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, radix: UInt64) -> UInt64? {
    var value: UInt64 = 0
    for k in from..<bytes.count {
        let b = bytes[k]
        let d: UInt64
        switch b {
        case 0x30...0x39: d = UInt64(b - 0x30)
        case 0x61...0x66: d = UInt64(b - 0x61 + 10)
        case 0x41...0x46: d = UInt64(b - 0x41 + 10)
        default: return nil
        }
        guard d < radix else { return nil }
        let (m, o1) = value.multipliedReportingOverflow(by: radix)
        let (s, o2) = m.addingReportingOverflow(d)
        if o1 || o2 { return nil }
        value = s
    }
    return value
}

/// libvirt reads `index` with `virXMLPropInt(…, 10, NONNEGATIVE)`: base 10 only
/// (strtol: leading white space and a sign allowed, nothing after the digits), ≥ 0.
public func parseLibvirtControllerIndex(_ text: String) -> (value: Int?, negative: Bool) {
    // On the UTF-8 bytes, as `parseLibvirtUInt`: walking Characters cost ~10,000 instructions
    // per controller. Only ASCII digits are accepted, so a non-ASCII byte (a combining mark
    // included) fails wherever the Character walk failed; CR LF is one Character, never white
    // space to it, and ends the white space here too.
    var text = text
    return text.withUTF8 { bytes -> (value: Int?, negative: Bool) in
        var i = afterLibvirtSpace(bytes)
        let n = bytes.count
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "+") {
            i += 1
        } else if i < n, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < n else { return (nil, false) }
        var value = 0
        while i < n {
            // (an Int32, as libvirt's `int` index)
            guard isDigit(bytes[i]) else { return (nil, false) }
            value = value * 10 + Int(bytes[i] - 0x30)
            guard value <= Int(Int32.max) else { return (nil, false) }
            i += 1
        }
        return negative && value != 0 ? (nil, true) : (value, false)
    }
}

/// Whether a number `parseLibvirtUInt` accepted is written with a leading `0` and more digits
/// (libvirt then reads it as octal): after leading white space, `0` followed by anything but
/// `x`/`X`. An accepted number is ASCII with no white space after it, so its bytes say what the
/// trimmed text says (debug builds compare with the trimmed text).
func writtenOctal(_ value: String) -> Bool {
    var text = value
    let octal = text.withUTF8 { bytes -> Bool in
        let i = afterLibvirtSpace(bytes)
        return bytes.count - i > 1 && bytes[i] == UInt8(ascii: "0") && bytes[i + 1] != UInt8(ascii: "x") && bytes[i + 1] != UInt8(ascii: "X")
    }
    assert(parseLibvirtUInt(value) == nil || octal == {
        let t = value.trimmingSpaces
        return t.count > 1 && t.first == "0" && !(t.hasPrefix("0x") || t.hasPrefix("0X"))
    }())
    return octal
}
