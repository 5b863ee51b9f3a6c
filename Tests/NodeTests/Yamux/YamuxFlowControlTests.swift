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

/// Send windows, window-update policy and receive-window auto-tuning (yamux spec §4).
@Suite struct YamuxFlowControlTests {
    let id1 = YamuxStreamID(1)

    /// A server with stream 1 opened by the peer and accepted.
    func serverWithStream(_ configuration: YamuxConfiguration = YamuxConfiguration()) -> YamuxSession {
        var server = YamuxSession(role: .server, configuration: configuration, now: yamuxT0)
        _ = server.feed(yamuxFrame(.windowUpdate, .syn, stream: 1))
        server.acceptStream(id1, now: yamuxT0)
        _ = server.takeOutbound()
        return server
    }

    func windowUpdates(_ session: inout YamuxSession) throws -> [UInt32] {
        try session.sentFrames().filter { $0.type == .windowUpdate }.map(\.length)
    }

    @Test func writeStopsAtTheSendWindowInMaxSizedFrames() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        _ = client.takeOutbound()
        var data = buffer(bytes(300_000))
        #expect(try client.write(id1, &data) == 262_144)
        #expect(data.readableBytes == 300_000 - 262_144)
        let frames = try client.sentFrames()
        #expect(frames.map(\.payload.count) == [65_524, 65_524, 65_524, 65_524, 48])
        #expect(frames.allSatisfy { $0.type == .data && $0.flags == [] })
        #expect(Array(frames.map(\.payload).joined()) == Array(bytes(300_000)[0..<262_144]))
        #expect(try client.write(id1, &data) == 0)
        #expect(client.takeOutbound() == nil)

        // Credit arrives: the blocked writer hears about it once.
        #expect(client.feed(yamuxFrame(.windowUpdate, .ack, stream: 1, length: 10_000)) == [
            .streamAcknowledged(id1), .sendWindowOpened(id1),
        ])
        #expect(client.feed(yamuxFrame(.windowUpdate, [], stream: 1, length: 10)) == [])
        #expect(try client.write(id1, &data) == 10_010)
        #expect(client.streamInfo(id1)?.sendWindow == 0)
        #expect(client.streamInfo(id1)?.bytesOut == 272_154)
    }

    @Test func configurableFramePayload() throws {
        var configuration = YamuxConfiguration()
        configuration.maxFramePayload = 1000
        var client = YamuxSession(role: .client, configuration: configuration, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        _ = client.takeOutbound()
        var data = buffer(bytes(2500))
        #expect(try client.write(id1, &data) == 2500)
        #expect(try client.sentFrames().map(\.payload.count) == [1000, 1000, 500])
    }

    @Test func updateOnlyWhenHalfTheWindowCanBeGranted() throws {
        var server = serverWithStream()
        _ = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(131_072)))
        server.consumed(id1, bytes: 131_071, now: yamuxT0 + .seconds(1))
        #expect(server.takeOutbound() == nil, "131071 < 131072 = half the window")
        server.consumed(id1, bytes: 1, now: yamuxT0 + .seconds(1))
        #expect(try windowUpdates(&server) == [131_072])
        #expect(server.streamInfo(id1)?.receiveWindow == 262_144)
    }

    @Test func bufferedDataCountsAgainstTheGrant() throws {
        var server = serverWithStream()
        _ = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(200_000)))
        // Only 100000 read: 100000 still buffered, 62144 credit left → delta 100000 < 131072.
        server.consumed(id1, bytes: 100_000, now: yamuxT0 + .seconds(1))
        #expect(server.takeOutbound() == nil)
        server.consumed(id1, bytes: 100_000, now: yamuxT0 + .seconds(1))
        #expect(try windowUpdates(&server) == [200_000])
    }

    @Test func noUpdatesAfterThePeersFin() throws {
        var server = serverWithStream()
        _ = server.feed(yamuxFrame(.data, .fin, stream: 1, payload: bytes(200_000)))
        server.consumed(id1, bytes: 200_000, now: yamuxT0 + .seconds(1))
        #expect(server.takeOutbound() == nil)
    }

    /// Sets the session's RTT by answering a ping.
    func measureRTT(_ session: inout YamuxSession, _ rtt: TimeAmount, at start: NIODeadline) throws {
        let sent = session.sendPing(now: start)
        let value = try #require(sent)
        _ = session.takeOutbound()
        let events = session.feed(yamuxFrame(.ping, .ack, stream: 0, length: value), now: start + rtt)
        #expect(events == [.pingRTT(.nanoseconds(rtt.nanoseconds))])
    }

    @Test func autoTuningDoublesWhenUpdatesComeFasterThanFourRTT() throws {
        var server = serverWithStream()
        try measureRTT(&server, .milliseconds(10), at: yamuxT0)
        // Stream epoch: t0. An update due at t0 + 20 ms (< 40 ms) doubles the target to 512 KiB and
        // grants the extra at once: 512 KiB − 128 KiB still granted = 384 KiB.
        _ = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(131_072)))
        server.consumed(id1, bytes: 131_072, now: yamuxT0 + .milliseconds(20))
        #expect(try windowUpdates(&server) == [393_216])
        #expect(server.streamInfo(id1)?.receiveWindowTarget == 524_288)
        #expect(server.streamInfo(id1)?.receiveWindow == 524_288)

        // Next update 100 ms later (> 4 × RTT): no growth, just the refill.
        _ = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(262_144)))
        server.consumed(id1, bytes: 262_144, now: yamuxT0 + .milliseconds(120))
        #expect(try windowUpdates(&server) == [262_144])
        #expect(server.streamInfo(id1)?.receiveWindowTarget == 524_288)
    }

    @Test func autoTuningStopsAtTheMaximumWindow() throws {
        var configuration = YamuxConfiguration()
        configuration.maxStreamWindow = 1024 * 1024
        var server = serverWithStream(configuration)
        try measureRTT(&server, .seconds(1), at: yamuxT0)
        var now = yamuxT0
        var targets: [UInt32] = []
        for _ in 0..<4 {
            let window = try #require(server.streamInfo(id1)?.receiveWindow)
            _ = server.feed(yamuxFrame(.data, [], stream: 1, length: window) + ByteBuffer(bytes: bytes(Int(window))))
            now = now + .milliseconds(10)
            server.consumed(id1, bytes: Int(window), now: now)
            _ = server.takeOutbound()
            targets.append(try #require(server.streamInfo(id1)?.receiveWindowTarget))
        }
        #expect(targets == [524_288, 1_048_576, 1_048_576, 1_048_576])
    }

    @Test func autoTuningRespectsTheSessionBudget() throws {
        var configuration = YamuxConfiguration()
        configuration.maxTotalReceiveWindow = 262_144 + 100_000  // room for one base window, not a doubling
        var server = serverWithStream(configuration)
        try measureRTT(&server, .seconds(1), at: yamuxT0)
        _ = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(131_072)))
        server.consumed(id1, bytes: 131_072, now: yamuxT0 + .milliseconds(10))
        #expect(try windowUpdates(&server) == [131_072])
        #expect(server.streamInfo(id1)?.receiveWindowTarget == 262_144)
    }

    @Test func noAutoTuningWithoutAnRTT() throws {
        var server = serverWithStream()
        _ = server.feed(yamuxFrame(.data, [], stream: 1, payload: bytes(131_072)))
        server.consumed(id1, bytes: 131_072, now: yamuxT0 + .nanoseconds(1))
        #expect(try windowUpdates(&server) == [131_072])
        #expect(server.streamInfo(id1)?.receiveWindowTarget == 262_144)
    }

    @Test func largerInitialWindowIsGrantedWithSynAndAck() throws {
        var configuration = YamuxConfiguration()
        configuration.initialStreamWindow = 1024 * 1024
        var client = YamuxSession(role: .client, configuration: configuration, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        #expect(try client.sentFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .syn, streamID: id1, length: 786_432)
        ])
        var server = YamuxSession(role: .server, configuration: configuration, now: yamuxT0)
        _ = server.feed(yamuxFrame(.data, .syn, stream: 1, payload: bytes(1000)))
        server.acceptStream(id1, now: yamuxT0)
        #expect(try server.sentFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .ack, streamID: id1, length: 786_432)
        ])
        let expectedWindow: UInt32 = 1024 * 1024 - 1000
        #expect(server.streamInfo(id1)?.receiveWindow == expectedWindow)
    }
}

private func + (lhs: ByteBuffer, rhs: ByteBuffer) -> ByteBuffer {
    var result = lhs
    result.writeImmutableBuffer(rhs)
    return result
}
