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

/// identify/push: partial updates and how they merge into what we know.
@Suite struct IdentifyPushTests {
    let key: PrivateKey

    init() throws {
        key = try PrivateKey.generate(.ed25519)
    }

    @Test func pushedInformationArrivesComplete() async throws {
        let info = IdentifyInfo(
            publicKey: key.publicKey,
            listenAddrs: try IdentifyTestSupport.addresses(2),
            protocols: ["/new/1"],
            agentVersion: "pushed",
            signedPeerRecord: .valid(try SignedPeerRecord.create(addresses: [], signingKey: key))
        )
        let pair = MemoryStreamPair()
        let report = Task { try await IdentifyService().push(pair.dialer, info: info) }
        let pushed = try await IdentifyService().receivePush(pair.listener, expectedPeer: key.peerID)
        #expect(try await report.value.messageCount == 1)
        #expect(pushed.update == IdentifyUpdate(
            publicKey: key.publicKey,
            listenAddrs: info.listenAddrs,
            protocols: ["/new/1"],
            agentVersion: "pushed",
            signedPeerRecord: info.signedPeerRecord
        ))
        #expect(pair.listener.didCloseWrite)
    }

    @Test func partialPushChangesOnlyWhatItCarries() async throws {
        var message = Identify_Pb_Identify()
        message.protocols = ["/only/1", "/only/2"]
        let pushed = try await IdentifyTestSupport.receivePush(receiving: IdentifyTestSupport.framed([message]), from: key.peerID)
        #expect(pushed.update == IdentifyUpdate(protocols: ["/only/1", "/only/2"]))

        let known = IdentifyInfo(
            publicKey: key.publicKey,
            listenAddrs: try IdentifyTestSupport.addresses(1),
            observedAddr: try Multiaddr("/ip4/8.8.8.8/tcp/1"),
            protocols: ["/old/1"],
            protocolVersion: "ipfs/0.1.0",
            agentVersion: "before"
        )
        var expected = known
        expected.protocols = ["/only/1", "/only/2"]
        #expect(known.applying(pushed.update) == expected)
    }

    @Test func pushWithAnotherPeersKeyIsRejected() async throws {
        let stranger = try PrivateKey.generate(.ed25519)
        await #expect(throws: IdentifyError.publicKeyMismatch(expected: key.peerID, received: stranger.peerID)) {
            try await IdentifyTestSupport.receivePush(
                receiving: IdentifyTestSupport.framed([IdentifyTestSupport.keyOnly(stranger)]),
                from: key.peerID
            )
        }
    }

    @Test func emptyPushIsNoMessage() async throws {
        await #expect(throws: IdentifyError.noMessage) {
            try await IdentifyTestSupport.receivePush(receiving: [], from: key.peerID)
        }
    }

    @Test func onlyANewerValidRecordReplacesTheKnownOne() throws {
        let seq5 = try SignedPeerRecord.create(addresses: [], signingKey: key, seq: 5)
        let seq3 = try SignedPeerRecord.create(addresses: [], signingKey: key, seq: 3)
        let seq9 = try SignedPeerRecord.create(addresses: [], signingKey: key, seq: 9)
        let known = IdentifyInfo(publicKey: key.publicKey, signedPeerRecord: .valid(seq5))

        #expect(known.applying(IdentifyUpdate(signedPeerRecord: .valid(seq3))).signedPeerRecord == .valid(seq5))
        #expect(known.applying(IdentifyUpdate(signedPeerRecord: .valid(seq9))).signedPeerRecord == .valid(seq9))
        #expect(known.applying(IdentifyUpdate(signedPeerRecord: .invalid(.invalidSignature))).signedPeerRecord == .valid(seq5))
        #expect(known.applying(IdentifyUpdate()).signedPeerRecord == .valid(seq5))
        let unknown = IdentifyInfo(publicKey: key.publicKey, signedPeerRecord: .invalid(.invalidSignature))
        #expect(unknown.applying(IdentifyUpdate(signedPeerRecord: .valid(seq3))).signedPeerRecord == .valid(seq3))
    }

    @Test func receivePushTimesOutWhenThePusherNeverCloses() async throws {
        let pair = MemoryStreamPair()
        try await pair.dialer.write(ByteBuffer(bytes: IdentifyTestSupport.framed([IdentifyTestSupport.keyOnly(key)])))
        let service = IdentifyService(timeout: .milliseconds(80))
        await #expect(throws: ProtocolTimeoutError(activity: "identify push receive", limit: .milliseconds(80))) {
            try await service.receivePush(pair.listener, expectedPeer: key.peerID)
        }
        #expect(pair.dialer.wasReset)
    }
}
