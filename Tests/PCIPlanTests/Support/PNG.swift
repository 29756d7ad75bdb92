/// Just enough PNG to look at a browser's screenshot: 8-bit RGB or RGBA, not interlaced
/// (what Chromium writes). Foundation on Linux has no image decoding and no zlib, so the
/// DEFLATE decoder is here too, after Mark Adler's `puff.c` (canonical Huffman, bit by bit).
struct PNGImage {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let width: Int
    let height: Int
    /// RGB triples, row by row (alpha dropped).
    let rgb: [UInt8]

    init(_ bytes: [UInt8]) throws {
        guard bytes.count > 8, bytes.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Failure(description: "not a PNG file")
        }
        var i = 8
        var header: [UInt8] = []
        var idat: [UInt8] = []
        func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        while i + 8 <= bytes.count {
            let length = be32(i)
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            guard i + 12 + length <= bytes.count else { throw Failure(description: "truncated chunk \(type)") }
            let body = bytes[(i + 8)..<(i + 8 + length)]
            if type == "IHDR" { header = Array(body) }
            if type == "IDAT" { idat += body }
            if type == "IEND" { break }
            i += 12 + length
        }
        guard header.count == 13 else { throw Failure(description: "no IHDR") }
        let w = header[0..<4].reduce(0) { $0 << 8 | Int($1) }, h = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let depth = header[8], colour = header[9], interlace = header[12]
        guard depth == 8, colour == 2 || colour == 6, interlace == 0 else {
            throw Failure(description: "unsupported PNG: depth \(depth), colour type \(colour), interlace \(interlace)")
        }
        let bpp = colour == 6 ? 4 : 3
        var inflater = Inflater(Array(idat.dropFirst(2)))  // the zlib header
        let raw = try inflater.inflate()
        let stride = w * bpp
        guard raw.count >= h * (stride + 1) else { throw Failure(description: "image data too short") }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        var previous = [UInt8](repeating: 0, count: stride)
        var row = [UInt8](repeating: 0, count: stride)
        for y in 0..<h {
            let base = y * (stride + 1)
            let filter = raw[base]
            for x in 0..<stride {
                let v = raw[base + 1 + x]
                let a = x >= bpp ? Int(row[x - bpp]) : 0, b = Int(previous[x]), c = x >= bpp ? Int(previous[x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw Failure(description: "bad filter \(filter)")
                }
                row[x] = v &+ UInt8(truncatingIfNeeded: predictor)
            }
            for x in 0..<w {
                for k in 0..<3 { out[(y * w + x) * 3 + k] = row[x * bpp + k] }
            }
            swap(&previous, &row)
        }
        width = w
        height = h
        rgb = out
    }

    /// How many pixels have exactly this colour (`0xRRGGBB`).
    func count(_ colour: Int) -> Int {
        let r = UInt8(colour >> 16), g = UInt8((colour >> 8) & 0xFF), b = UInt8(colour & 0xFF)
        var n = 0
        var i = 0
        while i < rgb.count {
            if rgb[i] == r && rgb[i + 1] == g && rgb[i + 2] == b { n += 1 }
            i += 3
        }
        return n
    }

    /// The number of different colours, counted up to `limit`.
    func distinctColours(limit: Int = 100_000) -> Int {
        var seen = Set<Int>()
        var i = 0
        while i < rgb.count, seen.count < limit {
            seen.insert(Int(rgb[i]) << 16 | Int(rgb[i + 1]) << 8 | Int(rgb[i + 2]))
            i += 3
        }
        return seen.count
    }
}

/// RFC 1951 DEFLATE.
struct Inflater {
    private let input: [UInt8]
    private var position = 0
    private var buffer = 0
    private var count = 0
    private var output: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(_ lengths: [Int]) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for l in lengths { counts[l] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<15 { offsets[l + 1] = offsets[l] + counts[l] }
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private mutating func bits(_ n: Int) throws -> Int {
        while count < n {
            guard position < input.count else { throw PNGImage.Failure(description: "deflate data ends early") }
            buffer |= Int(input[position]) << count
            position += 1
            count += 8
        }
        let v = buffer & ((1 << n) - 1)
        buffer >>= n
        count -= n
        return v
    }

    private mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for l in 1...15 {
            code |= try bits(1)
            let n = h.counts[l]
            if code - n < first { return h.symbols[index + code - first] }
            index += n
            first = (first + n) << 1
            code <<= 1
        }
        throw PNGImage.Failure(description: "bad Huffman code")
    }

    mutating func inflate() throws -> [UInt8] {
        var last = 0
        while last == 0 {
            last = try bits(1)
            switch try bits(2) {
            case 0: try stored()
            case 1:
                let lengths = [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)
                try codes(Huffman(lengths), Huffman([Int](repeating: 5, count: 30)))
            case 2: try dynamic()
            default: throw PNGImage.Failure(description: "bad block type")
            }
        }
        return output
    }

    private mutating func stored() throws {
        buffer = 0
        count = 0
        guard position + 4 <= input.count else { throw PNGImage.Failure(description: "stored block ends early") }
        let n = Int(input[position]) | Int(input[position + 1]) << 8
        position += 4
        guard position + n <= input.count else { throw PNGImage.Failure(description: "stored block ends early") }
        output += input[position..<(position + n)]
        position += n
    }

    private mutating func dynamic() throws {
        let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for k in 0..<ncode { codeLengths[order[k]] = try bits(3) }
        let lencode = Huffman(codeLengths)
        var lengths: [Int] = []
        while lengths.count < nlen + ndist {
            let symbol = try decode(lencode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw PNGImage.Failure(description: "repeat with no length") }
                lengths += [Int](repeating: previous, count: 3 + (try bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
            }
        }
        try codes(Huffman(Array(lengths[0..<nlen])), Huffman(Array(lengths[nlen..<(nlen + ndist)])))
    }

    private mutating func codes(_ lengthCode: Huffman, _ distanceCode: Huffman) throws {
        while true {
            let symbol = try decode(lengthCode)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let k = symbol - 257
                guard k < Self.lengthBase.count else { throw PNGImage.Failure(description: "bad length symbol") }
                let length = Self.lengthBase[k] + (try bits(Self.lengthExtra[k]))
                let d = try decode(distanceCode)
                guard d < Self.distanceBase.count else { throw PNGImage.Failure(description: "bad distance symbol") }
                let distance = Self.distanceBase[d] + (try bits(Self.distanceExtra[d]))
                guard distance <= output.count else { throw PNGImage.Failure(description: "distance too far back") }
                let start = output.count - distance
                for j in 0..<length { output.append(output[start + j]) }
            }
        }
    }
}
