/// Character → digit lookup shared by all alphabets; ASCII only.
struct AlphabetTable: Sendable {
    /// The alphabet in digit order, as ASCII bytes.
    let characters: [UInt8]
    /// ASCII value → digit, 0xff for characters outside the alphabet.
    private let digits: [UInt8]

    /// - Parameter acceptsOtherCase: also map the other letter case to the same digit
    ///   (case-insensitive bases: base16, base32, base36).
    init(_ alphabet: String, acceptsOtherCase: Bool) {
        characters = Array(alphabet.utf8)
        var table = [UInt8](repeating: 0xff, count: 128)
        for (digit, ascii) in characters.enumerated() {
            table[Int(ascii)] = UInt8(digit)
            if acceptsOtherCase {
                let character = Character(Unicode.Scalar(ascii))
                for variant in [character.lowercased(), character.uppercased()] {
                    if let other = variant.utf8.first { table[Int(other)] = UInt8(digit) }
                }
            }
        }
        digits = table
    }

    /// The digit of `scalar`, found at `offset` of the caller's input.
    @inline(__always)
    func digit(_ scalar: Unicode.Scalar, offset: Int, encoding: MultibaseEncoding) throws(MultibaseError) -> UInt8 {
        guard scalar.isASCII, case let digit = digits[Int(scalar.value)], digit != 0xff else {
            throw .invalidCharacter(Character(scalar), offset: offset, encoding: encoding)
        }
        return digit
    }
}
