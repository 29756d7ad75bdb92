/// UTF-8 text built by appending straight into a byte array: what the XML writer inserts into
/// a file. Appends copy bytes; nothing goes through `String` interpolation, which allocated and
/// regrew a string for every literal piece of every element libvirt adds (a quarter of a small
/// q35 plan).
public struct ByteText: Sendable, Hashable {
    /// The UTF-8 bytes so far.
    public var bytes: [UInt8] = []

    /// Empty text with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The UTF-8 bytes of `text`.
    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Whether nothing has been appended.
    @inlinable
    public var isEmpty: Bool { bytes.isEmpty }

    /// The text as a `String` (for tests and messages).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends a literal.
    @inlinable
    public mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 bytes of `text`.
    @inlinable
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes as they are (a stretch of an input file).
    @inlinable
    public mutating func append(_ stretch: ArraySlice<UInt8>) {
        bytes.append(contentsOf: stretch)
    }

    /// Appends other built text.
    @inlinable
    public mutating func append(_ other: ByteText) {
        bytes.append(contentsOf: other.bytes)
    }

    /// Appends `value` in decimal.
    public mutating func append(decimal value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(decimal: UInt(value.magnitude))
        } else {
            append(decimal: UInt(value))
        }
    }

    private mutating func append(decimal value: UInt) {
        if value >= 10 { append(decimal: value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Appends `value` in lowercase hex, zero-padded to at least `width` digits.
    /// A negative value is written as `-` and its magnitude, as `String(_:radix:)` does.
    public mutating func append(hex value: Int, width: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var digits = 1
        while digits < UInt.bitWidth / 4, magnitude >> UInt(4 * digits) != 0 { digits += 1 }
        for k in stride(from: max(width, digits) - 1, through: 0, by: -1) {
            let digit = k >= UInt.bitWidth / 4 ? 0 : UInt8(truncatingIfNeeded: magnitude >> UInt(4 * k)) & 0xF
            bytes.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }
}
