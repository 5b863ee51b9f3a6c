
/// Why bytes or text are not a peer ID.
public enum PeerIDError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// Legacy text (`1…`/`Qm…`) that is not valid base58btc.
    case invalidBase58(MultibaseError)
    /// Non-legacy text that is not a libp2p-key CIDv1 in a supported multibase.
    case invalidCID(CIDError)
    case invalidMultihash(MultihashError)
    /// A well-formed multihash with a code other than identity (0x00) or sha2-256 (0x12).
    case unsupportedHashCode(UInt64)
    /// An identity multihash larger than any inline public key may be.
    case inlineKeyTooLong(length: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty peer ID"
        case .invalidBase58(let error):
            return "peer ID is not valid base58btc: \(error)"
        case .invalidCID(let error):
            return "peer ID is not a libp2p-key CID: \(error)"
        case .invalidMultihash(let error):
            return "peer ID is not a valid multihash: \(error)"
        case .unsupportedHashCode(let code):
            return "peer ID multihash code 0x\(String(code, radix: 16)) is neither identity nor sha2-256"
        case .inlineKeyTooLong(let length, let limit):
            return "identity peer ID inlines \(length) bytes, more than the \(limit)-byte limit"
        }
    }
}
