import Foundation
import NIOCore

/// The Noise XX vectors of noise.md §7, loaded from `Fixtures/noise-xx-25519-chachapoly-sha256.json`.
struct NoiseTestVectors: Decodable {
    struct Message: Decodable {
        let payload: String
        let ciphertext: String
    }

    /// A generic Noise vector (cacophony / snow format).
    struct Generic: Decodable {
        let initPrologue: String
        let initStatic: String
        let initEphemeral: String
        let respPrologue: String
        let respStatic: String
        let respEphemeral: String
        let handshakeHash: String?
        let messages: [Message]
    }

    struct Derived: Decodable {
        struct Step: Decodable {
            let step: String
            let h: String?
        }
        let handshakeHash: String
        let splitK1InitiatorToResponder: String
        let splitK2ResponderToInitiator: String
        let trace: [Step]
    }

    struct Synthetic: Decodable {
        struct Party: Decodable {
            let identityEd25519Seed: String
            let identityPublicKeyProtobuf: String
            let peerId: String
            let noiseStaticPrivate: String
            let noiseStaticPublic: String
            let noiseEphemeralPrivate: String
            let noiseEphemeralPublic: String
            let signedData: String
            let identitySig: String
            let handshakePayloadMsg2: String?
            let handshakePayloadMsg3: String?
        }
        struct Wire: Decodable {
            let msg1Framed: String
            let msg2Framed: String
            let msg3Framed: String
        }
        struct Split: Decodable {
            let k1InitiatorToResponder: String
            let k2ResponderToInitiator: String
        }
        struct TransportFrame: Decodable {
            let sender: String
            let nonce: UInt64
            let plaintext: String
            let framedCiphertext: String
        }
        let prologue: String
        let initiator: Party
        let responder: Party
        let wire: Wire
        let handshakeHash: String
        let split: Split
        let transport: [TransportFrame]
        let negotiatedMuxer: String
    }

    let cacophony: Generic
    let cacophonyDerived: Derived
    let snow: Generic
    let libp2pSynthetic: Synthetic

    static func load() throws -> NoiseTestVectors {
        guard
            let url = Bundle.module.url(
                forResource: "noise-xx-25519-chachapoly-sha256", withExtension: "json", subdirectory: "Fixtures")
        else {
            throw CocoaError(.fileNoSuchFile)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(NoiseTestVectors.self, from: Data(contentsOf: url))
    }

    /// Decodes lowercase hex from the vector file.
    static func bytes(_ hex: String) throws -> [UInt8] {
        Array(try ByteBuffer(plainHexEncodedBytes: hex).readableBytesView)
    }

    static func buffer(_ hex: String) throws -> ByteBuffer {
        try ByteBuffer(plainHexEncodedBytes: hex)
    }
}
