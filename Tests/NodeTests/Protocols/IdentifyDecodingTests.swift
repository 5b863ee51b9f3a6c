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

/// What a requester accepts, tolerates and rejects in the bytes of an identify stream.
@Suite struct IdentifyDecodingTests {
    let key: PrivateKey

    init() throws {
        key = try PrivateKey.generate(.ed25519)
    }

    @Test func severalMessagesMergeWithProtobufSemantics() async throws {
        var first = IdentifyTestSupport.keyOnly(key)
        first.agentVersion = "first"
        first.listenAddrs = [Data(try Multiaddr("/ip4/1.1.1.1/tcp/1").bytes)]
        var second = Identify_Pb_Identify()
        second.agentVersion = "second"
        second.listenAddrs = [Data(try Multiaddr("/ip4/2.2.2.2/tcp/2").bytes)]
        var third = Identify_Pb_Identify()
        third.protocols = ["/x/1"]
        third.protocolVersion = "ipfs/0.1.0"
        let result = try await IdentifyTestSupport.request(
            receiving: IdentifyTestSupport.framed([first, second, third]),
            from: key.peerID,
            chunkSize: 3
        )
        #expect(result.info.agentVersion == "second")
        #expect(result.info.listenAddrs == [try Multiaddr("/ip4/1.1.1.1/tcp/1"), try Multiaddr("/ip4/2.2.2.2/tcp/2")])
        #expect(result.info.protocols == ["/x/1"])
        #expect(result.info.protocolVersion == "ipfs/0.1.0")
        #expect(result.diagnostics.messageCount == 3)
    }

    @Test func oversizedMessageIsRejected() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        message.agentVersion = String(repeating: "x", count: 8192)
        let bytes = IdentifyTestSupport.framed([message])
        let size = UInt64(ProtobufEncoding.bytes(of: message).count)
        await #expect(throws: IdentifyError.messageTooLarge(messageIndex: 0, length: size, limit: 8192)) {
            try await IdentifyTestSupport.request(receiving: bytes, from: key.peerID)
        }
    }

    @Test func messageAtTheSizeLimitIsAccepted() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        let overhead = ProtobufEncoding.bytes(of: message).count + 3  // tag + 2-byte length of agentVersion
        message.agentVersion = String(repeating: "x", count: 8192 - overhead)
        #expect(ProtobufEncoding.bytes(of: message).count == 8192)
        let result = try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        #expect(result.info.agentVersion?.count == 8192 - overhead)
    }

    @Test func moreThanTenMessagesAreRejected() async throws {
        let messages = [IdentifyTestSupport.keyOnly(key)] + Array(repeating: Identify_Pb_Identify(), count: 10)
        await #expect(throws: IdentifyError.tooManyMessages(limit: 10)) {
            try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed(messages), from: key.peerID)
        }
        let ten = Array(messages.prefix(10))
        #expect(try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed(ten), from: key.peerID).diagnostics.messageCount == 10)
    }

    @Test func streamLongerThanAllMessagesIsCutOff() async throws {
        let limits = IdentifyLimits(maxReceivedMessageSize: 100, maxReceivedMessages: 2)
        #expect(limits.maxReceivedStreamBytes == 202)
        let pair = MemoryStreamPair()
        try await pair.listener.write(ByteBuffer(repeating: 0, count: 203))
        await #expect(throws: IdentifyError.streamTooLong(limit: 202)) {
            try await IdentifyService(limits: limits).request(pair.dialer, expectedPeer: key.peerID)
        }
        #expect(pair.listener.wasReset)
    }

    @Test func truncatedMessageIsRejected() async throws {
        let bytes: [UInt8] = [50] + Array(repeating: 0, count: 10)
        await #expect(throws: IdentifyError.truncatedMessage(messageIndex: 0, receivedBytes: 11)) {
            try await IdentifyTestSupport.request(receiving: bytes, from: key.peerID)
        }
    }

    @Test func invalidLengthPrefixIsRejected() async throws {
        let bytes = IdentifyTestSupport.framed([IdentifyTestSupport.keyOnly(key)]) + [0x80, 0x00]
        await #expect(throws: IdentifyError.invalidLengthPrefix(messageIndex: 1, .nonMinimal(byteCount: 2))) {
            try await IdentifyTestSupport.request(receiving: bytes, from: key.peerID)
        }
    }

    @Test func malformedProtobufIsRejected() async throws {
        await #expect {
            try await IdentifyTestSupport.request(receiving: [3, 0xff, 0xff, 0xff], from: key.peerID)
        } throws: { error in
            guard case IdentifyError.malformedMessage(messageIndex: 0, _) = error else { return false }
            return true
        }
    }

    @Test func emptyStreamIsNoMessage() async throws {
        await #expect(throws: IdentifyError.noMessage) {
            try await IdentifyTestSupport.request(receiving: [], from: key.peerID)
        }
    }

    @Test func undecodablePublicKeyIsRejected() async throws {
        var message = Identify_Pb_Identify()
        message.publicKey = Data([0x08, 0x09, 0x12, 0x00])
        await #expect(throws: IdentifyError.invalidPublicKey(.unknownKeyType(9))) {
            try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        }
    }

    @Test func missingKeyIsTakenFromAnIdentityPeerID() async throws {
        var message = Identify_Pb_Identify()
        message.agentVersion = "keyless"
        let result = try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        #expect(result.info.publicKey == key.publicKey)
        #expect(result.diagnostics.publicKeyFromPeerID)
    }

    @Test func missingKeyOfAHashedPeerIDIsAnError() async throws {
        let hashedPeer = try PublicKey(marshaled: KeyVectors.ecdsaPublic).peerID
        #expect(hashedPeer.inlinedPublicKeyProtobuf == nil)
        var message = Identify_Pb_Identify()
        message.agentVersion = "keyless"
        await #expect(throws: IdentifyError.missingPublicKey(peer: hashedPeer)) {
            try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: hashedPeer)
        }
    }

    @Test func badAddressesAreSkippedAndCounted() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        let good = try Multiaddr("/ip4/127.0.0.1/tcp/4001")
        message.listenAddrs = [Data([0xff, 0x01]), Data(good.bytes), Data()]
        message.observedAddr = Data([0x04, 0x01])
        let result = try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        #expect(result.info.listenAddrs == [good])
        #expect(result.info.observedAddr == nil)
        #expect(result.diagnostics.skippedListenAddrs == 2)
        #expect(result.diagnostics.invalidObservedAddr)
    }

    @Test func emptyObservedAddressMeansNone() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        message.observedAddr = Data()
        let result = try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        #expect(result.info.observedAddr == nil)
        #expect(!result.diagnostics.invalidObservedAddr)
    }

    @Test func protocolsBeyondTheLimitAreDroppedAndCounted() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        message.protocols = ["/a", "/b", "/c"]
        let result = try await IdentifyTestSupport.request(
            receiving: IdentifyTestSupport.framed([message]),
            from: key.peerID,
            limits: IdentifyLimits(maxProtocols: 2)
        )
        #expect(result.info.protocols == ["/a", "/b"])
        #expect(result.diagnostics.droppedProtocols == 1)
    }

    @Test func legacyUnprefixedMessageIsAccepted() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        message.agentVersion = "py-libp2p/0.8.1"
        message.protocols = ["/ipfs/ping/1.0.0"]
        let result = try await IdentifyTestSupport.request(receiving: ProtobufEncoding.bytes(of: message), from: key.peerID)
        #expect(result.info.agentVersion == "py-libp2p/0.8.1")
        #expect(result.diagnostics.framing == .legacyUnprefixed)
        #expect(result.diagnostics.messageCount == 1)
    }

    @Test func unprefixedBytesWithoutAKeyKeepTheFramingError() async throws {
        var message = Identify_Pb_Identify()
        message.agentVersion = String(repeating: "y", count: 300)
        let bare = ProtobufEncoding.bytes(of: message)
        // As a frame: length 0x32 (50), then bytes that do not parse; as a bare message it has no key.
        await #expect {
            try await IdentifyTestSupport.request(receiving: bare, from: key.peerID)
        } throws: { error in
            guard case IdentifyError.malformedMessage(messageIndex: 0, _) = error else { return false }
            return true
        }
    }
}
