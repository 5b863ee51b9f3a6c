import Foundation
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

/// Checks of the remote `NoiseHandshakePayload` (noise.md §4).
@Suite struct NoiseHandshakePayloadTests {
    static let staticKey = [UInt8](repeating: 0x42, count: 32)

    static func payload(identity: PrivateKey, signing signedStatic: [UInt8]) throws -> Pb_NoiseHandshakePayload {
        var payload = Pb_NoiseHandshakePayload()
        payload.identityKey = Data(identity.publicKey.marshal())
        payload.identitySig = Data(try identity.sign(NoiseHandshakePayload.signaturePrefix + signedStatic))
        return payload
    }

    @Test func validPayloadYieldsPeerIDAndMuxers() throws {
        let identity = try PrivateKey.generate(.ecdsa)
        let bytes = try NoiseHandshakePayload.make(
            identity: identity, staticPublicKey: Self.staticKey, streamMuxers: ["/yamux/1.0.0", "/mplex/6.7.0"])
        let verified = try NoiseHandshakePayload.verify(bytes, remoteStaticKey: Self.staticKey, message: 2)
        #expect(verified.publicKey == identity.publicKey)
        #expect(verified.peerID == PeerID(publicKeyProtobuf: identity.publicKey.marshal()))
        #expect(verified.streamMuxers == ["/yamux/1.0.0", "/mplex/6.7.0"])
    }

    @Test func payloadWithoutExtensionsHasNoMuxerList() throws {
        let identity = try PrivateKey.generate(.ed25519)
        let bytes = try NoiseHandshakePayload.make(identity: identity, staticPublicKey: Self.staticKey, streamMuxers: [])
        #expect(try NoiseHandshakePayload.verify(bytes, remoteStaticKey: Self.staticKey, message: 3).streamMuxers == nil)
    }

    @Test func signatureOverAnotherStaticKeyIsRejected() throws {
        let identity = try PrivateKey.generate(.ed25519)
        let bytes = try Self.payload(identity: identity, signing: [UInt8](repeating: 0x43, count: 32)).serializedBytes() as [UInt8]
        #expect(throws: NoiseError.invalidIdentitySignature(message: 2)) {
            try NoiseHandshakePayload.verify(bytes, remoteStaticKey: Self.staticKey, message: 2)
        }
    }

    @Test func missingFieldsAreNamed() throws {
        let identity = try PrivateKey.generate(.ed25519)
        var noKey = try Self.payload(identity: identity, signing: Self.staticKey)
        noKey.clearIdentityKey()
        #expect(throws: NoiseError.invalidPayload(message: 3, reason: "identity_key is missing")) {
            try NoiseHandshakePayload.verify(try noKey.serializedBytes(), remoteStaticKey: Self.staticKey, message: 3)
        }
        var noSig = try Self.payload(identity: identity, signing: Self.staticKey)
        noSig.clearIdentitySig()
        #expect(throws: NoiseError.invalidPayload(message: 3, reason: "identity_sig is missing")) {
            try NoiseHandshakePayload.verify(try noSig.serializedBytes(), remoteStaticKey: Self.staticKey, message: 3)
        }
    }

    @Test func malformedIdentityKeyIsRejected() throws {
        var payload = try Self.payload(identity: try PrivateKey.generate(.ed25519), signing: Self.staticKey)
        payload.identityKey = Data([0x08, 0x09, 0x12, 0x01, 0x00])
        let error = try #require(throws: NoiseError.self) {
            try NoiseHandshakePayload.verify(try payload.serializedBytes(), remoteStaticKey: Self.staticKey, message: 2)
        }
        guard case .invalidIdentityKey(message: 2, _) = error else {
            Issue.record("expected invalidIdentityKey, got \(error)")
            return
        }
    }

    @Test func garbageIsNotAPayload() throws {
        let error = try #require(throws: NoiseError.self) {
            try NoiseHandshakePayload.verify([0x0a, 0xff, 0xff], remoteStaticKey: Self.staticKey, message: 2)
        }
        guard case .invalidPayload(message: 2, _) = error else {
            Issue.record("expected invalidPayload, got \(error)")
            return
        }
    }

    @Test func unknownFieldsAreSkipped() throws {
        // py-libp2p 0.8.1 puts a non-standard `early_data = 3` inside the extensions.
        let identity = try PrivateKey.generate(.ed25519)
        var bytes = try NoiseHandshakePayload.make(identity: identity, staticPublicKey: Self.staticKey, streamMuxers: [])
        bytes += [0x22, 0x04, 0x1a, 0x02, 0xab, 0xcd]
        let verified = try NoiseHandshakePayload.verify(bytes, remoteStaticKey: Self.staticKey, message: 2)
        #expect(verified.streamMuxers == [])
    }
}
