/// `<domain type='kvm'>` … `<disk a0='x' a1='x' …/>` … with `count` distinct attributes on the
/// disk, which starts at line 3, column 5. Built byte by byte: a million string interpolations
/// take seconds in a debug build.
func domainWithManyAttributes(_ count: Int) -> [UInt8] {
    var bytes = Array("<domain type='kvm'>\n  <devices>\n    <disk".utf8)
    bytes.reserveCapacity(bytes.count + count * 13 + 40)
    var digits = [UInt8](repeating: 0, count: 20)
    for i in 0..<count {
        bytes.append(0x20)
        bytes.append(UInt8(ascii: "a"))
        var v = i, k = digits.count
        repeat {
            k -= 1
            digits[k] = 0x30 + UInt8(v % 10)
            v /= 10
        } while v > 0
        bytes.append(contentsOf: digits[k...])
        bytes.append(contentsOf: [0x3D, 0x27, 0x78, 0x27])  // ='x'
    }
    bytes.append(contentsOf: Array("/>\n  </devices>\n</domain>\n".utf8))
    return bytes
}
