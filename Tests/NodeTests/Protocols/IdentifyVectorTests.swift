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

/// The derived identify example of protocols.md §2, sent and received.
@Suite struct IdentifyVectorTests {
    @Test func encoderProducesTheSpecBytes() throws {
        let encoded = try IdentifyMessageEncoder.encode(try ProtocolVectors.specInfo(), limits: IdentifyLimits())
        #expect(IdentityHex.string(Array(buffer: encoded.wireBytes)) == IdentityHex.string(ProtocolVectors.framedIdentify))
        #expect(encoded.report == IdentifySendReport(messageCount: 1, byteCount: 293, droppedListenAddrs: 0))
    }

    @Test func respondWritesTheSpecBytesAndCloses() async throws {
        let pair = MemoryStreamPair()
        try await IdentifyService().respond(pair.listener, info: try ProtocolVectors.specInfo())
        let received = try await MuxedStreamReader(pair.dialer).readToEnd(limit: 1024)
        #expect(Array(buffer: received) == ProtocolVectors.framedIdentify)
        #expect(pair.listener.didCloseWrite)
    }

    @Test(arguments: [nil, 1] as [Int?])
    func requestDecodesTheSpecBytes(chunkSize: Int?) async throws {
        let peer = try ProtocolVectors.specKey().peerID
        let result = try await IdentifyTestSupport.request(
            receiving: ProtocolVectors.framedIdentify,
            from: peer,
            chunkSize: chunkSize
        )
        #expect(result.info == (try ProtocolVectors.specInfo()))
        #expect(result.info.signedPeerRecord.record?.envelopeBytes == ProtocolVectors.envelope)
        #expect(result.diagnostics == IdentifyDiagnostics(framing: .lengthPrefixed, messageCount: 1, byteCount: 293))
    }
}
