/// Big-number base conversion (base58btc, base36): the whole input is one big-endian number,
/// and each leading zero byte is written as one leading "zero digit" character.
struct RadixAlphabet: Sendable {
    static let base58btc = RadixAlphabet("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
    static let base36 = RadixAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", acceptsOtherCase: true)
    static let base36upper = RadixAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", acceptsOtherCase: true)

    /// Conversion is quadratic in the length, so decoding refuses longer input. Peer IDs need
    /// under 100 characters; this leaves room for any multihash seen in practice.
    static let maxDecodedCharacters = 1024

    private let table: AlphabetTable
    private var digits: [UInt8] { table.characters }
    private var radix: Int { table.characters.count }

    private init(_ alphabet: String, acceptsOtherCase: Bool = false) {
        table = AlphabetTable(alphabet, acceptsOtherCase: acceptsOtherCase)
    }

    func encode(_ bytes: some Collection<UInt8>) -> String {
        let leadingZeros = bytes.prefix(while: { $0 == 0 }).count
        // Little-endian digits of the number formed by the bytes after the leading zeros.
        var number: [UInt8] = []
        number.reserveCapacity(bytes.count * 138 / 100 + 1)
        for byte in bytes.dropFirst(leadingZeros) {
            var carry = Int(byte)
            for index in number.indices {
                carry += Int(number[index]) << 8
                number[index] = UInt8(carry % radix)
                carry /= radix
            }
            while carry > 0 {
                number.append(UInt8(carry % radix))
                carry /= radix
            }
        }
        var text = [UInt8](repeating: digits[0], count: leadingZeros)
        text.reserveCapacity(leadingZeros + number.count)
        for digit in number.reversed() { text.append(digits[Int(digit)]) }
        return String(decoding: text, as: UTF8.self)
    }

    func decode(
        _ scalars: Substring.UnicodeScalarView,
        offsetBase: Int,
        encoding: MultibaseEncoding
    ) throws(MultibaseError) -> [UInt8] {
        let length = scalars.count
        guard length <= Self.maxDecodedCharacters else {
            throw .inputTooLong(length: length, limit: Self.maxDecodedCharacters, encoding: encoding)
        }
        var leadingZeros = 0
        var seenNonZero = false
        // Little-endian bytes of the number decoded so far.
        var number: [UInt8] = []
        number.reserveCapacity(length)
        for (offset, scalar) in scalars.enumerated() {
            let digit = try table.digit(scalar, offset: offsetBase + offset, encoding: encoding)
            if !seenNonZero {
                if digit == 0 {
                    leadingZeros += 1
                    continue
                }
                seenNonZero = true
            }
            var carry = Int(digit)
            for index in number.indices {
                carry += Int(number[index]) * radix
                number[index] = UInt8(truncatingIfNeeded: carry)
                carry >>= 8
            }
            while carry > 0 {
                number.append(UInt8(truncatingIfNeeded: carry))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: leadingZeros) + number.reversed()
    }
}
