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

/// Outcome of driving two handshake machines against each other.
struct NoiseHandshakeRun {
    var initiatorActions: [NoiseHandshakeAction] = []
    var responderActions: [NoiseHandshakeAction] = []

    static func sent(_ actions: [NoiseHandshakeAction]) -> [ByteBuffer] {
        actions.compactMap { if case .send(let bytes) = $0 { return bytes } else { return nil } }
    }

    static func events(_ actions: [NoiseHandshakeAction]) -> [NoiseHandshakeEvent] {
        actions.compactMap { if case .event(let event) = $0 { return event } else { return nil } }
    }

    static func completion(_ actions: [NoiseHandshakeAction]) -> (NoiseHandshakeResult, NoiseTransport, ByteBuffer)? {
        for case .completed(let result, let transport, let leftover) in actions {
            return (result, transport, leftover)
        }
        return nil
    }

    static func failure(_ actions: [NoiseHandshakeAction]) -> NoiseError? {
        for case .failed(let error) in actions {
            return error
        }
        return nil
    }

    /// Shuttles messages until both sides stop sending.
    static func drive(_ initiator: inout NoiseLibp2pHandshake, _ responder: inout NoiseLibp2pHandshake) -> NoiseHandshakeRun {
        var run = NoiseHandshakeRun()
        var toResponder = initiator.start()
        run.initiatorActions += toResponder
        run.responderActions += responder.start()
        while !sent(toResponder).isEmpty {
            let responderStep = sent(toResponder).flatMap { responder.receive($0) }
            run.responderActions += responderStep
            let initiatorStep = sent(responderStep).flatMap { initiator.receive($0) }
            run.initiatorActions += initiatorStep
            toResponder = initiatorStep
        }
        return run
    }
}

@Suite struct NoiseLibp2pHandshakeTests {
    typealias V = NoiseTestVectors

    static func x25519(_ hex: String) throws -> Curve25519.KeyAgreement.PrivateKey {
        try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: V.bytes(hex))
    }

    static func syntheticParties() throws -> (NoiseLibp2pHandshake, NoiseLibp2pHandshake, V.Synthetic) {
        let vector = try V.load().libp2pSynthetic
        func party(_ role: NoiseRole, _ data: V.Synthetic.Party) throws -> NoiseLibp2pHandshake {
            NoiseLibp2pHandshake(
                role: role,
                identity: try PrivateKey(keyType: .ed25519, rawData: V.bytes(data.identityEd25519Seed)),
                expectedRemotePeer: nil,
                streamMuxers: ["/yamux/1.0.0"],
                staticKey: try x25519(data.noiseStaticPrivate),
                ephemeralKey: try x25519(data.noiseEphemeralPrivate),
                prologue: try V.bytes(vector.prologue))
        }
        return (try party(.initiator, vector.initiator), try party(.responder, vector.responder), vector)
    }

    // MARK: - The libp2p_synthetic vector

    @Test func payloadsMatchTheSyntheticVector() throws {
        let vector = try V.load().libp2pSynthetic
        let initiatorKey = try PrivateKey(keyType: .ed25519, rawData: V.bytes(vector.initiator.identityEd25519Seed))
        #expect(initiatorKey.publicKey.marshal() == (try V.bytes(vector.initiator.identityPublicKeyProtobuf)))
        let payload3 = try NoiseHandshakePayload.make(
            identity: initiatorKey, staticPublicKey: V.bytes(vector.initiator.noiseStaticPublic),
            streamMuxers: ["/yamux/1.0.0"])
        #expect(payload3 == (try V.bytes(try #require(vector.initiator.handshakePayloadMsg3))))

        let responderKey = try PrivateKey(keyType: .ed25519, rawData: V.bytes(vector.responder.identityEd25519Seed))
        let payload2 = try NoiseHandshakePayload.make(
            identity: responderKey, staticPublicKey: V.bytes(vector.responder.noiseStaticPublic),
            streamMuxers: ["/yamux/1.0.0"])
        #expect(payload2 == (try V.bytes(try #require(vector.responder.handshakePayloadMsg2))))
    }

    @Test func syntheticHandshakeIsByteExact() throws {
        var (initiator, responder, vector) = try Self.syntheticParties()
        let run = NoiseHandshakeRun.drive(&initiator, &responder)
        #expect(
            NoiseHandshakeRun.sent(run.initiatorActions)
                == [try V.buffer(vector.wire.msg1Framed), try V.buffer(vector.wire.msg3Framed)])
        #expect(NoiseHandshakeRun.sent(run.responderActions) == [try V.buffer(vector.wire.msg2Framed)])
        let initiatorID = try PeerID(vector.initiator.peerId)
        let responderID = try PeerID(vector.responder.peerId)
        #expect(
            NoiseHandshakeRun.events(run.initiatorActions) == [
                .messageSent(number: 1, bytes: 34), .messageReceived(number: 2, bytes: 218),
                .peerVerified(responderID, keyType: .ed25519), .messageSent(number: 3, bytes: 186),
            ])
        #expect(
            NoiseHandshakeRun.events(run.responderActions) == [
                .messageReceived(number: 1, bytes: 34), .messageSent(number: 2, bytes: 218),
                .messageReceived(number: 3, bytes: 186), .peerVerified(initiatorID, keyType: .ed25519),
            ])

        var (initiatorResult, initiatorTransport, initiatorLeftover) = try #require(
            NoiseHandshakeRun.completion(run.initiatorActions))
        var (responderResult, responderTransport, responderLeftover) = try #require(
            NoiseHandshakeRun.completion(run.responderActions))
        #expect(initiatorResult.remotePeerID == (try PeerID(vector.responder.peerId)))
        #expect(responderResult.remotePeerID == (try PeerID(vector.initiator.peerId)))
        #expect(initiatorResult.remotePublicKey.marshal() == (try V.bytes(vector.responder.identityPublicKeyProtobuf)))
        #expect(initiatorResult.earlyMuxer == vector.negotiatedMuxer)
        #expect(responderResult.earlyMuxer == vector.negotiatedMuxer)
        #expect(initiatorLeftover.readableBytes == 0 && responderLeftover.readableBytes == 0)
        #expect(initiatorTransport.sendCipher.keyBytes == (try V.bytes(vector.split.k1InitiatorToResponder)))
        #expect(responderTransport.sendCipher.keyBytes == (try V.bytes(vector.split.k2ResponderToInitiator)))

        for frame in vector.transport {
            var wire = ByteBuffer()
            var plaintext = ByteBuffer()
            if frame.sender == "initiator" {
                try initiatorTransport.encrypt(try V.buffer(frame.plaintext), appendingTo: &wire)
                try responderTransport.decrypt(wire, appendingTo: &plaintext)
            } else {
                try responderTransport.encrypt(try V.buffer(frame.plaintext), appendingTo: &wire)
                try initiatorTransport.decrypt(wire, appendingTo: &plaintext)
            }
            #expect(wire == (try V.buffer(frame.framedCiphertext)))
            #expect(plaintext == (try V.buffer(frame.plaintext)))
        }
        _ = (initiatorResult, responderResult, initiatorLeftover, responderLeftover)
    }

    @Test func syntheticHandshakeFedOneByteAtATime() throws {
        var (initiator, responder, vector) = try Self.syntheticParties()
        _ = initiator.start()
        _ = responder.start()
        var responderActions: [NoiseHandshakeAction] = []
        for byte in try V.buffer(vector.wire.msg1Framed).dripFeedChunks {
            responderActions += responder.receive(byte)
        }
        #expect(NoiseHandshakeRun.sent(responderActions) == [try V.buffer(vector.wire.msg2Framed)])
        var initiatorActions: [NoiseHandshakeAction] = []
        for byte in try V.buffer(vector.wire.msg2Framed).dripFeedChunks {
            #expect(initiator.awaitedMessage == 2)
            initiatorActions += initiator.receive(byte)
        }
        #expect(NoiseHandshakeRun.sent(initiatorActions) == [try V.buffer(vector.wire.msg3Framed)])
        var finalActions: [NoiseHandshakeAction] = []
        for byte in try V.buffer(vector.wire.msg3Framed).dripFeedChunks {
            finalActions += responder.receive(byte)
        }
        let (result, _, _) = try #require(NoiseHandshakeRun.completion(finalActions))
        #expect(result.remotePeerID == (try PeerID(vector.initiator.peerId)))
    }

    @Test func transportFramePipelinedBehindMessageThreeIsLeftover() throws {
        var (initiator, responder, vector) = try Self.syntheticParties()
        _ = initiator.start()
        _ = responder.start()
        _ = responder.receive(try V.buffer(vector.wire.msg1Framed))
        _ = initiator.receive(try V.buffer(vector.wire.msg2Framed))
        let firstFrame = try V.buffer(vector.transport[0].framedCiphertext)
        let actions = responder.receive(ByteBuffer.joining(try V.buffer(vector.wire.msg3Framed), firstFrame))
        var (_, transport, leftover) = try #require(NoiseHandshakeRun.completion(actions))
        #expect(leftover == firstFrame)
        var plaintext = ByteBuffer()
        try transport.decrypt(leftover, appendingTo: &plaintext)
        #expect(plaintext == (try V.buffer(vector.transport[0].plaintext)))
    }

    // MARK: - Identities

    @Test(arguments: KeyType.allCases)
    func handshakeBetweenTwoNodes(keyType: KeyType) throws {
        let initiatorKey = try PrivateKey.generate(keyType)
        let responderKey = try PrivateKey.generate(keyType)
        let responderID = PeerID(publicKeyProtobuf: responderKey.publicKey.marshal())
        let initiatorID = PeerID(publicKeyProtobuf: initiatorKey.publicKey.marshal())
        var initiator = NoiseLibp2pHandshake(role: .initiator, identity: initiatorKey, expectedRemotePeer: responderID)
        var responder = NoiseLibp2pHandshake(role: .responder, identity: responderKey)
        let run = NoiseHandshakeRun.drive(&initiator, &responder)
        var (initiatorResult, initiatorTransport, _) = try #require(NoiseHandshakeRun.completion(run.initiatorActions))
        var (responderResult, responderTransport, _) = try #require(NoiseHandshakeRun.completion(run.responderActions))
        #expect(initiatorResult.remotePeerID == responderID)
        #expect(initiatorResult.remotePublicKey == responderKey.publicKey)
        #expect(responderResult.remotePeerID == initiatorID)
        #expect(initiatorResult.earlyMuxer == "/yamux/1.0.0")

        var wire = ByteBuffer()
        var plaintext = ByteBuffer()
        try initiatorTransport.encrypt(ByteBuffer(string: "ping"), appendingTo: &wire)
        try responderTransport.decrypt(wire, appendingTo: &plaintext)
        #expect(plaintext == ByteBuffer(string: "ping"))
        _ = (initiatorResult, responderResult)
    }

    @Test func initiatorRejectsAnUnexpectedResponderBeforeRevealingItself() throws {
        let stranger = try PrivateKey.generate(.ed25519)
        let dialed = PeerID(publicKeyProtobuf: try PrivateKey.generate(.ed25519).publicKey.marshal())
        let actual = PeerID(publicKeyProtobuf: stranger.publicKey.marshal())
        var initiator = NoiseLibp2pHandshake(
            role: .initiator, identity: try PrivateKey.generate(.ed25519), expectedRemotePeer: dialed)
        var responder = NoiseLibp2pHandshake(role: .responder, identity: stranger)
        let run = NoiseHandshakeRun.drive(&initiator, &responder)
        let error = try #require(NoiseHandshakeRun.failure(run.initiatorActions))
        #expect(error == .peerIDMismatch(expected: dialed, actual: actual))
        #expect(error.description.contains(dialed.base58) && error.description.contains(actual.base58))
        // Only message 1 left the initiator: message 3 (with its identity) was never sent.
        #expect(NoiseHandshakeRun.sent(run.initiatorActions).count == 1)
        #expect(
            NoiseHandshakeRun.events(run.initiatorActions) == [
                .messageSent(number: 1, bytes: 34), .messageReceived(number: 2, bytes: 218),
            ])
        #expect(NoiseHandshakeRun.completion(run.responderActions) == nil)
    }

    @Test func responderChecksAnExpectedInitiator() throws {
        let expected = PeerID(publicKeyProtobuf: try PrivateKey.generate(.ed25519).publicKey.marshal())
        let initiatorKey = try PrivateKey.generate(.secp256k1)
        var initiator = NoiseLibp2pHandshake(role: .initiator, identity: initiatorKey)
        var responder = NoiseLibp2pHandshake(
            role: .responder, identity: try PrivateKey.generate(.ed25519), expectedRemotePeer: expected)
        let run = NoiseHandshakeRun.drive(&initiator, &responder)
        #expect(
            NoiseHandshakeRun.failure(run.responderActions)
                == .peerIDMismatch(expected: expected, actual: PeerID(publicKeyProtobuf: initiatorKey.publicKey.marshal())))
    }

    @Test func tamperedMessageTwoFailsTheInitiator() throws {
        var (initiator, responder, vector) = try Self.syntheticParties()
        _ = initiator.start()
        _ = responder.start()
        var message2 = try V.buffer(vector.wire.msg2Framed)
        let byte = message2.getInteger(at: 100, as: UInt8.self) ?? 0
        message2.setInteger(byte ^ 0x01, at: 100)
        let actions = initiator.receive(message2)
        #expect(NoiseHandshakeRun.failure(actions) == .handshakeDecryptionFailed(message: 2))
        #expect(initiator.receive(ByteBuffer(bytes: [1, 2, 3])).isEmpty)
    }

    @Test func closedErrorNamesTheAwaitedMessage() throws {
        var (initiator, responder, vector) = try Self.syntheticParties()
        #expect(responder.closedError == .closedDuringHandshake(awaitingMessage: 1))
        _ = initiator.start()
        _ = responder.start()
        #expect(initiator.closedError == .closedDuringHandshake(awaitingMessage: 2))
        _ = responder.receive(try V.buffer(vector.wire.msg1Framed))
        #expect(responder.closedError == .closedDuringHandshake(awaitingMessage: 3))
    }

    // MARK: - Early muxer negotiation

    @Test func earlyMuxerFollowsTheInitiatorsPreference() throws {
        var initiator = NoiseLibp2pHandshake(
            role: .initiator, identity: try PrivateKey.generate(.ed25519),
            streamMuxers: ["/yamux/1.0.0", "/mplex/6.7.0"])
        var responder = NoiseLibp2pHandshake(
            role: .responder, identity: try PrivateKey.generate(.ed25519),
            streamMuxers: ["/mplex/6.7.0", "/yamux/1.0.0"])
        let run = NoiseHandshakeRun.drive(&initiator, &responder)
        #expect(NoiseHandshakeRun.completion(run.initiatorActions)?.0.earlyMuxer == "/yamux/1.0.0")
        #expect(NoiseHandshakeRun.completion(run.responderActions)?.0.earlyMuxer == "/yamux/1.0.0")
    }

    @Test func noMuxerListMeansMultistreamFallback() throws {
        var initiator = NoiseLibp2pHandshake(role: .initiator, identity: try PrivateKey.generate(.ed25519))
        var responder = NoiseLibp2pHandshake(
            role: .responder, identity: try PrivateKey.generate(.ed25519), streamMuxers: [])
        let run = NoiseHandshakeRun.drive(&initiator, &responder)
        #expect(NoiseHandshakeRun.completion(run.initiatorActions)?.0.earlyMuxer == nil)
        #expect(NoiseHandshakeRun.completion(run.responderActions)?.0.earlyMuxer == nil)
        #expect(NoiseHandshakeRun.completion(run.responderActions) != nil)
    }

    @Test func muxerSelectionRules() {
        let yamux = "/yamux/1.0.0"
        let mplex = "/mplex/6.7.0"
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [yamux, mplex], responderMuxers: [mplex, yamux]) == yamux)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [mplex, yamux], responderMuxers: [yamux, mplex]) == mplex)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [mplex], responderMuxers: [yamux]) == nil)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: nil, responderMuxers: [yamux]) == nil)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [yamux], responderMuxers: nil) == nil)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [], responderMuxers: [yamux]) == nil)
        let tooMany = (0..<100).map { "/other/\($0)" } + [yamux]
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [yamux], responderMuxers: tooMany) == nil)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: tooMany, responderMuxers: [yamux]) == nil)
        #expect(NoiseEarlyMuxer.select(initiatorMuxers: [yamux], responderMuxers: Array(tooMany.suffix(100))) == yamux)
    }
}
