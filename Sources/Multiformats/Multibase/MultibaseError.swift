/// Why a string is not valid multibase (or valid text in one base).
///
/// Offsets count Unicode scalars from the start of the string the caller passed in.
public enum MultibaseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing to decode (for multibase: not even a prefix).
    case empty
    /// The first character is not a multibase prefix we support.
    case unknownPrefix(Character)
    /// A character outside the encoding's alphabet.
    case invalidCharacter(Character, offset: Int, encoding: MultibaseEncoding)
    /// The number of characters cannot come from whole bytes (e.g. 1 character of base32).
    case invalidLength(Int, encoding: MultibaseEncoding)
    /// Missing, misplaced or surplus `=` padding.
    case invalidPadding(offset: Int, encoding: MultibaseEncoding)
    /// Refused before decoding: radix conversion is quadratic, so its input is capped.
    case inputTooLong(length: Int, limit: Int, encoding: MultibaseEncoding)

    public var description: String {
        switch self {
        case .empty:
            return "empty multibase string"
        case .unknownPrefix(let prefix):
            return "unknown multibase prefix '\(prefix)'"
        case .invalidCharacter(let character, let offset, let encoding):
            return "invalid \(encoding) character '\(character)' at offset \(offset)"
        case .invalidLength(let length, let encoding):
            return "\(length) characters is not a valid \(encoding) length"
        case .invalidPadding(let offset, let encoding):
            return "invalid \(encoding) padding at offset \(offset)"
        case .inputTooLong(let length, let limit, let encoding):
            return "\(encoding) input of \(length) characters exceeds the limit of \(limit)"
        }
    }
}
