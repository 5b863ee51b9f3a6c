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

/// Stream lifecycle on one session: both open styles, ACK, half-close both ways, RST, unknown streams.
@Suite struct YamuxSessionStreamTests {
    let id1 = YamuxStreamID(1)

    @Test func clientOpensOddStreamsGoStyle() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        #expect(try client.openStream(now: yamuxT0) == YamuxStreamID(1))
        #expect(try client.openStream(now: yamuxT0) == YamuxStreamID(3))
        #expect(hexString(client.takeOutbound()!) == "000100010000000100000000" + "000100010000000300000000")
        #expect(client.streamInfo(id1)?.state == .synSent)
    }

    @Test func serverOpensEvenStreams() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        #expect(try server.openStream(now: yamuxT0) == YamuxStreamID(2))
        #expect(try server.openStream(now: yamuxT0) == YamuxStreamID(4))
    }

    @Test func acceptsGoStyleOpenAndAcksOnAccept() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        #expect(server.feed(hexBytes("00 01 0001 00000001 00000000")) == [.streamOpenedByRemote(id1)])
        #expect(server.takeOutbound() == nil, "ACK waits for the application to accept")
        #expect(server.streamInfo(id1)?.state == .synReceived)
        server.acceptStream(id1, now: yamuxT0)
        #expect(hexString(server.takeOutbound()!) == "000100020000000100000000")
        #expect(server.streamInfo(id1)?.state == .open)
        server.acceptStream(id1, now: yamuxT0)
        #expect(server.takeOutbound() == nil, "ACK is sent once")
    }

    @Test func acceptsRustStyleOpenWithPayload() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        var input = hexBytes("00 00 0001 00000001 00000013")
        input.writeBytes(bytes(19))
        let events = coalescedData(server.feed(input))
        #expect(events == [.streamOpenedByRemote(id1), .data(id1, buffer(bytes(19)))])
        let expectedWindow: UInt32 = 262_144 - 19
        #expect(server.streamInfo(id1)?.receiveWindow == expectedWindow)
        #expect(server.streamInfo(id1)?.bufferedBytes == 19)
    }

    @Test func firstOutboundFrameCarriesTheAck() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        _ = server.feed(yamuxFrame(.data, .syn, stream: 1, payload: bytes(3)))
        var reply = buffer(bytes(5))
        #expect(try server.write(id1, &reply) == 5)
        let frames = try server.sentFrames()
        #expect(frames.count == 1)
        #expect(frames[0].type == .data && frames[0].flags == .ack && frames[0].payload == bytes(5))
    }

    @Test func synWithFinOpensAHalfClosedStream() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        #expect(server.feed(yamuxFrame(.windowUpdate, [.syn, .fin], stream: 1)) == [
            .streamOpenedByRemote(id1), .remoteFinished(id1),
        ])
        #expect(server.streamInfo(id1)?.state == .remoteClosed)
        // Data, SYN and FIN in one frame: data first, then the FIN.
        let events = coalescedData(server.feed(yamuxFrame(.data, [.syn, .fin], stream: 3, payload: bytes(4))))
        let id3 = YamuxStreamID(3)
        #expect(events == [.streamOpenedByRemote(id3), .data(id3, buffer(bytes(4))), .remoteFinished(id3)])
    }

    @Test func peerAckEstablishesOurStream() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        #expect(client.feed(hexBytes("00 01 0002 00000001 00000000")) == [.streamAcknowledged(id1)])
        #expect(client.streamInfo(id1)?.state == .open)
        // ACK on a Data frame (rust, lazily) works too.
        _ = try client.openStream(now: yamuxT0)
        let id3 = YamuxStreamID(3)
        let events = coalescedData(client.feed(yamuxFrame(.data, .ack, stream: 3, payload: bytes(2))))
        #expect(events == [.streamAcknowledged(id3), .data(id3, buffer(bytes(2)))])
    }

    @Test func localFinThenRemoteFinClosesTheStream() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        _ = client.takeOutbound()
        #expect(try client.closeWrite(id1) == [])
        #expect(hexString(client.takeOutbound()!) == "000100040000000100000000")
        #expect(client.streamInfo(id1)?.state == .localClosed)
        var more = buffer(bytes(1))
        #expect(throws: YamuxStreamError.writeClosed) { try client.write(id1, &more) }
        #expect(try client.closeWrite(id1) == [], "second FIN is a no-op")
        #expect(client.takeOutbound() == nil)
        // The peer may still send; then its FIN (rust style: empty Data frame) completes the close.
        let events = coalescedData(client.feed(yamuxFrame(.data, .ack, stream: 1, payload: bytes(8))))
        #expect(events == [.streamAcknowledged(id1), .data(id1, buffer(bytes(8)))])
        #expect(client.feed(yamuxFrame(.data, .fin, stream: 1, length: 0)) == [
            .remoteFinished(id1), .streamClosed(id1),
        ])
        #expect(client.streamInfo(id1) == nil)
        #expect(client.liveStreamIDs.isEmpty)
    }

    @Test func remoteFinThenLocalFinClosesTheStream() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 1))
        server.acceptStream(id1, now: yamuxT0)
        #expect(server.feed(yamuxFrame(.windowUpdate, .fin, stream: 1)) == [.remoteFinished(id1)])
        #expect(server.streamInfo(id1)?.state == .remoteClosed)
        // We can still write after the peer's FIN.
        var reply = buffer(bytes(10))
        #expect(try server.write(id1, &reply) == 10)
        #expect(try server.closeWrite(id1) == [.streamClosed(id1)])
        let frames = try server.sentFrames()
        #expect(frames.map(\.type) == [.windowUpdate, .data, .windowUpdate])
        #expect(frames.last?.flags == .fin)
        #expect(server.streamInfo(id1) == nil)
    }

    @Test func dataAfterFinResetsOnlyThatStream() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        _ = server.feed(yamuxFrame(.windowUpdate, [.syn, .fin], stream: 1))
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 3))
        let events = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(6)))
        #expect(events == [.streamAborted(id1, .dataAfterFin(length: 6))])
        let frames = try server.sentFrames()
        #expect(frames.map(\.header) == [YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id1, length: 0)])
        #expect(server.streamInfo(YamuxStreamID(3)) != nil, "the session and other streams live on")
        #expect(!server.isClosed)
    }

    @Test func remoteResetCarriesAnOpaqueCode() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        var big = buffer(bytes(300_000))
        _ = try client.write(id1, &big)
        #expect(client.streamInfo(id1)?.sendWindow == 0)
        // go-libp2p puts 0x1001 in a RST's length: a code, not window credit (no sendWindowOpened).
        #expect(client.feed(hexBytes("00 01 0008 00000001 00001001")) == [.streamReset(id1, code: 0x1001)])
        #expect(client.streamInfo(id1) == nil)
        var more = buffer(bytes(1))
        #expect(throws: YamuxStreamError.unknownStream(id1)) { try client.write(id1, &more) }
    }

    @Test func resetOnDataFrameAndBodyIsDrained() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 1))
        var input = yamuxFrame(.data, .rst, stream: 1, payload: bytes(5))
        input.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 9))
        #expect(server.feed(input) == [.streamReset(id1, code: 0)])
        #expect(try server.sentFrames().map(\.type) == [.ping])
    }

    @Test func localResetSendsRstWithCode() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 1))
        server.reset(id1, code: 0x1002)
        #expect(hexString(server.takeOutbound()!) == "000100080000000100001002")
        #expect(server.streamInfo(id1) == nil)
        // Late frames for the reset stream are ignored.
        #expect(server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(10))) == [])
        #expect(server.counters.framesIgnored == 1)
        server.reset(id1)
        #expect(server.takeOutbound() == nil, "resetting a forgotten stream sends nothing")
    }

    @Test func framesForUnknownStreamsAreDrainedAndIgnored() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        var input = yamuxFrame(.data, [], stream: 99, payload: bytes(40))
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, [], stream: 7, length: 1000))
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, .fin, stream: 8, length: 0))
        input.writeImmutableBuffer(yamuxFrame(.data, .ack, stream: 0, payload: bytes(3)))
        input.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 5))
        // Dripped one byte at a time, to check that bodies of ignored frames are skipped exactly.
        var events: [YamuxEvent] = []
        for index in 0..<input.readableBytes {
            events += server.feed(input.getSlice(at: index, length: 1)!)
        }
        #expect(events == [])
        #expect(server.counters.framesIgnored == 4)
        let frames = try server.sentFrames()
        #expect(frames.map(\.header) == [YamuxFrameHeader(type: .ping, flags: .ack, streamID: .session, length: 5)])
        #expect(!server.isClosed)
    }

    @Test func countersTrackFramesAndBytes() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        _ = server.feed(yamuxFrame(.data, .syn, stream: 1, payload: bytes(100)))
        server.acceptStream(id1, now: yamuxT0)
        var reply = buffer(bytes(50))
        _ = try server.write(id1, &reply)
        let info = try #require(server.streamInfo(id1))
        #expect(info.bytesIn == 100 && info.bytesOut == 50)
        #expect(info.framesIn == 1 && info.framesOut == 2)
        #expect(info.origin == .remote && info.openedAt == yamuxT0)
        #expect(server.counters.framesIn == 1 && server.counters.bytesIn == 112)
        #expect(server.counters.framesOut == 2 && server.counters.bytesOut == 12 + 62)
        #expect(server.counters.streamsOpenedRemotely == 1)
    }

    @Test func dripFedConversationMatchesWholeInput() throws {
        var input = yamuxFrame(.data, .syn, stream: 1, payload: bytes(700))
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, .syn, stream: 3))
        input.writeImmutableBuffer(yamuxFrame(.data, .fin, stream: 3, payload: bytes(33, seed: 3)))
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, .rst, stream: 1, length: 7))
        input.writeImmutableBuffer(yamuxFrame(.goAway, [], stream: 0, length: 0))

        var whole = YamuxSession(role: .server, now: yamuxT0)
        let expected = coalescedData(whole.feed(input))
        var dripped = YamuxSession(role: .server, now: yamuxT0)
        var events: [YamuxEvent] = []
        for index in 0..<input.readableBytes { events += dripped.feed(input.getSlice(at: index, length: 1)!) }
        #expect(coalescedData(events) == expected)
        #expect(expected.count == 7)
        #expect(try dripped.sentFrames() == whole.sentFrames())
    }
}
