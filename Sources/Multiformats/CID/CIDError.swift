/// Why a CID cannot be read as a libp2p-key CIDv1.
public enum CIDError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// The input ends inside the version or codec uvarint.
    case truncated
    case invalidVarint(UVarintError)
    case unsupportedVersion(UInt64)
    /// A codec other than libp2p-key (0x72), e.g. dag-pb (0x70).
    case unsupportedCodec(UInt64)
    case invalidMultihash(MultihashError)
    case invalidMultibase(MultibaseError)

    public var description: String {
        switch self {
        case .empty:
            return "empty CID"
        case .truncated:
            return "CID ends inside its version/codec header"
        case .invalidVarint(let error):
            return "CID header: \(error)"
        case .unsupportedVersion(let version):
            return "CID version \(version) is not supported (need 1)"
        case .unsupportedCodec(let codec):
            return "CID codec 0x\(String(codec, radix: 16)) is not libp2p-key (0x72)"
        case .invalidMultihash(let error):
            return "CID multihash: \(error)"
        case .invalidMultibase(let error):
            return "CID text: \(error)"
        }
    }
}
