import NIOCore
import NIOEmbedded
import Testing

@testable import Core
@testable import Mplex

/// An mplex handler on an `NIOAsyncTestingChannel`: the test plays the peer frame by frame.
struct MplexTestChannel {
    let channel: NIOAsyncTestingChannel
    let connection: MplexConnection
    let recorder: EventRecorder<MuxerEvent>

    static func make(configuration: MplexConfiguration = MplexConfiguration()) async throws -> Self {
        let channel = NIOAsyncTestingChannel()
        let recorder = EventRecorder<MuxerEvent>(eventLoop: channel.eventLoop)
        let connection = try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addMplexHandler(configuration: configuration, onEvent: recorder.record)
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4001))
        return MplexTestChannel(channel: channel, connection: connection, recorder: recorder)
    }

    func feed(_ bytes: ByteBuffer) async throws { try await channel.writeInbound(bytes) }

    /// The next write of the handler, split into frames.
    func nextFrames() async throws -> [MplexWireFrame] {
        try decodeMplexFrames(try await channel.waitForOutboundWrite(as: ByteBuffer.self))
    }

    /// Frames written so far (after letting the loop run), possibly none.
    func pendingFrames() async throws -> [MplexWireFrame] {
        await channel.testingEventLoop.run()
        var frames: [MplexWireFrame] = []
        while let write = try await channel.readOutbound(as: ByteBuffer.self) { frames += try decodeMplexFrames(write) }
        return frames
    }

    func events() async throws -> [MuxerEvent] { try await recorder.events() }

    /// Writes parked until the channel is writable.
    func parkedWrites() async -> Int {
        await connection.handler.query { handler in handler.streams.values.filter { $0.pendingWrite != nil }.count } ?? 0
    }

    func setWritable(_ writable: Bool) async throws {
        try await channel.testingEventLoop.executeInContext {
            channel.isWritable = writable
            channel.pipeline.fireChannelWritabilityChanged()
        }
    }
}

@Suite("mplex: channel handler")
struct MplexChannelHandlerTests {
    @Test func openWriteHalfCloseAndRead() async throws {
        let test = try await MplexTestChannel.make()
        let stream = try await test.connection.openStream()
        #expect(stream.id == ours0 && stream.streamID == 0)
        #expect(stream.owningEventLoop === test.channel.eventLoop)
        #expect(try await test.nextFrames() == [MplexWireFrame(flag: .newStream, number: 0, payload: Array("0".utf8))])
        try await stream.write(buffer(bytes(100)))
        #expect(try await test.nextFrames() == [MplexWireFrame(flag: .messageInitiator, number: 0, payload: bytes(100))])
        try await stream.closeWrite()
        #expect(try await test.nextFrames() == [MplexWireFrame(flag: .closeInitiator, number: 0)])
        await #expect(throws: MplexStreamError.writeClosed) { try await stream.write(buffer(bytes(1))) }

        try await test.feed(mplexFrame(.messageReceiver, stream: 0, payload: bytes(5)))
        #expect(try await stream.read() == buffer(bytes(5)))
        try await test.feed(mplexFrame(.closeReceiver, stream: 0))
        #expect(try await stream.read() == nil)
        #expect(await stream.info()?.state == .closed)
        #expect(try await test.events() == [
            .streamOpened(streamID: 0, .local), .streamClosed(streamID: 0, cause: "finished", reset: false),
        ])
    }

    @Test func acceptingAPeersStreamAndItsData() async throws {
        let test = try await MplexTestChannel.make()
        try await test.feed(mplexFrame(.newStream, stream: 0, payload: Array("zero".utf8)))
        try await test.feed(mplexFrame(.messageInitiator, stream: 0, payload: bytes(19)))
        let stream = try #require(try await test.connection.accept())
        #expect(stream.id == theirs0 && stream.streamID == 1)
        #expect(await stream.info()?.name == "zero")
        #expect(await stream.info()?.bufferedBytes == 19)
        #expect(try await stream.read() == buffer(bytes(19)))
        #expect(await stream.info()?.bufferedBytes == 0)
        try await stream.write(buffer(bytes(2)))
        #expect(try await test.nextFrames() == [MplexWireFrame(flag: .messageReceiver, number: 0, payload: bytes(2))])
    }

    @Test func aResetFromThePeerFailsAParkedRead() async throws {
        let test = try await MplexTestChannel.make()
        let stream = try await test.connection.openStream()
        let reader = Task { try await stream.read() }
        try await test.feed(mplexFrame(.resetReceiver, stream: 0))
        await #expect(throws: MplexStreamError.resetByRemote) { try await reader.value }
        await #expect(throws: MplexStreamError.resetByRemote) { try await stream.write(buffer(bytes(1))) }
        #expect(await stream.info()?.state == .reset)
        #expect(try await test.events().last == .streamClosed(streamID: 0, cause: "reset by peer", reset: true))
    }

    @Test func droppingAnOpenStreamResetsIt() async throws {
        let test = try await MplexTestChannel.make()
        // The stream is not kept: its deinit resets it.
        _ = try await test.connection.openStream()
        var frames: [MplexWireFrame] = []
        try await eventually {
            frames += try await test.pendingFrames()
            return frames.count >= 2
        }
        #expect(frames == [
            MplexWireFrame(flag: .newStream, number: 0, payload: Array("0".utf8)),
            MplexWireFrame(flag: .resetInitiator, number: 0),
        ])
    }

    @Test func writesWaitWhileTheChannelIsNotWritable() async throws {
        let test = try await MplexTestChannel.make()
        let stream = try await test.connection.openStream()
        _ = try await test.nextFrames()
        try await test.setWritable(false)
        let writer = Task { try await stream.write(buffer(bytes(10))) }
        let closer = Task {
            try await Task.sleep(for: .milliseconds(20))
            try await stream.closeWrite()
        }
        try await Task.sleep(for: .milliseconds(60))
        #expect(try await test.pendingFrames().isEmpty, "nothing leaves while the channel is not writable")
        try await test.setWritable(true)
        try await writer.value
        try await closer.value
        let frames = try await test.pendingFrames()
        #expect(frames == [
            MplexWireFrame(flag: .messageInitiator, number: 0, payload: bytes(10)),
            MplexWireFrame(flag: .closeInitiator, number: 0),
        ])
    }

    @Test func cancellingAParkedWriteLetsTheCloseBehindItGo() async throws {
        let test = try await MplexTestChannel.make()
        let stream = try await test.connection.openStream()
        _ = try await test.nextFrames()
        try await test.setWritable(false)
        let writer = Task { try await stream.write(buffer(bytes(10))) }
        try await eventually { await test.parkedWrites() == 1 }
        let closer = Task { try await stream.closeWrite() }
        try await Task.sleep(for: .milliseconds(20))
        writer.cancel()
        await #expect(throws: CancellationError.self) { try await writer.value }
        try await closer.value
        try await test.setWritable(true)
        #expect(try await test.pendingFrames() == [MplexWireFrame(flag: .closeInitiator, number: 0)])
    }

    @Test func aPeerThatMakesUsAnswerWithoutReadingIsCutOff() async throws {
        var configuration = MplexConfiguration()
        configuration.maxInboundStreams = 0
        configuration.maxQueuedOutboundBytes = 100
        let test = try await MplexTestChannel.make(configuration: configuration)
        try await test.setWritable(false)
        // Each refused NewStream costs a 2-byte Reset; 51 of them pass the 100-byte bound.
        var flood = ByteBuffer()
        // Refused streams are not kept, so one number serves the whole flood.
        for _ in 0..<60 { flood.writeImmutableBuffer(mplexFrame(.newStream, stream: 0)) }
        try await test.feed(flood)
        try await eventually { !test.channel.isActive }
        let events = try await test.events()
        #expect(events.last == .closed(reason: "peer not reading: 120 bytes queued for it > limit 100", error: true))
        #expect(events.filter { if case .streamRejected = $0 { true } else { false } }.count == 60)
    }

    @Test func overrunningAStreamResetsItWithANamedCause() async throws {
        var configuration = MplexConfiguration()
        configuration.maxStreamReceiveBuffer = 1000
        let test = try await MplexTestChannel.make(configuration: configuration)
        try await test.feed(mplexFrame(.newStream, stream: 4))
        let stream = try #require(try await test.connection.accept())
        try await test.feed(mplexFrame(.messageInitiator, stream: 4, payload: bytes(600)))
        try await test.feed(mplexFrame(.messageInitiator, stream: 4, payload: bytes(600)))
        #expect(try await test.nextFrames() == [MplexWireFrame(flag: .resetReceiver, number: 4)])
        #expect(try await test.events().last == .streamClosed(
            streamID: 9, cause: "aborted: receive buffer overrun (1200 bytes > limit 1000)", reset: true))
        await #expect(throws: MplexStreamError.aborted(.receiveBufferOverrun(bytes: 1200, limit: 1000))) {
            try await stream.read()
        }
    }

    @Test func aProtocolErrorClosesTheConnectionByName() async throws {
        let test = try await MplexTestChannel.make()
        let stream = try await test.connection.openStream()
        try await test.feed(hexBytes("07 00"))
        try await eventually { !test.channel.isActive }
        await #expect(throws: MplexStreamError.sessionClosed(.protocolError(.unknownFlag(7, streamNumber: 0)))) {
            try await stream.read()
        }
        #expect(try await test.events().last == .closed(
            reason: "protocol error: mplex frame on stream 0: unknown flag 7 (flags are 0 to 6)", error: true))
        #expect(try await test.connection.accept() == nil)
        await #expect(throws: MplexOpenStreamError.sessionClosed) { try await test.connection.openStream() }
    }

    @Test func snapshotsHaveNoWindowsButTheBuffer() async throws {
        let test = try await MplexTestChannel.make()
        try await test.feed(mplexFrame(.newStream, stream: 0))
        try await test.feed(mplexFrame(.messageInitiator, stream: 0, payload: bytes(42)))
        let muxed = MplexMuxedConnection(mplex: test.connection, channel: test.channel)
        let snapshot = try #require(await muxed.snapshot())
        let info = try #require(snapshot.streams.first)
        #expect(info.id == 1 && info.origin == .remote && info.state == .open)
        #expect(info.sendWindow == nil && info.receiveWindow == nil)
        #expect(info.bufferedBytes == 42 && info.bytesIn == 42 && info.framesIn == 2)
        #expect(snapshot.lastRTT == nil && !snapshot.closing)
        muxed.goAway()
        #expect(await muxed.snapshot()?.closing == true)
    }

    @Test func goAwayClosesOnceTheLastStreamEnds() async throws {
        let test = try await MplexTestChannel.make()
        let stream = try await test.connection.openStream()
        test.connection.goAway()
        await #expect(throws: MplexOpenStreamError.goingAway) { try await test.connection.openStream() }
        #expect(try await test.connection.accept() == nil)
        #expect(test.channel.isActive)
        try await stream.closeWrite()
        try await test.feed(mplexFrame(.closeReceiver, stream: 0))
        try await eventually { !test.channel.isActive }
        #expect(try await test.events().last == .closed(reason: "closed locally", error: false))
    }
}
