import Foundation
import SwiftProtobuf
import Identity
import Multiformats

/// Building and checking the libp2p `NoiseHandshakePayload` (noise.md §4).
enum NoiseHandshakePayload {
    /// Prefix of the data the identity key signs: this ‖ the sender's X25519 static public key.
    static let signaturePrefix = Array("noise-libp2p-static-key:".utf8)

    /// What a verified remote payload tells us.
    struct Verified: Sendable {
        let publicKey: PublicKey
        let peerID: PeerID
        /// The peer's `extensions.stream_muxers`, or nil when it sent no extensions.
        let streamMuxers: [String]?
    }

    /// Our payload: identity key, its signature over our static key, and our muxer list.
    static func make(identity: PrivateKey, staticPublicKey: [UInt8], streamMuxers: [String]) throws(NoiseError) -> [UInt8] {
        var payload = Pb_NoiseHandshakePayload()
        payload.identityKey = Data(identity.publicKey.marshal())
        do {
            payload.identitySig = Data(try identity.sign(signaturePrefix + staticPublicKey))
        } catch {
            throw .signingFailed(reason: error.description)
        }
        if !streamMuxers.isEmpty {
            payload.extensions.streamMuxers = streamMuxers
        }
        do {
            return try payload.serializedBytes()
        } catch {
            preconditionFailure("serializing a NoiseHandshakePayload without required fields failed: \(error)")
        }
    }

    /// Decodes the peer's payload and checks its signature over `remoteStaticKey`, the static key the
    /// handshake just delivered.
    static func verify(_ bytes: [UInt8], remoteStaticKey: [UInt8], message: Int) throws(NoiseError) -> Verified {
        let payload: Pb_NoiseHandshakePayload
        do {
            payload = try Pb_NoiseHandshakePayload(serializedBytes: bytes)
        } catch {
            throw .invalidPayload(message: message, reason: "not a NoiseHandshakePayload protobuf (\(error))")
        }
        guard payload.hasIdentityKey else {
            throw .invalidPayload(message: message, reason: "identity_key is missing")
        }
        guard payload.hasIdentitySig else {
            throw .invalidPayload(message: message, reason: "identity_sig is missing")
        }
        let publicKey: PublicKey
        do {
            publicKey = try PublicKey(marshaled: Array(payload.identityKey))
        } catch {
            throw .invalidIdentityKey(message: message, reason: error.description)
        }
        guard publicKey.verify(signature: payload.identitySig, for: signaturePrefix + remoteStaticKey) else {
            throw .invalidIdentitySignature(message: message)
        }
        return Verified(
            publicKey: publicKey,
            peerID: publicKey.peerID,
            streamMuxers: payload.hasExtensions ? payload.extensions.streamMuxers : nil
        )
    }
}
