/// Why bytes are not a valid multihash.
public enum MultihashError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The two uvarints that precede the digest.
    public enum HeaderField: Sendable, CustomStringConvertible {
        case code
        case digestLength

        public var description: String {
            switch self {
            case .code: "hash code"
            case .digestLength: "digest length"
            }
        }
    }

    case empty
    /// The input ends inside a header uvarint.
    case truncatedHeader(HeaderField)
    case invalidVarint(HeaderField, UVarintError)
    /// The declared digest length runs past the end of the input.
    case digestTruncated(declared: UInt64, available: Int)
    /// Bytes after the digest.
    case trailingBytes(count: Int)
    /// The digest length does not match the hash function (sha2-256 must be 32 bytes).
    case wrongDigestLength(code: UInt64, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty multihash"
        case .truncatedHeader(let field):
            return "multihash ends inside its \(field)"
        case .invalidVarint(let field, let error):
            return "multihash \(field): \(error)"
        case .digestTruncated(let declared, let available):
            return "multihash declares a \(declared)-byte digest but only \(available) bytes follow"
        case .trailingBytes(let count):
            return "\(count) unexpected bytes after the multihash digest"
        case .wrongDigestLength(let code, let expected, let actual):
            return "multihash code 0x\(String(code, radix: 16)) needs a \(expected)-byte digest, got \(actual)"
        }
    }
}
