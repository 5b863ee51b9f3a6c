import NIOCore
import NIOPosix

/// The transport ceiling: plain SwiftNIO over loopback TCP with the node's socket options, no security,
/// no muxer. A connection starts with one mode byte: `P` is perf (8-byte big-endian download size, upload
/// until the client half-closes, then the download), `E` echoes everything (the latency floor).
enum RawTCP {
    static let perfMode = UInt8(ascii: "P")
    static let echoMode = UInt8(ascii: "E")
    static let chunkSize = 64 * 1024
    /// Perf payload: slices of one zero buffer, as the node's perf sends.
    static let zeros = ByteBuffer(repeating: 0, count: chunkSize)
}

struct RawTCPServer {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> RawTCPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawServerHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawTCPServer(channel: channel)
    }
}

/// Server side of one raw connection.
final class RawServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingMode
        case perfHeader(ByteBuffer)
        case perfUpload(download: UInt64)
        case sending(remaining: UInt64)
        case echo
        case done
    }

    private var state = State.awaitingMode

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0 {
            switch state {
            case .awaitingMode:
                let mode = buffer.readInteger(as: UInt8.self)
                if mode == RawTCP.perfMode {
                    state = .perfHeader(ByteBuffer())
                } else if mode == RawTCP.echoMode {
                    state = .echo
                } else {
                    state = .done
                    context.close(promise: nil)
                    return
                }
            case .perfHeader(var header):
                var slice = buffer.readSlice(length: min(8 - header.readableBytes, buffer.readableBytes)) ?? ByteBuffer()
                header.writeBuffer(&slice)
                if let download = header.getInteger(at: header.readerIndex, as: UInt64.self) {
                    state = .perfUpload(download: download)
                } else {
                    state = .perfHeader(header)
                }
            case .perfUpload:
                buffer.moveReaderIndex(to: buffer.writerIndex)
            case .echo:
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                return
            case .sending, .done:
                buffer.moveReaderIndex(to: buffer.writerIndex)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return }
        switch state {
        case .perfUpload(let download):
            state = .sending(remaining: download)
            send(context: context)
        case .sending:
            break
        default:
            state = .done
            context.close(promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .sending = state { send(context: context) }
    }

    /// Writes while the socket takes more. A write may report a writability change re-entrantly, so the
    /// state is updated before every write.
    private func send(context: ChannelHandlerContext) {
        while case .sending(let remaining) = state, remaining > 0, context.channel.isWritable {
            let length = Int(min(UInt64(RawTCP.chunkSize), remaining))
            state = .sending(remaining: remaining - UInt64(length))
            context.write(wrapOutboundOut(RawTCP.zeros.getSlice(at: 0, length: length) ?? ByteBuffer()), promise: nil)
        }
        guard case .sending(let remaining) = state else { return }
        guard remaining == 0 else { return context.flush() }
        state = .done
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: flushed)
        flushed.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// One raw perf run as the client sees it.
struct RawPerfResult: Sendable {
    var uploaded: UInt64
    var downloaded: UInt64
    var uploadDuration: Duration
    var downloadDuration: Duration
}

enum RawPerfError: Error, CustomStringConvertible {
    case wrongCount(expected: UInt64, received: UInt64)

    var description: String {
        switch self {
        case .wrongCount(let expected, let received): "raw TCP download: expected \(expected) bytes, got \(received)"
        }
    }
}

/// Client side of raw perf: writes while the socket is writable, half-closes, counts the download.
final class RawPerfClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let upload: UInt64
    private let download: UInt64
    private let promise: EventLoopPromise<RawPerfResult>
    private var remaining: UInt64
    private var received: UInt64 = 0
    private var start = ContinuousClock.now
    private var uploadEnd: ContinuousClock.Instant?
    private var finished = false
    private var completed = false

    init(upload: UInt64, download: UInt64, promise: EventLoopPromise<RawPerfResult>) {
        self.upload = upload
        self.download = download
        self.remaining = upload
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        start = .now
        var header = ByteBuffer()
        header.writeInteger(RawTCP.perfMode)
        header.writeInteger(download)
        context.write(wrapOutboundOut(header), promise: nil)
        pump(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context: context)
    }

    private func pump(context: ChannelHandlerContext) {
        while !finished, remaining > 0, context.channel.isWritable {
            let length = Int(min(UInt64(RawTCP.chunkSize), remaining))
            remaining -= UInt64(length)
            context.write(wrapOutboundOut(RawTCP.zeros.getSlice(at: 0, length: length) ?? ByteBuffer()), promise: nil)
        }
        guard !finished else { return }
        guard remaining == 0 else { return context.flush() }
        finished = true
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: written)
        written.futureResult.assumeIsolated().whenSuccess { [self] in
            uploadEnd = .now
            context.close(mode: .output, promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += UInt64(unwrapInboundIn(data).readableBytes)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            complete()
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !completed {
            completed = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    private func complete() {
        guard !completed else { return }
        completed = true
        let end = ContinuousClock.now
        let uploadEnd = self.uploadEnd ?? end
        guard received == download else {
            promise.fail(RawPerfError.wrongCount(expected: download, received: received))
            return
        }
        promise.succeed(RawPerfResult(uploaded: upload, downloaded: received,
                                      uploadDuration: uploadEnd - start, downloadDuration: end - uploadEnd))
    }
}

enum RawTCPClient {
    static func perf(port: Int, upload: UInt64, download: UInt64) async throws -> RawPerfResult {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: RawPerfResult.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RawPerfClientHandler(upload: upload, download: download, promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        do {
            let result = try await promise.futureResult.get()
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Round-trip times of `count` 32-byte pings echoed by the raw server, through `NIOAsyncChannel`
    /// (the async API the node's streams are read and written through as well).
    static func ping(port: Int, count: Int) async throws -> [Duration] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            try await outbound.write(ByteBuffer(bytes: [RawTCP.echoMode]))
            let payload = ByteBuffer(repeating: 0xA5, count: 32)
            let clock = ContinuousClock()
            var samples: [Duration] = []
            samples.reserveCapacity(count)
            for _ in 0..<count {
                let start = clock.now
                try await outbound.write(payload)
                var echoed = 0
                while echoed < payload.readableBytes {
                    guard let reply = try await replies.next() else { throw RawPerfError.wrongCount(expected: 32, received: UInt64(echoed)) }
                    echoed += reply.readableBytes
                }
                samples.append(clock.now - start)
            }
            return samples
        }
    }
}
