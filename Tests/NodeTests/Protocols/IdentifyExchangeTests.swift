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

/// respond ⇄ request over the in-memory pipe: sizes, splitting, trimming, validation, timeouts.
@Suite struct IdentifyExchangeTests {
    let key: PrivateKey

    init() throws {
        key = try PrivateKey.generate(.ed25519)
    }

    private func exchange(
        _ info: IdentifyInfo,
        expectedPeer: PeerID? = nil
    ) async throws -> (IdentifySendReport, IdentifyResult, MemoryStreamPair) {
        let pair = MemoryStreamPair(chunkSize: 100)
        let report = Task { try await IdentifyService().respond(pair.listener, info: info) }
        let result = try await IdentifyService().request(pair.dialer, expectedPeer: expectedPeer ?? key.peerID)
        return (try await report.value, result, pair)
    }

    @Test func fullInformationRoundTrips() async throws {
        let info = IdentifyInfo(
            publicKey: key.publicKey,
            listenAddrs: try IdentifyTestSupport.addresses(3),
            observedAddr: try Multiaddr("/ip6/::1/tcp/9"),
            protocols: [PingProtocol.id, IdentifyProtocol.id, IdentifyProtocol.pushID],
            protocolVersion: "ipfs/0.1.0",
            agentVersion: "peerscope/test",
            signedPeerRecord: .valid(try SignedPeerRecord.create(addresses: try IdentifyTestSupport.addresses(3), signingKey: key))
        )
        let (report, result, pair) = try await exchange(info)
        #expect(result.info == info)
        #expect(report.messageCount == 1)
        #expect(result.diagnostics.byteCount == report.byteCount)
        #expect(pair.dialer.didCloseWrite && pair.listener.didCloseWrite)
        #expect(!pair.dialer.wasReset)
    }

    @Test func minimalInformationLeavesOptionalFieldsEmpty() async throws {
        let (_, result, _) = try await exchange(IdentifyInfo(publicKey: key.publicKey))
        #expect(result.info == IdentifyInfo(publicKey: key.publicKey))
        #expect(result.info.signedPeerRecord == .absent)
    }

    @Test func largeMessageWithRecordIsSentAsTwoAndMerged() async throws {
        let addresses = try IdentifyTestSupport.addresses(120)
        let record = try SignedPeerRecord.create(addresses: addresses, signingKey: key)
        let info = IdentifyInfo(publicKey: key.publicKey, listenAddrs: addresses, signedPeerRecord: .valid(record))
        let encoded = try IdentifyMessageEncoder.encode(info, limits: IdentifyLimits())
        #expect(encoded.report.messageCount == 2)

        let frames = try IdentifyTestSupport.splitFrames(Array(buffer: encoded.wireBytes))
        #expect(frames.count == 2)
        #expect(!frames[0].hasSignedPeerRecord && frames[0].listenAddrs.count == 120)
        var recordOnly = Identify_Pb_Identify()
        recordOnly.signedPeerRecord = Data(record.envelopeBytes)
        #expect(frames[1] == recordOnly)

        let (_, result, _) = try await exchange(info)
        #expect(result.info == info)
        #expect(result.diagnostics.messageCount == 2)
    }

    @Test func messageJustUnderTheSplitThresholdStaysWhole() throws {
        let record = try SignedPeerRecord.create(addresses: [], signingKey: key)
        var info = IdentifyInfo(publicKey: key.publicKey, signedPeerRecord: .valid(record))
        let single = try IdentifyMessageEncoder.encode(info, limits: IdentifyLimits())
        let threshold = single.report.byteCount - 2  // message size without its 2-byte prefix
        #expect(try IdentifyMessageEncoder.encode(info, limits: IdentifyLimits(signedRecordSplitThreshold: threshold)).report.messageCount == 1)
        #expect(try IdentifyMessageEncoder.encode(info, limits: IdentifyLimits(signedRecordSplitThreshold: threshold - 1)).report.messageCount == 2)
        info.signedPeerRecord = .invalid(.invalidSignature)
        #expect(try IdentifyMessageEncoder.encode(info, limits: IdentifyLimits()).report.byteCount < single.report.byteCount)
    }

    @Test func listenAddressesAreTrimmedToTheSendLimit() async throws {
        let addresses = try IdentifyTestSupport.addresses(500)
        let info = IdentifyInfo(publicKey: key.publicKey, listenAddrs: addresses)
        let (report, result, _) = try await exchange(info)
        #expect(report.droppedListenAddrs > 0)
        #expect(result.info.listenAddrs == Array(addresses.prefix(500 - report.droppedListenAddrs)))
        // Each address costs 10 bytes on the wire; one more would not have fitted.
        let messageSize = report.byteCount - 2
        #expect(messageSize <= 4096)
        #expect(messageSize + 10 > 4096)
    }

    @Test func ownOversizedMessageIsRefusedBeforeSending() async throws {
        let protocols = (0..<300).map { "/a-rather-long-protocol-name/\($0)" }
        let pair = MemoryStreamPair()
        await #expect {
            try await IdentifyService().respond(pair.listener, info: IdentifyInfo(publicKey: key.publicKey, protocols: protocols))
        } throws: { error in
            guard case IdentifyError.ownMessageTooLarge(let size, 4096) = error else { return false }
            return size > 4096
        }
        #expect(pair.listener.writeCount == 0)
        #expect(pair.dialer.wasReset)
    }

    @Test func keyOfAnotherPeerIsRejectedAndTheStreamReset() async throws {
        let expected = try PrivateKey.generate(.ed25519).peerID
        let pair = MemoryStreamPair()
        let report = Task { try await IdentifyService().respond(pair.listener, info: IdentifyInfo(publicKey: key.publicKey)) }
        await #expect(throws: IdentifyError.publicKeyMismatch(expected: expected, received: key.peerID)) {
            try await IdentifyService().request(pair.dialer, expectedPeer: expected)
        }
        _ = try? await report.value
        #expect(pair.listener.wasReset)
    }

    @Test func recordOfAnotherPeerIsReportedNotFatal() async throws {
        let stranger = try PrivateKey.generate(.ed25519)
        let foreign = try SignedPeerRecord.create(addresses: [], signingKey: stranger)
        let info = IdentifyInfo(publicKey: key.publicKey, agentVersion: "a", signedPeerRecord: .valid(foreign))
        let (_, result, _) = try await exchange(info)
        #expect(result.info.agentVersion == "a")
        #expect(result.info.signedPeerRecord == .invalid(.signerIsNotConnectionPeer(expected: key.peerID, signer: stranger.peerID)))
    }

    @Test func tamperedRecordIsReportedNotFatal() async throws {
        var message = IdentifyTestSupport.keyOnly(key)
        var envelope = try SignedPeerRecord.create(addresses: [], signingKey: key).envelopeBytes
        envelope[envelope.count - 3] ^= 0x10
        message.signedPeerRecord = Data(envelope)
        let result = try await IdentifyTestSupport.request(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        #expect(result.info.signedPeerRecord == .invalid(.invalidSignature))
        #expect(result.info.publicKey == key.publicKey)
    }

    @Test func requestTimesOutWhenTheListenerNeverCloses() async throws {
        let pair = MemoryStreamPair()
        try await pair.listener.write(ByteBuffer(bytes: IdentifyTestSupport.framed([IdentifyTestSupport.keyOnly(key)])))
        let service = IdentifyService(timeout: .milliseconds(80))
        await #expect(throws: ProtocolTimeoutError(activity: "identify request", limit: .milliseconds(80))) {
            try await service.request(pair.dialer, expectedPeer: key.peerID)
        }
        #expect(pair.listener.wasReset)
    }

    @Test func respondTimesOutWhenTheDialerReadsNothing() async throws {
        let pair = MemoryStreamPair(capacity: 10)
        let service = IdentifyService(timeout: .milliseconds(80))
        await #expect(throws: ProtocolTimeoutError(activity: "identify response", limit: .milliseconds(80))) {
            try await service.respond(pair.listener, info: IdentifyInfo(publicKey: key.publicKey))
        }
        #expect(pair.dialer.wasReset)
    }
}
