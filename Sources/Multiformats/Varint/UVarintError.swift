/// Why a byte sequence is not a valid multiformats uvarint.
public enum UVarintError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The encoding ends in a `00` group after `byteCount - 1` other bytes; a shorter form exists.
    case nonMinimal(byteCount: Int)
    /// The 9th byte still has its continuation bit set (the value would exceed 63 bits).
    case tooLong

    public var description: String {
        switch self {
        case .nonMinimal(let byteCount):
            return "non-minimal uvarint: \(byteCount) bytes ending in 0x00"
        case .tooLong:
            return "uvarint longer than \(UVarint.maxByteCount) bytes (value exceeds 63 bits)"
        }
    }
}
