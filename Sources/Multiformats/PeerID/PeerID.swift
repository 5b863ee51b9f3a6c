
/// A libp2p peer identity: the multihash of the peer's public-key protobuf (peer-id.md §3).
///
/// Stored as the multihash bytes, which is also the binary form used on the wire (`/p2p/`,
/// peer records). Only identity (inline key, at most 42 bytes) and sha2-256 multihashes are
/// peer IDs.
public struct PeerID: Hashable, Sendable {
    /// Public-key protobufs up to this size are inlined in an identity multihash.
    public static let maxInlineKeyLength = 42

    /// The binary peer ID (a multihash).
    public let bytes: [UInt8]

    /// Validates binary peer-ID bytes (as found in `/p2p/` values and peer records).
    public init(multihash bytes: some Collection<UInt8>) throws(PeerIDError) {
        let multihash: Multihash
        do {
            multihash = try Multihash(bytes: bytes)
        } catch {
            throw .invalidMultihash(error)
        }
        try self.init(multihash: multihash)
    }

    public init(multihash: Multihash) throws(PeerIDError) {
        switch multihash.code {
        case Multihash.identityCode:
            guard multihash.digest.count <= Self.maxInlineKeyLength else {
                throw .inlineKeyTooLong(length: multihash.digest.count, limit: Self.maxInlineKeyLength)
            }
        case Multihash.sha2_256Code:
            break  // Multihash already enforced the 32-byte digest.
        default:
            throw .unsupportedHashCode(multihash.code)
        }
        self.bytes = multihash.bytes
    }

    /// Derives the peer ID of a public key from its deterministic `PublicKey` protobuf encoding.
    public init(publicKeyProtobuf: [UInt8]) {
        if publicKeyProtobuf.count <= Self.maxInlineKeyLength {
            bytes = Multihash.identity(publicKeyProtobuf).bytes
        } else {
            bytes = Multihash.sha2_256(of: publicKeyProtobuf).bytes
        }
    }

    /// The validated multihash behind ``bytes``.
    public var multihash: Multihash {
        // `bytes` only ever holds an encoding produced by `Multihash.bytes` in the initialisers.
        guard let multihash = try? Multihash(bytes: bytes) else {
            preconditionFailure("PeerID holds a multihash it validated itself")
        }
        return multihash
    }

    /// The `PublicKey` protobuf carried inline by an identity peer ID (Ed25519, secp256k1);
    /// `nil` for hashed peer IDs, whose key must be obtained from the peer.
    public var inlinedPublicKeyProtobuf: [UInt8]? {
        let multihash = self.multihash
        return multihash.code == Multihash.identityCode ? multihash.digest : nil
    }
}

extension PeerID: Comparable {
    /// Byte-wise order of the multihashes: stable and cheap, with no meaning beyond that.
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
