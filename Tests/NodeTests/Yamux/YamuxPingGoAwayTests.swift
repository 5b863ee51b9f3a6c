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

/// Ping, keepalive timer and Go Away (yamux spec §5).
@Suite struct YamuxPingGoAwayTests {
    @Test func answersPingsWithTheSameValue() throws {
        var session = YamuxSession(role: .client, now: yamuxT0)
        #expect(session.feed(hexBytes("00 02 0001 00000000 0000002a")) == [])
        #expect(hexString(session.takeOutbound()!) == "00020002000000000000002a")
    }

    @Test func measuresTheRoundTripOfOurPing() throws {
        var session = YamuxSession(role: .client, now: yamuxT0)
        let sent = session.sendPing(now: yamuxT0 + .seconds(1))
        let value = try #require(sent)
        #expect(try session.sentFrames().map(\.header) == [
            YamuxFrameHeader(type: .ping, flags: .syn, streamID: .session, length: value)
        ])
        #expect(session.sendPing(now: yamuxT0 + .seconds(2)) == value, "one ping outstanding at a time")
        #expect(session.takeOutbound() == nil)
        // A reply with another value is not ours.
        #expect(session.feed(yamuxFrame(.ping, .ack, stream: 0, length: value &+ 1)) == [])
        let events = session.feed(yamuxFrame(.ping, .ack, stream: 0, length: value), now: yamuxT0 + .milliseconds(1005))
        #expect(events == [.pingRTT(.milliseconds(5))])
        #expect(session.counters.lastRTT == .milliseconds(5))
        #expect(session.sendPing(now: yamuxT0 + .seconds(3)) != value, "a new ping gets a new value")
    }

    @Test func keepAlivePingsOnTheInterval() throws {
        var session = YamuxSession(role: .client, now: yamuxT0)
        #expect(session.nextTimerDeadline == yamuxT0 + .seconds(30))
        #expect(session.handleTimer(now: yamuxT0 + .seconds(29)) == [])
        #expect(session.takeOutbound() == nil)
        #expect(session.handleTimer(now: yamuxT0 + .seconds(30)) == [])
        let frames = try session.sentFrames()
        let ping = try #require(frames.first)
        #expect(ping.type == .ping && ping.flags == .syn)
        #expect(session.nextTimerDeadline == yamuxT0 + .seconds(40))
        _ = session.feed(yamuxFrame(.ping, .ack, stream: 0, length: ping.length), now: yamuxT0 + .seconds(31))
        #expect(session.nextTimerDeadline == yamuxT0 + .seconds(60))
    }

    @Test func silenceAfterAPingClosesTheSession() throws {
        var session = YamuxSession(role: .client, now: yamuxT0)
        _ = session.handleTimer(now: yamuxT0 + .seconds(30))
        // Any inbound frame extends the deadline, even before the ping reply.
        _ = session.feed(yamuxFrame(.windowUpdate, [], stream: 99, length: 1), now: yamuxT0 + .seconds(35))
        #expect(session.nextTimerDeadline == yamuxT0 + .seconds(45))
        #expect(session.handleTimer(now: yamuxT0 + .seconds(44)) == [])
        #expect(session.handleTimer(now: yamuxT0 + .seconds(45)) == [.keepAliveTimedOut])
        #expect(session.closeReason == .keepAliveTimeout)
        #expect(session.nextTimerDeadline == nil)
    }

    @Test func keepAliveCanBeDisabled() {
        var configuration = YamuxConfiguration()
        configuration.keepAliveInterval = nil
        var session = YamuxSession(role: .client, configuration: configuration, now: yamuxT0)
        #expect(session.nextTimerDeadline == nil)
        #expect(session.handleTimer(now: yamuxT0 + .seconds(3600)) == [])
        #expect(session.takeOutbound() == nil)
    }

    @Test func receivedGoAwayStopsNewStreamsBothWays() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        _ = client.takeOutbound()
        #expect(client.feed(hexBytes("00 03 0000 00000000 00001006")) == [
            .goAwayReceived(YamuxGoAwayCode(rawValue: 0x1006))
        ])
        #expect(throws: YamuxOpenStreamError.goingAway) { try client.openStream(now: yamuxT0) }
        #expect(client.feed(yamuxFrame(.windowUpdate, .syn, stream: 2)) == [
            .streamRejected(YamuxStreamID(2), .goingAway)
        ])
        #expect(try client.sentFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: YamuxStreamID(2), length: 0)
        ])
        // Existing streams keep working.
        var data = buffer(bytes(10))
        #expect(try client.write(YamuxStreamID(1), &data) == 10)
        #expect(client.snapshot.goAwayReceived == YamuxGoAwayCode(rawValue: 0x1006))
        #expect(client.feed(hexBytes("00 03 0000 00000000 00000000")) == [], "only the first Go Away counts")
    }

    @Test func sentGoAwayStopsNewStreamsBothWays() throws {
        var server = YamuxSession(role: .server, now: yamuxT0)
        server.goAway()
        #expect(hexString(server.takeOutbound()!) == "000300000000000000000000")
        server.goAway(.internalError)
        #expect(server.takeOutbound() == nil, "Go Away is sent once")
        #expect(throws: YamuxOpenStreamError.goingAway) { try server.openStream(now: yamuxT0) }
        #expect(server.feed(yamuxFrame(.data, .syn, stream: 1, payload: bytes(4))) == [
            .streamRejected(YamuxStreamID(1), .goingAway)
        ])
        #expect(server.snapshot.goAwaySent == .normal)
    }

    @Test func closedSessionRefusesCommands() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        _ = try client.openStream(now: yamuxT0)
        client.close(.localClose)
        #expect(throws: YamuxOpenStreamError.sessionClosed) { try client.openStream(now: yamuxT0) }
        var data = buffer(bytes(1))
        #expect(throws: YamuxStreamError.sessionClosed(.localClose)) { try client.write(YamuxStreamID(1), &data) }
        #expect(client.sendPing(now: yamuxT0) == nil)
        #expect(client.snapshot.closeReason == .localClose)
        #expect(client.snapshot.streams.isEmpty)
    }
}
