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

/// Replays the published Noise XX vectors byte for byte (noise.md §7).
@Suite struct NoiseHandshakeStateTests {
    typealias V = NoiseTestVectors

    static func privateKey(_ hex: String) throws -> Curve25519.KeyAgreement.PrivateKey {
        try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: V.bytes(hex))
    }

    static func parties(_ vector: V.Generic) throws -> (NoiseHandshakeState, NoiseHandshakeState) {
        let initiator = NoiseHandshakeState(
            role: .initiator, prologue: try V.bytes(vector.initPrologue),
            staticKey: try privateKey(vector.initStatic), ephemeralKey: try privateKey(vector.initEphemeral))
        let responder = NoiseHandshakeState(
            role: .responder, prologue: try V.bytes(vector.respPrologue),
            staticKey: try privateKey(vector.respStatic), ephemeralKey: try privateKey(vector.respEphemeral))
        return (initiator, responder)
    }

    /// Runs every message of a generic vector through both parties and checks every byte.
    static func replay(_ vector: V.Generic) throws -> (NoiseHandshakeState, NoiseHandshakeState) {
        var (initiator, responder) = try parties(vector)
        for (index, message) in vector.messages.prefix(3).enumerated() {
            let payload = try V.bytes(message.payload)
            let expected = try V.bytes(message.ciphertext)
            if index % 2 == 0 {
                #expect(try initiator.writeMessage(payload: payload) == expected, "message \(index + 1) bytes")
                #expect(try responder.readMessage(expected) == payload, "message \(index + 1) payload")
            } else {
                #expect(try responder.writeMessage(payload: payload) == expected, "message \(index + 1) bytes")
                #expect(try initiator.readMessage(expected) == payload, "message \(index + 1) payload")
            }
        }
        #expect(initiator.isComplete && responder.isComplete)
        #expect(initiator.handshakeHash == responder.handshakeHash)

        var (initiatorSend, initiatorReceive) = initiator.split()
        var (responderSend, responderReceive) = responder.split()
        for message in vector.messages.dropFirst(3).enumerated() {
            let payload = try V.buffer(message.element.payload)
            let expected = try V.buffer(message.element.ciphertext)
            var sealed = ByteBuffer()
            var opened = ByteBuffer()
            // Message i is the initiator's when i is even; transport messages start at i = 3.
            if (message.offset + 3) % 2 == 0 {
                try initiatorSend.encryptMessage(payload, appendingTo: &sealed)
                try responderReceive.decryptFrame(expected, appendingTo: &opened)
            } else {
                try responderSend.encryptMessage(payload, appendingTo: &sealed)
                try initiatorReceive.decryptFrame(expected, appendingTo: &opened)
            }
            #expect(sealed == expected, "transport message \(message.offset + 3)")
            #expect(opened == payload, "transport message \(message.offset + 3)")
        }
        return (initiator, responder)
    }

    @Test func cacophonyVector() throws {
        let vectors = try V.load()
        let (initiator, _) = try Self.replay(vectors.cacophony)
        #expect(initiator.handshakeHash == (try V.bytes(try #require(vectors.cacophony.handshakeHash))))
        let (send, receive) = initiator.split()
        #expect(send.keyBytes == (try V.bytes(vectors.cacophonyDerived.splitK1InitiatorToResponder)))
        #expect(receive.keyBytes == (try V.bytes(vectors.cacophonyDerived.splitK2ResponderToInitiator)))
    }

    @Test func snowVector() throws {
        _ = try Self.replay(try V.load().snow)
    }

    @Test func initialHashAndPrologueMixMatchTheTrace() throws {
        let vectors = try V.load()
        let trace = vectors.cacophonyDerived.trace
        let initial = NoiseSymmetricState(protocolName: NoiseProtocol.name)
        #expect(initial.handshakeHash == (try V.bytes(try #require(trace[0].h))))
        #expect(initial.chainingKey == initial.handshakeHash)
        let (initiator, _) = try Self.parties(vectors.cacophony)
        #expect(initiator.handshakeHash == (try V.bytes(try #require(trace[1].h))))
    }

    @Test func emptyPrologueStillMixesTheHash() throws {
        let state = NoiseHandshakeState(
            role: .initiator, staticKey: Curve25519.KeyAgreement.PrivateKey())
        #expect(
            state.handshakeHash
                == (try V.bytes("f3d15e6108ed9556171207baa58f97d29a13c6be40595166066e2e0958dc002d")))
    }

    @Test func prologueMismatchFailsMessageTwo() throws {
        let vector = try V.load().cacophony
        var initiator = NoiseHandshakeState(
            role: .initiator, prologue: Array("other".utf8),
            staticKey: try Self.privateKey(vector.initStatic), ephemeralKey: try Self.privateKey(vector.initEphemeral))
        var (_, responder) = try Self.parties(vector)
        let message1 = try initiator.writeMessage(payload: [])
        _ = try responder.readMessage(message1)
        let message2 = try responder.writeMessage(payload: [])
        #expect(throws: NoiseError.handshakeDecryptionFailed(message: 2)) {
            try initiator.readMessage(message2)
        }
    }

    @Test func tamperedMessageTwoIsRejected() throws {
        var (initiator, responder) = try Self.parties(try V.load().cacophony)
        _ = try responder.readMessage(try initiator.writeMessage(payload: []))
        var message2 = try responder.writeMessage(payload: Array("hello".utf8))
        message2[40] ^= 0x01
        #expect(throws: NoiseError.handshakeDecryptionFailed(message: 2)) {
            try initiator.readMessage(message2)
        }
    }

    @Test func shortMessagesAreRejectedWithTheirMinimum() throws {
        var (initiator, responder) = try Self.parties(try V.load().cacophony)
        #expect(throws: NoiseError.handshakeMessageTooShort(message: 1, minimum: 32, got: 31)) {
            try responder.readMessage([UInt8](repeating: 9, count: 31))
        }
        _ = try responder.readMessage(try initiator.writeMessage(payload: []))
        _ = try responder.writeMessage(payload: [])
        #expect(throws: NoiseError.handshakeMessageTooShort(message: 2, minimum: 96, got: 95)) {
            try initiator.readMessage([UInt8](repeating: 9, count: 95))
        }
    }

    @Test func lowOrderEphemeralKeyIsRejected() throws {
        var (_, responder) = try Self.parties(try V.load().cacophony)
        _ = try responder.readMessage([UInt8](repeating: 0, count: 32))
        #expect(throws: NoiseError.invalidRemoteKey(message: 2)) {
            try responder.writeMessage(payload: [])
        }
    }

    @Test func handshakeCipherRefusesTheReservedLastNonce() throws {
        var cipher = NoiseCipherState()
        cipher.initializeKey(SymmetricKey(size: .bits256))
        cipher.nonce = UInt64.max - 1
        _ = try cipher.encrypt(associatedData: [], plaintext: [1])
        #expect(cipher.nonce == UInt64.max)
        #expect(throws: NoiseError.nonceExhausted) {
            try cipher.encrypt(associatedData: [], plaintext: [1])
        }
        #expect(throws: NoiseError.nonceExhausted) {
            try cipher.decrypt(associatedData: [], ciphertext: [UInt8](repeating: 0, count: 17))
        }
    }
}
