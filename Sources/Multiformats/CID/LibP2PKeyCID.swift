/// A CIDv1 whose content codec is libp2p-key (0x72): the text form of a peer ID
/// (`bafz…` in base32, `k51…` in base36). Binary: `01 72 <multihash>` (encodings.md §5).
///
/// Other CID versions and codecs are rejected: a peer ID is the only CID this node reads.
public struct LibP2PKeyCID: Hashable, Sendable {
    public static let version: UInt64 = 1
    public static let codec: UInt64 = 0x72

    public let multihash: Multihash

    public init(multihash: Multihash) {
        self.multihash = multihash
    }

    /// Parses a binary CID.
    public init(bytes: some Collection<UInt8>) throws(CIDError) {
        let input = Array(bytes)
        guard !input.isEmpty else { throw .empty }
        let (version, versionLength) = try Self.readHeaderField(input[...])
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let (codec, codecLength) = try Self.readHeaderField(input[versionLength...])
        guard codec == Self.codec else { throw .unsupportedCodec(codec) }
        do {
            multihash = try Multihash(bytes: input[(versionLength + codecLength)...])
        } catch {
            throw .invalidMultihash(error)
        }
    }

    /// Parses multibase text (any supported base).
    public init(_ text: some StringProtocol) throws(CIDError) {
        let decoded: [UInt8]
        do {
            decoded = try Multibase.decode(text).bytes
        } catch {
            throw .invalidMultibase(error)
        }
        try self.init(bytes: decoded)
    }

    private static func readHeaderField(_ bytes: ArraySlice<UInt8>) throws(CIDError) -> (UInt64, Int) {
        switch UVarint.scan(bytes) {
        case .value(let value, let count): return (value, count)
        case .needMoreBytes: throw .truncated
        case .failure(let error): throw .invalidVarint(error)
        }
    }

    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        UVarint.encode(Self.version, into: &bytes)
        UVarint.encode(Self.codec, into: &bytes)
        bytes.append(contentsOf: multihash.bytes)
        return bytes
    }

    /// Multibase text; base32 (`bafz…`) is the spec's default.
    public func text(_ encoding: MultibaseEncoding = .base32) -> String {
        Multibase.encode(bytes, as: encoding)
    }
}
