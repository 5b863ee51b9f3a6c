import NIOCore
import NIOPosix
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

/// Two yamux sessions over a real TCP connection on 127.0.0.1 (plaintext, no Noise).
final class YamuxLoopback: Sendable {
    let group: MultiThreadedEventLoopGroup
    let listener: any Channel
    let client: YamuxConnection
    let server: YamuxConnection
    let serverTask: Task<Void, Never>

    /// Starts a listener whose inbound streams are each handled by `serve` (concurrently), and dials it.
    init(
        configuration: YamuxConfiguration = YamuxConfiguration(),
        serve: @escaping @Sendable (YamuxStream) async throws -> Void
    ) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let (accepted, acceptedContinuation) = AsyncStream.makeStream(of: YamuxConnection.self)
        listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = try channel.pipeline.syncOperations.addYamuxHandler(
                        role: .server, configuration: configuration)
                    acceptedContinuation.yield(connection)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        client = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addYamuxHandler(role: .client, configuration: configuration)
            }
        }
        var iterator = accepted.makeAsyncIterator()
        server = try #require(await iterator.next())
        let server = self.server
        serverTask = Task {
            await withTaskGroup(of: Void.self) { group in
                for await stream in server.inboundStreams {
                    group.addTask { try? await serve(stream) }
                }
            }
        }
    }

    func shutdown() async throws {
        await client.close()
        await serverTask.value
        try await listener.close()
        try await group.shutdownGracefully()
    }

    /// Reads until FIN, returning everything.
    static func readAll(_ stream: YamuxStream) async throws -> ByteBuffer {
        var all = ByteBuffer()
        while let piece = try await stream.read() { all.writeImmutableBuffer(piece) }
        return all
    }

    static func echo(_ stream: YamuxStream) async throws {
        while let piece = try await stream.read() { try await stream.write(piece) }
        try await stream.closeWrite()
    }
}

/// Order-sensitive FNV-1a over 64-bit words.
func checksum(_ buffer: ByteBuffer) -> UInt64 {
    buffer.withUnsafeReadableBytes { raw in
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var offset = 0
        while offset + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x100_0000_01b3
            offset += 8
        }
        while offset < raw.count {
            hash = (hash ^ UInt64(raw[offset])) &* 0x100_0000_01b3
            offset += 1
        }
        return hash ^ UInt64(raw.count)
    }
}

func randomBuffer(_ count: Int) -> ByteBuffer {
    var generator = SystemRandomNumberGenerator()
    var buffer = ByteBuffer()
    buffer.reserveCapacity(count)
    for _ in 0..<(count / 8) { buffer.writeInteger(generator.next() as UInt64) }
    return buffer
}

@Suite struct YamuxLoopbackTests {
    @Test func hundredConcurrentStreamsEchoOneMebibyteEach() async throws {
        let loopback = try await YamuxLoopback(serve: YamuxLoopback.echo)
        let size = 1024 * 1024
        let base = randomBuffer(size)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask {
                    // Each stream sends the base rotated by a different offset, so contents differ.
                    let cut = (index * 9973) % size
                    var payload = base.getSlice(at: cut, length: size - cut)!
                    payload.writeImmutableBuffer(base.getSlice(at: 0, length: cut)!)
                    let stream = try await loopback.client.openStream()
                    async let echoed = YamuxLoopback.readAll(stream)
                    var rest = payload
                    while rest.readableBytes > 0 {
                        try await stream.write(rest.readSlice(length: min(100_000, rest.readableBytes))!)
                    }
                    try await stream.closeWrite()
                    let received = try await echoed
                    #expect(received.readableBytes == size)
                    #expect(checksum(received) == checksum(payload), "stream \(stream.id)")
                }
            }
            try await group.waitForAll()
        }
        let snapshot = try #require(await loopback.client.snapshot())
        #expect(snapshot.streams.isEmpty)
        #expect(snapshot.counters.streamsOpenedLocally == 100)
        try await loopback.shutdown()
    }

    @Test func halfCloseKeepsTheOtherDirectionOpen() async throws {
        let (requestSizes, requestSizesContinuation) = AsyncStream.makeStream(of: Int.self)
        let (answer, answerContinuation) = AsyncStream.makeStream(of: Void.self)
        let loopback = try await YamuxLoopback { stream in
            // Reads the whole request (until the client's FIN), then answers on the still-open direction.
            let request = try await YamuxLoopback.readAll(stream)
            requestSizesContinuation.yield(request.readableBytes)
            var go = answer.makeAsyncIterator()
            _ = await go.next()
            try await stream.write(ByteBuffer(string: "got \(request.readableBytes) bytes"))
            try await stream.closeWrite()
        }
        let stream = try await loopback.client.openStream()
        try await stream.write(ByteBuffer(repeating: 7, count: 300_000))
        try await stream.closeWrite()
        var sizes = requestSizes.makeAsyncIterator()
        #expect(await sizes.next() == 300_000)
        #expect(await stream.info()?.state == .localClosed)
        answerContinuation.yield()
        let reply = try await YamuxLoopback.readAll(stream)
        #expect(String(buffer: reply) == "got 300000 bytes")
        try await loopback.shutdown()
    }

    @Test func resetsReachThePeerInBothDirections() async throws {
        let (served, servedContinuation) = AsyncStream.makeStream(of: YamuxStream.self)
        let loopback = try await YamuxLoopback { stream in
            if try await stream.read() == ByteBuffer(string: "reset me") {
                stream.reset(code: 0x1002)
            } else {
                servedContinuation.yield(stream)
            }
        }
        let first = try await loopback.client.openStream()
        try await first.write(ByteBuffer(string: "reset me"))
        await #expect(throws: YamuxStreamError.resetByRemote(code: 0x1002)) { try await first.read() }

        let second = try await loopback.client.openStream()
        try await second.write(ByteBuffer(string: "keep"))
        var servedIterator = served.makeAsyncIterator()
        let serverSide = try #require(await servedIterator.next())
        second.reset()
        await #expect(throws: YamuxStreamError.resetByRemote(code: 0)) { try await serverSide.read() }
        try await loopback.shutdown()
    }

    @Test func pausedReaderKeepsMemoryBoundedByTheWindow() async throws {
        let (served, servedContinuation) = AsyncStream.makeStream(of: YamuxStream.self)
        let (resume, resumeContinuation) = AsyncStream.makeStream(of: Void.self)
        let loopback = try await YamuxLoopback { stream in
            servedContinuation.yield(stream)
            var signal = resume.makeAsyncIterator()
            _ = await signal.next()
            let all = try await YamuxLoopback.readAll(stream)
            try await stream.write(ByteBuffer(string: "\(all.readableBytes)"))
            try await stream.closeWrite()
        }
        let total = 4 * 1024 * 1024
        let stream = try await loopback.client.openStream()
        let writer = Task {
            try await stream.write(ByteBuffer(repeating: 1, count: total))
            try await stream.closeWrite()
        }
        var servedIterator = served.makeAsyncIterator()
        let serverSide = try #require(await servedIterator.next())
        // The sender stalls at exactly one initial window; the receiver buffers exactly that much.
        try await eventually { await stream.info()?.sendWindow == 0 }
        try await Task.sleep(for: .milliseconds(50))
        let clientInfo = try #require(await stream.info())
        let serverInfo = try #require(await serverSide.info())
        #expect(clientInfo.bytesOut == 262_144)
        #expect(serverInfo.bytesIn == 262_144)
        #expect(serverInfo.bufferedBytes == 262_144)
        #expect(serverInfo.receiveWindow == 0)
        #expect(await loopback.client.snapshot()?.streams.first?.state == .open)

        resumeContinuation.yield()
        try await writer.value
        #expect(String(buffer: try await YamuxLoopback.readAll(stream)) == "\(total)")
        try await loopback.shutdown()
    }

    @Test func pingAndGoAwayOverTCP() async throws {
        let loopback = try await YamuxLoopback(serve: YamuxLoopback.echo)
        let rtt = try await loopback.client.ping()
        #expect(rtt > .zero && rtt < .seconds(5))
        let stream = try await loopback.client.openStream()
        try await stream.write(ByteBuffer(string: "hi"))
        // Go Away before the server saw our SYN would close an idle session instead of letting the stream finish.
        try await eventually { await loopback.server.snapshot()?.streams.isEmpty == false }
        loopback.server.goAway()
        try await eventually { await loopback.client.snapshot()?.goAwayReceived == .normal }
        await #expect(throws: YamuxOpenStreamError.goingAway) { try await loopback.client.openStream() }
        // The open stream still completes; then both sides close.
        try await stream.closeWrite()
        #expect(String(buffer: try await YamuxLoopback.readAll(stream)) == "hi")
        await loopback.serverTask.value
        try await loopback.shutdown()
    }
}
