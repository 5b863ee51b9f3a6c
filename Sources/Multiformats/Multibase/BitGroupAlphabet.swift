/// RFC 4648-style encodings where each character carries a fixed number of bits
/// (base16: 4, base32: 5, base64: 6), optionally padded with `=` to whole blocks.
struct BitGroupAlphabet: Sendable {
    static let base16 = BitGroupAlphabet("0123456789abcdef", padded: false, acceptsOtherCase: true)
    static let base16upper = BitGroupAlphabet("0123456789ABCDEF", padded: false, acceptsOtherCase: true)
    static let base32 = BitGroupAlphabet("abcdefghijklmnopqrstuvwxyz234567", padded: false, acceptsOtherCase: true)
    static let base32upper = BitGroupAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", padded: false, acceptsOtherCase: true)
    static let base64 = BitGroupAlphabet(standard64, padded: false)
    static let base64pad = BitGroupAlphabet(standard64, padded: true)
    static let base64url = BitGroupAlphabet(url64, padded: false)
    static let base64urlpad = BitGroupAlphabet(url64, padded: true)

    private static let standard64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    private static let url64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    private static let padding = UInt8(ascii: "=")

    private let table: AlphabetTable
    private var characters: [UInt8] { table.characters }
    private let bitsPerCharacter: Int
    private let padded: Bool
    /// Characters per padded block: the smallest count that holds whole bytes.
    private let blockLength: Int

    private init(_ alphabet: String, padded: Bool, acceptsOtherCase: Bool = false) {
        table = AlphabetTable(alphabet, acceptsOtherCase: acceptsOtherCase)
        bitsPerCharacter = table.characters.count.trailingZeroBitCount
        self.padded = padded
        var length = 1
        while (length * bitsPerCharacter) % 8 != 0 { length += 1 }
        blockLength = length
    }

    func encode(_ bytes: some Collection<UInt8>) -> String {
        let mask = UInt32(characters.count - 1)
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count * 8 + bitsPerCharacter - 1) / bitsPerCharacter + blockLength)
        var pending: UInt32 = 0
        var pendingBits = 0
        for byte in bytes {
            pending = (pending << 8) | UInt32(byte)
            pendingBits += 8
            while pendingBits >= bitsPerCharacter {
                pendingBits -= bitsPerCharacter
                text.append(characters[Int((pending >> UInt32(pendingBits)) & mask)])
            }
            pending &= (1 << UInt32(pendingBits)) - 1
        }
        if pendingBits > 0 {
            text.append(characters[Int((pending << UInt32(bitsPerCharacter - pendingBits)) & mask)])
        }
        if padded {
            while text.count % blockLength != 0 { text.append(Self.padding) }
        }
        return String(decoding: text, as: UTF8.self)
    }

    func decode(
        _ scalars: Substring.UnicodeScalarView,
        offsetBase: Int,
        encoding: MultibaseEncoding
    ) throws(MultibaseError) -> [UInt8] {
        let total = scalars.count
        // Padding may only trail the data; a `=` anywhere else is an invalid character.
        let dataLength = padded ? total - scalars.reversed().prefix(while: { $0 == "=" }).count : total
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dataLength * bitsPerCharacter / 8)
        var pending: UInt32 = 0
        var pendingBits = 0
        for (offset, scalar) in scalars.prefix(dataLength).enumerated() {
            let value = try table.digit(scalar, offset: offsetBase + offset, encoding: encoding)
            pending = (pending << UInt32(bitsPerCharacter)) | UInt32(value)
            pendingBits += bitsPerCharacter
            if pendingBits >= 8 {
                pendingBits -= 8
                bytes.append(UInt8(truncatingIfNeeded: pending >> UInt32(pendingBits)))
                pending &= (1 << UInt32(pendingBits)) - 1
            }
        }
        // Leftover bits after the last whole byte must be fewer than one character's worth.
        guard (dataLength * bitsPerCharacter) % 8 < bitsPerCharacter else {
            throw .invalidLength(dataLength, encoding: encoding)
        }
        if padded {
            let expectedPadding = (blockLength - dataLength % blockLength) % blockLength
            guard total - dataLength == expectedPadding else {
                throw .invalidPadding(offset: offsetBase + dataLength, encoding: encoding)
            }
        }
        // Leftover bits (always fewer than one character) are ignored, as Go's decoders do.
        return bytes
    }
}
