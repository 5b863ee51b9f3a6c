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

/// Every session-fatal protocol violation: typed error, Go Away (protocol error) queued, session closed.
@Suite struct YamuxSessionErrorTests {
    static let goAwayProtocolError = "000300000000000000000001"

    /// Feeds `input` to a fresh session and checks the common failure shape.
    func expectFailure(
        role: YamuxRole, setup: (inout YamuxSession) throws -> Void = { _ in }, input: ByteBuffer,
        error: YamuxError, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var session = YamuxSession(role: role, now: yamuxT0)
        try setup(&session)
        _ = session.takeOutbound()
        var trailing = input
        trailing.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 1))
        let events = session.feed(trailing)
        #expect(events.last == .protocolError(error), sourceLocation: sourceLocation)
        #expect(session.closeReason == .protocolError(error), sourceLocation: sourceLocation)
        // Only Go Away goes out: the ping after the bad frame is not answered.
        #expect(hexString(session.takeOutbound()!) == Self.goAwayProtocolError, sourceLocation: sourceLocation)
        #expect(session.liveStreamIDs.isEmpty, sourceLocation: sourceLocation)
        // Input after the failure is discarded.
        #expect(session.feed(yamuxFrame(.ping, .syn, stream: 0, length: 2)) == [], sourceLocation: sourceLocation)
        #expect(session.takeOutbound() == nil, sourceLocation: sourceLocation)
    }

    @Test func badVersion() throws {
        try expectFailure(role: .server, input: hexBytes("01 02 0001 00000000 0000002a"), error: .unsupportedVersion(1))
    }

    @Test func badType() throws {
        try expectFailure(role: .server, input: hexBytes("00 07 0000 00000000 00000000"), error: .unknownFrameType(7))
    }

    @Test func synWithOurOwnParityMeansBothAreClients() throws {
        try expectFailure(
            role: .client, input: yamuxFrame(.windowUpdate, .syn, stream: 1),
            error: .streamIDParityMismatch(streamID: YamuxStreamID(1), expectedOdd: false))
        try expectFailure(
            role: .server, input: yamuxFrame(.data, .syn, stream: 2, payload: bytes(3)),
            error: .streamIDParityMismatch(streamID: YamuxStreamID(2), expectedOdd: true))
    }

    @Test func synOnStreamZero() throws {
        try expectFailure(
            role: .client, input: yamuxFrame(.windowUpdate, .syn, stream: 0), error: .synOnSessionStream(frameType: 1))
    }

    @Test func duplicateSyn() throws {
        var input = yamuxFrame(.windowUpdate, .syn, stream: 5)
        input.writeImmutableBuffer(yamuxFrame(.data, .syn, stream: 5, payload: bytes(2)))
        try expectFailure(role: .server, input: input, error: .duplicateStreamOpen(streamID: YamuxStreamID(5)))
    }

    @Test func dataBeyondTheInitialWindow() throws {
        try expectFailure(
            role: .server, input: yamuxFrame(.data, .syn, stream: 1, length: 262_145),
            error: .receiveWindowExceeded(streamID: YamuxStreamID(1), length: 262_145, window: 262_144))
    }

    @Test func dataBeyondTheRemainingWindow() throws {
        var input = yamuxFrame(.data, .syn, stream: 1, payload: bytes(262_000))
        input.writeImmutableBuffer(yamuxFrame(.data, [], stream: 1, payload: bytes(144)))
        input.writeImmutableBuffer(yamuxFrame(.data, [], stream: 1, length: 1))
        try expectFailure(
            role: .server, input: input,
            error: .receiveWindowExceeded(streamID: YamuxStreamID(1), length: 1, window: 0))
    }

    @Test func dataLargerThanAnyWindowIsRejectedFromTheHeader() throws {
        // 16 MiB + 1 can never fit; rejected even for an unknown stream, before any body arrives.
        try expectFailure(
            role: .server, input: yamuxFrame(.data, [], stream: 9, length: 16 * 1024 * 1024 + 1),
            error: .dataFrameTooLarge(
                streamID: YamuxStreamID(9), length: 16 * 1024 * 1024 + 1, limit: 16 * 1024 * 1024))
    }

    @Test func sendWindowOverflow() throws {
        // 262144 + (2^32 − 1 − 262144) = 2^32 − 1 is fine; one more byte overflows.
        let fits = UInt32.max - 262_144
        var input = yamuxFrame(.windowUpdate, .ack, stream: 1, length: fits)
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, [], stream: 1, length: 1))
        try expectFailure(
            role: .client, setup: { _ = try $0.openStream(now: yamuxT0) }, input: input,
            error: .sendWindowOverflow(streamID: YamuxStreamID(1), window: UInt32.max, delta: 1))
    }

    @Test func largeGrantsUpToTheMaximumAreFine() throws {
        // py-libp2p grants +2, +4, +8 MiB on one stream.
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        for mebibytes: UInt32 in [2, 4, 8] {
            _ = client.feed(yamuxFrame(.windowUpdate, [], stream: 1, length: mebibytes << 20))
        }
        let expected: UInt32 = 262_144 + (14 << 20)
        #expect(client.streamInfo(YamuxStreamID(1))?.sendWindow == expected)
        _ = client.feed(yamuxFrame(.windowUpdate, [], stream: 1, length: UInt32.max - 262_144 - (14 << 20)))
        #expect(client.streamInfo(YamuxStreamID(1))?.sendWindow == UInt32.max)
        #expect(!client.isClosed)
    }
}
