import Core
import Multiformats
import NIOCore
import NIOHTTP1
import NIOTLS

/// The listener's side of a WebSocket's setup, on one accepted channel: NIO's HTTP server pipeline and
/// WebSocket upgrader do the protocol; this handler sits behind them, records each step, answers any
/// request that is not an upgrade with `426 Upgrade Required` (saying what this port is), and bounds
/// the whole handshake by a deadline, so a client that connects and sends nothing holds nothing for long.
final class WebSocketServerHandshake: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let secure: Bool
    private let timeout: Duration
    private let done: @Sendable () -> Void
    private let report: @Sendable (TransportInboundFailure) -> Void
    private var steps: [TimedTransportStep] = []
    private var connectedAt = NIODeadline.now()
    private var deadline: Scheduled<Void>?
    private var finished = false

    /// `done` runs once, when the handshake ended either way (the listener counts handshakes in flight);
    /// `report` once for a handshake that failed, with the step and what arrived instead.
    init(secure: Bool, timeout: Duration, done: @escaping @Sendable () -> Void,
         report: @escaping @Sendable (TransportInboundFailure) -> Void = { _ in }) {
        self.secure = secure
        self.timeout = timeout
        self.done = done
        self.report = report
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connectedAt = .now()
        steps.append(TimedTransportStep(.connected(
            transport: "tcp", local: localAddress(context), remote: remoteAddress(context)), at: connectedAt))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(timeout.totalNanoseconds))) {
            let (handler, context) = loopBound.value
            handler.end(context, failure: (handler.failingStep,
                "no WebSocket upgrade request within \(handler.timeout.formattedShort) (last step: \(handler.lastStepLabel))"))
        }
    }

    /// The step a failure now belongs to: the TLS handshake of `/wss` until it is done, then the HTTP upgrade.
    private var failingStep: String {
        if secure, !steps.contains(where: { if case .handshakeMessage(let message) = $0.step { message.protocolName == "ws-tls" } else { false } }) {
            return "ws-tls"
        }
        return "ws"
    }

    private var lastStepLabel: String { steps.last?.step.label ?? "tcp connected" }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            steps.append(TimedTransportStep(.handshakeMessage(TransportHandshakeMessage(
                protocolName: "ws-tls", direction: .sent, content: "certificate presented, TLS up"))))
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The upgrader is about to answer `101` to this request.
    func upgradeRequested(_ head: HTTPRequestHead) {
        steps.append(TimedTransportStep(.handshakeMessage(TransportHandshakeMessage(
            protocolName: "ws", direction: .received, content: "\(head.method) \(head.uri) (Upgrade: websocket)"))))
    }

    /// Only a request the upgrader refused reaches here.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !finished else { return }
        let body = "this is a libp2p WebSocket endpoint: send \(head.method) \(head.uri) with Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13\n"
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        let headers: HTTPHeaders = [
            "Upgrade": "websocket", "Connection": "close", "Content-Type": "text/plain",
            "Content-Length": "\(buffer.readableBytes)",
        ]
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .upgradeRequired, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let failure = ("ws", "expected a WebSocket upgrade request; got \(head.method) \(head.uri) without Upgrade: websocket (answered 426 Upgrade Required)")
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            let (handler, context) = loopBound.value
            handler.end(context, failure: failure)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(context, failure: (failingStep, "the peer closed the connection before the WebSocket upgrade (last step: \(lastStepLabel))"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Before the upgrade nobody above us listens: a TLS or HTTP error ends the handshake.
        if let parse = error as? HTTPParserError {
            let what: String
            switch parse {
            case .headerOverflow: what = "request headers over \(Self.headerLimit / 1024) KiB"
            default: what = "bytes that are not an HTTP/1.1 request (\(parse))"
            }
            end(context, failure: ("ws", "expected an HTTP/1.1 upgrade request; got \(what)"))
        } else {
            end(context, failure: (failingStep, "\(error)"))
        }
    }

    /// The request header bound the listener's HTTP decoder is configured with.
    static let headerLimit = 16 * 1024

    /// `101` went out and the frame codec is in place: what happened so far, for the upgrade's timeline.
    func upgraded(_ context: ChannelHandlerContext) -> TransportEstablishment? {
        guard !finished else { return nil }
        finished = true
        deadline?.cancel()
        done()
        steps.append(TimedTransportStep(.handshakeMessage(TransportHandshakeMessage(
            protocolName: "ws", direction: .sent, content: "HTTP/1.1 101 Switching Protocols"))))
        let establishment = TransportEstablishment(
            connectedAt: connectedAt, steps: steps,
            localAddress: localAddress(context), remoteAddress: remoteAddress(context))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        return establishment
    }

    private func end(_ context: ChannelHandlerContext, failure: (step: String, reason: String)) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        done()
        report(TransportInboundFailure(remoteAddress: remoteAddress(context), localAddress: localAddress(context),
                                       step: failure.step, reason: failure.reason))
        context.close(promise: nil)
    }

    private func localAddress(_ context: ChannelHandlerContext) -> Multiaddr? {
        WebSocketAddress.multiaddr(of: context.channel.localAddress, secure: secure)
    }

    private func remoteAddress(_ context: ChannelHandlerContext) -> Multiaddr? {
        WebSocketAddress.multiaddr(of: context.channel.remoteAddress, secure: secure)
    }
}
