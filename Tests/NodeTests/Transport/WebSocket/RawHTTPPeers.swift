import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP server that reads one HTTP request head and answers with fixed bytes (or nothing), standing in
/// for the wrong things a `/ws` dial can meet: a web server, a proxy that fakes the upgrade, a black hole.
final class CannedHTTPServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    /// `answer` nil: read the request and stay silent. `closeAfter`: close once the answer is written.
    init(answer: String?, closeAfter: Bool = false) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RequestAnswerer(answer: answer, closeAfter: closeAfter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }

    private final class RequestAnswerer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answer: String?
        let closeAfter: Bool
        var request = ""
        var answered = false

        init(answer: String?, closeAfter: Bool) {
            self.answer = answer
            self.closeAfter = closeAfter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            request += String(buffer: unwrapInboundIn(data))
            guard !answered, request.contains("\r\n\r\n") else { return }
            answered = true
            if let answer {
                let closeAfter = closeAfter
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer))).whenComplete { _ in
                    if closeAfter { loopBound.value.close(promise: nil) }
                }
            } else if closeAfter {
                context.close(promise: nil)
            }
        }
    }
}

/// A TCP client that sends fixed bytes and collects everything that comes back until the peer closes
/// (or the time is up): for checking what a `/ws` listener answers to the wrong things.
enum RawTCPExchange {
    struct Result: Sendable {
        let received: [UInt8]
        let closedByPeer: Bool
        var text: String { String(decoding: received, as: UTF8.self) }
    }

    /// `send` goes out in order; each later chunk only once `waitFor(i)` bytes have arrived (0: at once).
    static func run(port: Int, send: [[UInt8]], waitFor: [Int] = [], within: Duration) async throws -> Result {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector.handler) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let deadline = ContinuousClock.now + within
        for (index, chunk) in send.enumerated() {
            let needed = index < waitFor.count ? waitFor[index] : 0
            while collector.count < needed, !collector.closed, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            try? await channel.writeAndFlush(ByteBuffer(bytes: chunk))
        }
        while !collector.closed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let closed = collector.closed
        try? await channel.close()
        return Result(received: collector.bytes, closedByPeer: closed)
    }

    final class Collector: Sendable {
        private let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))
        var bytes: [UInt8] { state.withLockedValue { $0.bytes } }
        var count: Int { state.withLockedValue { $0.bytes.count } }
        var closed: Bool { state.withLockedValue { $0.closed } }
        var handler: Handler { Handler(collector: self) }

        final class Handler: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            let collector: Collector
            init(collector: Collector) { self.collector = collector }
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                let buffer = unwrapInboundIn(data)
                collector.state.withLockedValue { $0.bytes += buffer.readableBytesView }
            }
            func channelInactive(context: ChannelHandlerContext) {
                collector.state.withLockedValue { $0.closed = true }
            }
        }
    }
}

/// Collects the bytes a transport connection delivers, for checking what reaches the upgrade.
final class ByteCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let state = NIOLockedValueBox<[UInt8]>([])
    var bytes: [UInt8] { state.withLockedValue { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        state.withLockedValue { $0 += buffer.readableBytesView }
    }
}

/// A server that completes any WebSocket upgrade correctly and writes `thenSend` in the same write as
/// the `101`, the way a listener that speaks first can put both in one TCP segment.
final class UpgradingHTTPServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(thenSend: [UInt8]) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Answerer(thenSend: thenSend))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }

    private final class Answerer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let thenSend: [UInt8]
        var request = ""
        init(thenSend: [UInt8]) { self.thenSend = thenSend }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            request += String(buffer: unwrapInboundIn(data))
            guard request.contains("\r\n\r\n") else { return }
            let key = request.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
                .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters(in: .whitespaces) } ?? ""
            var sha = Insecure.SHA1()
            sha.update(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
            let accept = Data(sha.finalize()).base64EncodedString()
            var out = ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n")
            out.writeBytes(thenSend)
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            request = ""
        }
    }
}
