import Core
import Multiformats
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOTLS
import NIOWebSocket

/// The dialer's side of a WebSocket's setup, on one channel: after TCP connects (and TLS, for `/wss`)
/// it sends the HTTP/1.1 upgrade request, then checks what came back. NIO's upgrader does the header
/// work; this handler sits behind it, records each step with its instant, and turns every other outcome
/// (a non-101 status, a bad `Sec-WebSocket-Accept`, bytes that are not HTTP, a close, the deadline)
/// into a `WebSocketTransportError`. On `101` it leaves the pipeline to the byte-stream handler.
final class WebSocketClientHandshake: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let address: WebSocketAddress
    private let timeout: Duration
    private let promise: EventLoopPromise<TransportEstablishment>
    private var steps: [TimedTransportStep] = []
    private var connectedAt: NIODeadline?
    private var deadline: Scheduled<Void>?
    private var finished = false

    init(address: WebSocketAddress, timeout: Duration, promise: EventLoopPromise<TransportEstablishment>) {
        self.address = address
        self.timeout = timeout
        self.promise = promise
    }

    private var lastStep: String { steps.last?.step.label ?? "tcp connected" }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { connected(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        connected(context)
        context.fireChannelActive()
    }

    private func connected(_ context: ChannelHandlerContext) {
        guard connectedAt == nil else { return }
        let now = NIODeadline.now()
        connectedAt = now
        steps.append(TimedTransportStep(.connected(
            transport: "tcp", local: localAddress(context), remote: remoteAddress(context)), at: now))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(timeout.totalNanoseconds))) {
            let (handler, context) = loopBound.value
            handler.fail(context, .timedOut(after: handler.timeout, lastStep: handler.lastStep))
        }
        // Over TLS the request waits for the handshake, so the timeline shows TLS before HTTP.
        if !address.secure { sendRequest(context) }
    }

    private func sendRequest(_ context: ChannelHandlerContext) {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["Host": address.hostHeader])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        record("GET / (Upgrade: websocket)", .sent)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, !finished {
            let name = address.serverName.map { " for \($0)" } ?? ""
            steps.append(TimedTransportStep(.handshakeMessage(TransportHandshakeMessage(
                protocolName: "ws-tls", direction: .received, content: "certificate\(name) verified, TLS up"))))
            sendRequest(context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Only what NIO's upgrader did not take reaches here: the response to a refused upgrade.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !finished else { return }
        let status = "HTTP/\(head.version.major).\(head.version.minor) \(head.status.code) \(head.status.reasonPhrase)"
        record(status, .received)
        if head.status == .switchingProtocols {
            fail(context, .upgradeInvalid("101 without the headers of a WebSocket upgrade (Upgrade: \(head.headers["Upgrade"].first ?? "none"))"))
        } else {
            fail(context, .upgradeRefused(statusLine: status))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !finished else { return context.fireErrorCaught(error) }
        switch error {
        case let upgrade as NIOHTTPClientUpgradeError where upgrade == .upgraderDeniedUpgrade:
            fail(context, .upgradeInvalid("101 whose Sec-WebSocket-Accept does not answer our Sec-WebSocket-Key"))
        case let upgrade as NIOHTTPClientUpgradeError where upgrade == .responseProtocolNotFound:
            fail(context, .upgradeInvalid("101 that names no protocol we asked for in its Upgrade header"))
        case let parser as HTTPParserError:
            fail(context, .notHTTP("bytes that do not parse as HTTP (\(parser)); is this a libp2p TCP port rather than a WebSocket one?"))
        case let ssl as NIOSSLError:
            fail(context, .tlsFailed(serverName: address.serverName, reason: "\(ssl)"))
        case let ssl as BoringSSLError:
            fail(context, .tlsFailed(serverName: address.serverName, reason: "\(ssl)"))
        case let ssl as NIOSSLExtraError:
            fail(context, .tlsFailed(serverName: address.serverName, reason: "\(ssl)"))
        default:
            fail(context, .notHTTP("\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context, .closedDuringHandshake(lastStep: lastStep))
        context.fireChannelInactive()
    }

    /// The upgrader accepted a `101`; its frame codec is in the pipeline. Returns what happened so far; the
    /// caller installs the upgrade's handlers and then completes the dial's promise.
    func upgraded(_ context: ChannelHandlerContext, response: HTTPResponseHead) -> TransportEstablishment? {
        guard !finished, let connectedAt else { return nil }
        finished = true
        deadline?.cancel()
        record("HTTP/1.1 101 \(response.status.reasonPhrase)", .received)
        let establishment = TransportEstablishment(
            connectedAt: connectedAt, steps: steps,
            localAddress: localAddress(context), remoteAddress: remoteAddress(context))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        return establishment
    }

    private func fail(_ context: ChannelHandlerContext, _ error: WebSocketTransportError) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        promise.fail(error)
        context.close(promise: nil)
    }

    private func record(_ content: String, _ direction: SecurityHandshakeMessage.Direction) {
        steps.append(TimedTransportStep(.handshakeMessage(
            TransportHandshakeMessage(protocolName: "ws", direction: direction, content: content))))
    }

    private func localAddress(_ context: ChannelHandlerContext) -> Multiaddr? {
        WebSocketAddress.multiaddr(of: context.channel.localAddress, secure: address.secure)
    }

    private func remoteAddress(_ context: ChannelHandlerContext) -> Multiaddr? {
        WebSocketAddress.multiaddr(of: context.channel.remoteAddress, secure: address.secure, serverName: address.serverName)
    }
}
