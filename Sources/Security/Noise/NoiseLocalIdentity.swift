@preconcurrency import Crypto
import NIOConcurrencyHelpers
import Identity
import Multiformats

/// Our side of a libp2p Noise handshake prepared once: an X25519 static key and the handshake payload
/// that binds it to our libp2p identity (the identity key's signature over the static key, plus our
/// early muxers).
///
/// noise.md allows one static key per process (never persisted); go makes one per handshake,
/// rust-libp2p one per configuration. Reusing it saves an X25519 key generation and an identity
/// signature on each side of every handshake, both on the path of the connect. The ephemeral key,
/// which gives each connection its own secrets, is still fresh per handshake.
public struct NoiseLocalIdentity: Sendable {
    let staticKey: Curve25519.KeyAgreement.PrivateKey
    /// Offered for early muxer negotiation (noise.md §5), in preference order.
    public let streamMuxers: [String]
    /// The serialized `NoiseHandshakePayload` sent in message 2 (responder) or 3 (initiator).
    let payload: [UInt8]

    /// Makes a static key (unless given) and signs it with `identity`.
    public init(
        identity: PrivateKey,
        streamMuxers: [String],
        staticKey: Curve25519.KeyAgreement.PrivateKey = Curve25519.KeyAgreement.PrivateKey()
    ) throws(NoiseError) {
        self.staticKey = staticKey
        self.streamMuxers = streamMuxers
        payload = try NoiseHandshakePayload.make(
            identity: identity, staticPublicKey: Array(staticKey.publicKey.rawRepresentation),
            streamMuxers: streamMuxers)
    }

    /// One prepared identity per (identity key, muxer list) in this process, made on first use.
    /// Bounded: beyond 16 combinations the least recently used is dropped (a new one is made if it
    /// is needed again).
    public static func cached(identity: PrivateKey, streamMuxers: [String]) throws(NoiseError) -> NoiseLocalIdentity {
        try cache.identity(for: identity, streamMuxers: streamMuxers)
    }

    static let cache = NoiseLocalIdentityCache(capacity: 16)
}

/// The bounded, lock-protected store behind ``NoiseLocalIdentity/cached(identity:streamMuxers:)``.
final class NoiseLocalIdentityCache: Sendable {
    private struct Key: Hashable {
        let peer: PeerID
        let streamMuxers: [String]
    }

    private struct State {
        var entries: [Key: (identity: NoiseLocalIdentity, lastUse: UInt64)] = [:]
        var uses: UInt64 = 0
    }

    private let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func identity(for identity: PrivateKey, streamMuxers: [String]) throws(NoiseError) -> NoiseLocalIdentity {
        let key = Key(peer: identity.peerID, streamMuxers: streamMuxers)
        if let cached = state.withLockedValue({ state -> NoiseLocalIdentity? in
            guard let entry = state.entries[key] else { return nil }
            state.uses += 1
            state.entries[key]?.lastUse = state.uses
            return entry.identity
        }) {
            return cached
        }
        // Made outside the lock; two racing first uses may both make one, the first stored wins.
        let made = try NoiseLocalIdentity(identity: identity, streamMuxers: streamMuxers)
        return state.withLockedValue { state in
            state.uses += 1
            if let raced = state.entries[key] { return raced.identity }
            if state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.entries.removeValue(forKey: oldest)
            }
            state.entries[key] = (made, state.uses)
            return made
        }
    }

    var count: Int { state.withLockedValue { $0.entries.count } }
}
