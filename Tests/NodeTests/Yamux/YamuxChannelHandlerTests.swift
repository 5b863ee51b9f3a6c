import NIOCore
import NIOEmbedded
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

/// The NIO adapter and the async API, with the test playing the peer frame by frame.
@Suite struct YamuxChannelHandlerTests {
    let id1 = YamuxStreamID(1)

    @Test func framesOfOneReadLeaveInOneWrite() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        var input = yamuxFrame(.ping, .syn, stream: 0, length: 1)
        input.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 2))
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, .syn, stream: 1))
        input.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 3))
        try await test.feed(input)
        let write = try await test.channel.waitForOutboundWrite(as: ByteBuffer.self)
        #expect(try decodeFrames(write).map(\.length) == [1, 2, 3])
        #expect(try await test.pendingFrames().isEmpty, "one write for the whole read")
        #expect(try await test.events() == [.streamOpened(id1, .remote)])
    }

    @Test func acceptingSendsTheAckAndReadsData() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        try await test.feed(yamuxFrame(.data, .syn, stream: 1, payload: bytes(19)))
        #expect(try await test.pendingFrames().isEmpty, "no ACK before the application accepts")
        var inbound = test.connection.inboundStreams.makeAsyncIterator()
        let stream = try #require(await inbound.next())
        #expect(stream.id == id1 && stream.origin == .remote)
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .ack, streamID: id1, length: 0)
        ])
        #expect(try await stream.read() == buffer(bytes(19)))
        try await test.feed(yamuxFrame(.windowUpdate, .fin, stream: 1))
        #expect(try await stream.read() == nil)
        #expect(await stream.info()?.state == .remoteClosed)
    }

    @Test func openWriteAndHalfClose() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        #expect(stream.id == id1)
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .syn, streamID: id1, length: 0)
        ])
        try await stream.write(buffer(bytes(100)))
        let data = try await test.nextFrames()
        #expect(data.map(\.type) == [.data] && data.first?.payload == bytes(100))
        try await stream.closeWrite()
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .fin, streamID: id1, length: 0)
        ])
        await #expect(throws: YamuxStreamError.writeClosed) { try await stream.write(buffer(bytes(1))) }
        // The peer answers, then finishes: the stream is closed.
        try await test.feed(yamuxFrame(.data, .ack, stream: 1, payload: bytes(5)))
        #expect(try await stream.read() == buffer(bytes(5)))
        try await test.feed(yamuxFrame(.windowUpdate, .fin, stream: 1))
        #expect(try await stream.read() == nil)
        #expect(await stream.info()?.state == .closed)
        #expect(try await test.events() == [.streamOpened(id1, .local), .streamClosed(id1, .finished)])
    }

    @Test func writeWaitsForWindowAndFinFollowsTheWrite() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        _ = try await test.nextFrames()
        let writer = Task { try await stream.write(buffer(bytes(300_000))) }
        var sent = 0
        while sent < 262_144 { sent += try await test.nextFrames().reduce(0) { $0 + $1.payload.count } }
        #expect(sent == 262_144)
        try await eventually { try await test.events().contains(.sendWindowExhausted(id1)) }
        // closeWrite waits behind the unfinished write.
        let closer = Task { try await stream.closeWrite() }
        #expect(try await test.pendingFrames().isEmpty)
        try await test.feed(yamuxFrame(.windowUpdate, .ack, stream: 1, length: 100_000))
        try await writer.value
        try await closer.value
        let rest = try await test.nextFrames() + test.pendingFrames()
        #expect(rest.filter { $0.type == .data }.reduce(0) { $0 + $1.payload.count } == 300_000 - 262_144)
        #expect(rest.last?.flags == .fin)
    }

    @Test func remoteResetFailsAWaitingRead() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        let reader = Task { try await stream.read() }
        try await test.feed(hexBytes("00 01 0008 00000001 00001001"))
        await #expect(throws: YamuxStreamError.resetByRemote(code: 0x1001)) { try await reader.value }
        await #expect(throws: YamuxStreamError.resetByRemote(code: 0x1001)) { try await stream.write(buffer(bytes(1))) }
        #expect(await stream.info()?.state == .reset)
        #expect(try await test.events().last == .streamClosed(id1, .resetByRemote(code: 0x1001)))
    }

    @Test func localResetSendsRstAndFailsTheReader() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        _ = try await test.nextFrames()
        let reader = Task { try await stream.read() }
        try await eventually { try await test.pendingFrames().isEmpty }
        stream.reset(code: 7)
        await #expect(throws: YamuxStreamError.resetLocally) { try await reader.value }
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id1, length: 7)
        ])
        #expect(try await test.events().last == .streamClosed(id1, .resetLocally(code: 7)))
    }

    @Test func droppingAnOpenStreamResetsIt() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        var stream: YamuxStream? = try await test.connection.openStream()
        _ = try await test.nextFrames()
        #expect(stream?.id == id1)
        stream = nil
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id1, length: 0)
        ])
    }

    @Test func cancelledReadStopsWaitingAndTheStreamStaysUsable() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        let reader = Task { try await stream.read() }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        await #expect(throws: CancellationError.self) { try await reader.value }
        try await test.feed(yamuxFrame(.data, .ack, stream: 1, payload: bytes(3)))
        #expect(try await stream.read() == buffer(bytes(3)))
    }

    @Test func protocolErrorSendsGoAwayAndCloses() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        _ = try await test.nextFrames()
        try await test.feed(yamuxFrame(.data, .ack, stream: 1, payload: bytes(4)))
        try await test.feed(hexBytes("01 00 0000 00000001 00000000"))
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .goAway, streamID: .session, length: 1)
        ])
        try await test.channel.closeFuture.get()
        let reason = YamuxSessionCloseReason.protocolError(.unsupportedVersion(1))
        // Data that arrived before the failure is still readable, then the error.
        #expect(try await stream.read() == buffer(bytes(4)))
        await #expect(throws: YamuxStreamError.sessionClosed(reason)) { try await stream.read() }
        #expect(try await test.events().suffix(2) == [.streamClosed(id1, .sessionClosed(reason)), .closed(reason)])
        await #expect(throws: YamuxOpenStreamError.sessionClosed) { try await test.connection.openStream() }
    }

    @Test func closeSendsGoAwayFirst() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        await test.connection.close()
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .goAway, streamID: .session, length: 0)
        ])
        #expect(!test.channel.isActive)
        #expect(try await test.events() == [.goAwaySent(.normal), .closed(.localClose)])
        var inbound = test.connection.inboundStreams.makeAsyncIterator()
        #expect(await inbound.next() == nil)
    }

    @Test func channelCloseAlsoSendsGoAway() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        try await test.channel.close()
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .goAway, streamID: .session, length: 0)
        ])
    }

    @Test func receivedGoAwayClosesOnceStreamsFinish() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        try await test.feed(yamuxFrame(.goAway, [], stream: 0, length: 0))
        #expect(test.channel.isActive, "the open stream may finish first")
        await #expect(throws: YamuxOpenStreamError.goingAway) { try await test.connection.openStream() }
        try await stream.closeWrite()
        try await test.feed(yamuxFrame(.windowUpdate, [.ack, .fin], stream: 1))
        try await test.channel.closeFuture.get()
        #expect(try await test.events().suffix(3) == [
            .goAwayReceived(.normal), .streamClosed(id1, .finished), .closed(.remoteGoAway(.normal)),
        ])
    }

    @Test func gracefulGoAwayClosesWhenIdle() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        test.connection.goAway()
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .goAway, streamID: .session, length: 0)
        ])
        try await test.channel.closeFuture.get()
        #expect(try await test.events() == [.goAwaySent(.normal), .closed(.localClose)])
    }

    @Test func keepAlivePingsMeasureRTTAndDetectSilence() async throws {
        let test = try await YamuxTestChannel.make(role: .client, configuration: YamuxConfiguration())
        let loop = test.channel.testingEventLoop
        // The initial ping measures the RTT.
        let first = try #require(try await test.nextFrames().first)
        #expect(first.type == .ping && first.flags == .syn)
        await loop.advanceTime(by: .milliseconds(3))
        try await test.feed(yamuxFrame(.ping, .ack, stream: 0, length: first.length))
        #expect(try await test.events() == [.pingRTT(.milliseconds(3))])
        // 30 s later the keepalive ping; 10 s of silence after it ends the session.
        await loop.advanceTime(by: .seconds(30))
        let second = try #require(try await test.nextFrames().first)
        #expect(second.type == .ping && second.length != first.length)
        await loop.advanceTime(by: .seconds(9))
        #expect(test.channel.isActive)
        await loop.advanceTime(by: .seconds(1))
        try await test.channel.closeFuture.get()
        #expect(try await test.events().last == .closed(.keepAliveTimeout))
    }

    @Test func explicitPingReturnsTheRTT() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        let pinger = Task { try await test.connection.ping() }
        let ping = try #require(try await test.nextFrames().first)
        await test.channel.testingEventLoop.advanceTime(by: .milliseconds(7))
        try await test.feed(yamuxFrame(.ping, .ack, stream: 0, length: ping.length))
        #expect(try await pinger.value == .milliseconds(7))
    }

    @Test func openWaitsWhileTheAckBacklogIsFull() async throws {
        var configuration = YamuxTestChannel.quietConfiguration
        configuration.maxUnacknowledgedOutboundStreams = 2
        let test = try await YamuxTestChannel.make(role: .client, configuration: configuration)
        let first = try await test.connection.openStream()
        let second = try await test.connection.openStream()
        let third = Task { try await test.connection.openStream() }
        try await Task.sleep(for: .milliseconds(20))
        let frames = try await test.pendingFrames()
        #expect(frames.map(\.stream) == [1, 3])
        try await test.feed(yamuxFrame(.windowUpdate, .ack, stream: 3))
        #expect(try await third.value.id == YamuxStreamID(5))
        withExtendedLifetime((first, second)) {}
    }

    @Test func cancelledOpenStopsWaiting() async throws {
        var configuration = YamuxTestChannel.quietConfiguration
        configuration.maxUnacknowledgedOutboundStreams = 1
        let test = try await YamuxTestChannel.make(role: .client, configuration: configuration)
        let first = try await test.connection.openStream()
        let second = Task { try await test.connection.openStream() }
        try await Task.sleep(for: .milliseconds(20))
        second.cancel()
        await #expect(throws: CancellationError.self) { try await second.value }
        // The cancelled opener does not take the slot freed later.
        first.reset()
        let third = try await test.connection.openStream()
        #expect(third.id == YamuxStreamID(3))
    }

    @Test func inboundBacklogOverflowIsResetWithTheLimitNamed() async throws {
        var configuration = YamuxTestChannel.quietConfiguration
        configuration.maxUnacknowledgedInboundStreams = 1
        let test = try await YamuxTestChannel.make(role: .server, configuration: configuration)
        var input = yamuxFrame(.windowUpdate, .syn, stream: 1)
        input.writeImmutableBuffer(yamuxFrame(.windowUpdate, .syn, stream: 3))
        try await test.feed(input)
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: YamuxStreamID(3), length: 0)
        ])
        #expect(try await test.events() == [
            .streamOpened(id1, .remote), .streamRejected(YamuxStreamID(3), .ackBacklogFull(limit: 1)),
        ])
    }

    @Test func reusedIDOfAStreamStillHeldIsRejected() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        try await test.feed(yamuxFrame(.data, [.syn, .fin], stream: 1, payload: bytes(2)))
        var inbound = test.connection.inboundStreams.makeAsyncIterator()
        let stream = try #require(await inbound.next())
        try await stream.closeWrite()
        #expect(try await test.pendingFrames().map(\.flags) == [.ack, .fin])
        // Stream 1 is closed for the session, but the application still holds it with unread data.
        try await test.feed(yamuxFrame(.data, .syn, stream: 1, payload: bytes(9, seed: 9)))
        #expect(try await test.nextFrames().map(\.header) == [
            YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id1, length: 0)
        ])
        #expect(try await test.events().last == .streamRejected(id1, .streamIDInUse))
        #expect(try await stream.read() == buffer(bytes(2)))
        #expect(try await stream.read() == nil)
    }

    @Test func connectionLossFailsStreamsButKeepsReceivedData() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        try await test.feed(yamuxFrame(.data, .ack, stream: 1, payload: bytes(2)))
        try await test.channel.testingEventLoop.executeInContext { test.channel.pipeline.fireChannelInactive() }
        #expect(try await stream.read() == buffer(bytes(2)))
        await #expect(throws: YamuxStreamError.sessionClosed(.connectionLost)) { try await stream.read() }
        await #expect(throws: YamuxStreamError.sessionClosed(.connectionLost)) {
            try await stream.write(buffer(bytes(1)))
        }
        await #expect(throws: YamuxPingError.sessionClosed(.connectionLost)) { try await test.connection.ping() }
        #expect(try await test.events().last == .closed(.connectionLost))
    }

    @Test func rawWritesAreRefused() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        await #expect(throws: ChannelError.operationUnsupported) {
            try await test.channel.writeAndFlush(buffer(bytes(3)))
        }
    }

    @Test func snapshotListsStreamsAndCounters() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        try await stream.write(buffer(bytes(10)))
        let snapshot = try #require(await test.connection.snapshot())
        #expect(snapshot.role == .client)
        #expect(snapshot.streams.map(\.id) == [id1])
        #expect(snapshot.streams.first?.bytesOut == 10)
        #expect(snapshot.counters.framesOut == 2)
        stream.reset()
        try await eventually { await test.connection.snapshot()?.recentlyClosed.map(\.state) == [.reset] }
    }
}
