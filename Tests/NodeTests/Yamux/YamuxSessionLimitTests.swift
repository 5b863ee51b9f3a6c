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

/// Stream limits and ACK backlogs (libp2p yamux §6): RST + a reason naming the limit.
@Suite struct YamuxSessionLimitTests {
    func rstFrame(_ id: UInt32) -> YamuxFrameHeader {
        YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: YamuxStreamID(id), length: 0)
    }

    @Test func inboundStreamLimit() throws {
        var configuration = YamuxConfiguration()
        configuration.maxInboundStreams = 2
        var server = YamuxSession(role: .server, configuration: configuration, now: yamuxT0)
        for id: UInt32 in [1, 3] {
            _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: id))
            server.acceptStream(YamuxStreamID(id), now: yamuxT0)
        }
        _ = server.takeOutbound()
        // The third stream is refused, its payload drained; the session lives on.
        var input = yamuxFrame(.data, .syn, stream: 5, payload: bytes(100))
        input.writeImmutableBuffer(yamuxFrame(.data, [], stream: 5, payload: bytes(10)))
        #expect(server.feed(input) == [.streamRejected(YamuxStreamID(5), .maxStreams(limit: 2))])
        #expect(try server.sentFrames().map(\.header) == [rstFrame(5)])
        #expect(server.counters.streamsRejected == 1)
        #expect(server.counters.framesIgnored == 2)
        // Closing one frees a slot.
        _ = server.feed(yamuxFrame(.windowUpdate, .rst, stream: 1))
        #expect(server.feed(yamuxFrame(.windowUpdate, .syn, stream: 7)) == [.streamOpenedByRemote(YamuxStreamID(7))])
        // Our own outbound streams do not count against the inbound limit.
        #expect(try server.openStream(now: yamuxT0) == YamuxStreamID(2))
    }

    @Test func unacknowledgedInboundBacklog() throws {
        var configuration = YamuxConfiguration()
        configuration.maxUnacknowledgedInboundStreams = 2
        var server = YamuxSession(role: .server, configuration: configuration, now: yamuxT0)
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 1))
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 3))
        #expect(server.feed(yamuxFrame(.windowUpdate, .syn, stream: 5)) == [
            .streamRejected(YamuxStreamID(5), .ackBacklogFull(limit: 2))
        ])
        #expect(try server.sentFrames().map(\.header) == [rstFrame(5)])
        // Accepting one (ACK sent) makes room.
        server.acceptStream(YamuxStreamID(1), now: yamuxT0)
        #expect(server.feed(yamuxFrame(.windowUpdate, .syn, stream: 7)) == [.streamOpenedByRemote(YamuxStreamID(7))])
        // A peer reset of a waiting stream makes room too.
        _ = server.feed(yamuxFrame(.windowUpdate, .rst, stream: 3))
        #expect(server.feed(yamuxFrame(.windowUpdate, .syn, stream: 9)) == [.streamOpenedByRemote(YamuxStreamID(9))])
    }

    @Test func outboundAckBacklog() throws {
        var configuration = YamuxConfiguration()
        configuration.maxUnacknowledgedOutboundStreams = 2
        var client = YamuxSession(role: .client, configuration: configuration, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        #expect(throws: YamuxOpenStreamError.ackBacklogFull(limit: 2)) { try client.openStream(now: yamuxT0) }
        _ = client.takeOutbound()
        // An ACK frees a slot ...
        _ = client.feed(yamuxFrame(.windowUpdate, .ack, stream: 1))
        #expect(try client.openStream(now: yamuxT0) == YamuxStreamID(5))
        #expect(throws: YamuxOpenStreamError.ackBacklogFull(limit: 2)) { try client.openStream(now: yamuxT0) }
        // ... and so does resetting an un-ACKed stream.
        client.reset(YamuxStreamID(3))
        #expect(try client.openStream(now: yamuxT0) == YamuxStreamID(7))
    }

    @Test func outboundStreamLimit() throws {
        var configuration = YamuxConfiguration()
        configuration.maxOutboundStreams = 1
        var client = YamuxSession(role: .client, configuration: configuration, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        #expect(throws: YamuxOpenStreamError.tooManyStreams(limit: 1)) { try client.openStream(now: yamuxT0) }
        _ = try client.closeWrite(YamuxStreamID(1))
        _ = client.feed(yamuxFrame(.windowUpdate, [.ack, .fin], stream: 1))
        #expect(try client.openStream(now: yamuxT0) == YamuxStreamID(3))
    }

    @Test func streamIDsRunOutBelowTwoToTheThirtyTwoMinusTwo() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        client.nextStreamID = UInt32.max - 2
        #expect(try client.openStream(now: yamuxT0) == YamuxStreamID(UInt32.max - 2))
        #expect(throws: YamuxOpenStreamError.streamIDsExhausted) { try client.openStream(now: yamuxT0) }
        var server = YamuxSession(role: .server, now: yamuxT0)
        server.nextStreamID = UInt32.max - 1
        #expect(throws: YamuxOpenStreamError.streamIDsExhausted) { try server.openStream(now: yamuxT0) }
    }

    @Test func defaultsFollowGoAndRust() {
        let configuration = YamuxConfiguration()
        #expect(configuration.maxUnacknowledgedInboundStreams == 256)
        #expect(configuration.maxUnacknowledgedOutboundStreams == 256)
        #expect(configuration.maxInboundStreams == 512)
        #expect(configuration.initialStreamWindow == 262_144)
        #expect(configuration.maxStreamWindow == 16 * 1024 * 1024)
        #expect(configuration.maxFramePayload == 65_524)
    }

    @Test func defaultBacklogRejectsThe257thUnacceptedStream() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        var input = ByteBuffer()
        for index: UInt32 in 0..<257 {
            input.writeImmutableBuffer(yamuxFrame(.windowUpdate, .syn, stream: 2 * index + 1))
        }
        let events = server.feed(input)
        #expect(events.count == 257)
        #expect(events.last == .streamRejected(YamuxStreamID(513), .ackBacklogFull(limit: 256)))
        #expect(try server.sentFrames().map(\.header) == [rstFrame(513)])
    }
}
