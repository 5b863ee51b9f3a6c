@preconcurrency import Crypto
import NIOCore
import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

/// A static key and payload prepared once and reused across handshakes (noise.md: one per process).
@Suite struct NoiseLocalIdentityTests {
    @Test func preparedIdentitiesHandshakeAndProveThePeer() throws {
        let initiatorKey = try PrivateKey.generate(.ed25519)
        let responderKey = try PrivateKey.generate(.secp256k1)
        let initiatorLocal = try NoiseLocalIdentity(identity: initiatorKey, streamMuxers: ["/yamux/1.0.0"])
        let responderLocal = try NoiseLocalIdentity(identity: responderKey, streamMuxers: ["/mplex/6.7.0", "/yamux/1.0.0"])
        // Two connections with the same prepared identities: both verify, each with its own keys.
        var transports: [[UInt8]] = []
        for _ in 0..<2 {
            var initiator = NoiseLibp2pHandshake(
                role: .initiator, local: initiatorLocal, expectedRemotePeer: responderKey.peerID)
            var responder = NoiseLibp2pHandshake(role: .responder, local: responderLocal)
            let run = NoiseHandshakeRun.drive(&initiator, &responder)
            var (initiatorResult, initiatorTransport, _) = try #require(NoiseHandshakeRun.completion(run.initiatorActions))
            let (responderResult, _, _) = try #require(NoiseHandshakeRun.completion(run.responderActions))
            #expect(initiatorResult.remotePeerID == responderKey.peerID)
            #expect(responderResult.remotePeerID == initiatorKey.peerID)
            #expect(initiatorResult.earlyMuxer == "/yamux/1.0.0", "the responder's prepared muxer list was sent")
            var wire = ByteBuffer()
            try initiatorTransport.encrypt(ByteBuffer(string: "same plaintext"), appendingTo: &wire)
            transports.append(Array(wire.readableBytesView))
            _ = initiatorResult
        }
        #expect(transports[0] != transports[1], "fresh ephemeral keys give every connection its own secrets")
    }

    @Test func thePayloadSignsThePreparedStaticKey() throws {
        let key = try PrivateKey.generate(.ed25519)
        let staticKey = Curve25519.KeyAgreement.PrivateKey()
        let local = try NoiseLocalIdentity(identity: key, streamMuxers: [], staticKey: staticKey)
        let verified = try NoiseHandshakePayload.verify(
            local.payload, remoteStaticKey: Array(staticKey.publicKey.rawRepresentation), message: 2)
        #expect(verified.peerID == key.peerID)
        #expect(verified.streamMuxers == nil)
        #expect(throws: NoiseError.self) {
            try NoiseHandshakePayload.verify(
                local.payload, remoteStaticKey: Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation),
                message: 2)
        }
    }

    @Test func theCacheKeepsOnePerIdentityAndMuxerListWithinItsBound() throws {
        let cache = NoiseLocalIdentityCache(capacity: 2)
        let a = try PrivateKey.generate(.ed25519)
        let b = try PrivateKey.generate(.ed25519)
        let first = try cache.identity(for: a, streamMuxers: ["/yamux/1.0.0"])
        let again = try cache.identity(for: a, streamMuxers: ["/yamux/1.0.0"])
        #expect(first.payload == again.payload, "reused, not re-signed")
        let otherMuxers = try cache.identity(for: a, streamMuxers: [])
        #expect(otherMuxers.payload != first.payload)
        _ = try cache.identity(for: b, streamMuxers: ["/yamux/1.0.0"])
        #expect(cache.count == 2)
        // `a` with yamux was used least recently and was dropped: a new static key is made.
        #expect(try cache.identity(for: a, streamMuxers: ["/yamux/1.0.0"]).payload != first.payload)
    }
}
