@preconcurrency import Crypto
import Foundation
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

/// The pure-Noise half of the `libp2p_synthetic` vector: with its keys and payloads, our handshake
/// produces exactly its framed wire bytes, Split keys and transport frames.
@Suite struct NoiseSyntheticWireTests {
    typealias V = NoiseTestVectors

    static func frame(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message
    }

    static func states(_ vector: V.Synthetic) throws -> (NoiseHandshakeState, NoiseHandshakeState) {
        func key(_ hex: String) throws -> Curve25519.KeyAgreement.PrivateKey {
            try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: V.bytes(hex))
        }
        let initiator = NoiseHandshakeState(
            role: .initiator, prologue: try V.bytes(vector.prologue),
            staticKey: try key(vector.initiator.noiseStaticPrivate),
            ephemeralKey: try key(vector.initiator.noiseEphemeralPrivate))
        let responder = NoiseHandshakeState(
            role: .responder, prologue: try V.bytes(vector.prologue),
            staticKey: try key(vector.responder.noiseStaticPrivate),
            ephemeralKey: try key(vector.responder.noiseEphemeralPrivate))
        return (initiator, responder)
    }

    @Test func handshakeWireBytesSplitAndTransportFrames() throws {
        let vector = try V.load().libp2pSynthetic
        var (initiator, responder) = try Self.states(vector)
        #expect(initiator.localStaticPublicKey == (try V.bytes(vector.initiator.noiseStaticPublic)))
        #expect(responder.localStaticPublicKey == (try V.bytes(vector.responder.noiseStaticPublic)))

        let message1 = try initiator.writeMessage(payload: [])
        #expect(Self.frame(message1) == (try V.bytes(vector.wire.msg1Framed)))
        #expect(try responder.readMessage(message1) == [])

        let payload2 = try V.bytes(try #require(vector.responder.handshakePayloadMsg2))
        let message2 = try responder.writeMessage(payload: payload2)
        #expect(Self.frame(message2) == (try V.bytes(vector.wire.msg2Framed)))
        #expect(try initiator.readMessage(message2) == payload2)
        #expect(initiator.remoteStatic?.rawRepresentation == Data(try V.bytes(vector.responder.noiseStaticPublic)))

        let payload3 = try V.bytes(try #require(vector.initiator.handshakePayloadMsg3))
        let message3 = try initiator.writeMessage(payload: payload3)
        #expect(Self.frame(message3) == (try V.bytes(vector.wire.msg3Framed)))
        #expect(try responder.readMessage(message3) == payload3)
        #expect(responder.remoteStatic?.rawRepresentation == Data(try V.bytes(vector.initiator.noiseStaticPublic)))

        #expect(initiator.handshakeHash == (try V.bytes(vector.handshakeHash)))
        #expect(responder.handshakeHash == (try V.bytes(vector.handshakeHash)))

        var (initiatorSend, initiatorReceive) = initiator.split()
        var (responderSend, responderReceive) = responder.split()
        #expect(initiatorSend.keyBytes == (try V.bytes(vector.split.k1InitiatorToResponder)))
        #expect(initiatorReceive.keyBytes == (try V.bytes(vector.split.k2ResponderToInitiator)))
        #expect(responderSend.keyBytes == initiatorReceive.keyBytes)
        #expect(responderReceive.keyBytes == initiatorSend.keyBytes)

        for frame in vector.transport {
            let plaintext = try V.buffer(frame.plaintext)
            var framed = try V.buffer(frame.framedCiphertext)
            var sealed = ByteBuffer()
            var opened = ByteBuffer()
            #expect(frame.nonce == 0)
            if frame.sender == "initiator" {
                try initiatorSend.encrypt(plaintext, appendingFramesTo: &sealed)
                framed.moveReaderIndex(forwardBy: 2)
                try responderReceive.decryptFrame(framed, appendingTo: &opened)
            } else {
                try responderSend.encrypt(plaintext, appendingFramesTo: &sealed)
                framed.moveReaderIndex(forwardBy: 2)
                try initiatorReceive.decryptFrame(framed, appendingTo: &opened)
            }
            #expect(sealed == (try V.buffer(frame.framedCiphertext)), "\(frame.sender) frame")
            #expect(opened == plaintext, "\(frame.sender) frame")
        }
    }
}
