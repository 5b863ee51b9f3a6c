import Atomics
import Core
import Multiformats
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import TCP

/// `/ws` and `/wss`: libp2p over WebSocket (RFC 6455) over TCP, optionally through TLS. The transport
/// connection handed to the upgrade is the WebSocket's byte stream; multistream-select, the security
/// protocol and the muxer run on top exactly as over TCP. Its own steps (TCP connect, TLS, HTTP upgrade
/// request, `101`) lead the connection's timeline.
public struct WebSocketTransport: Sendable {
    /// Largest frame read from a peer: libp2p implementations send one security frame per message
    /// (≤ 64 KiB), and the decoder holds a whole frame in memory before passing it on.
    public static let maxInboundFrameSize = 256 * 1024
    /// WebSocket handshakes a listener runs at once; more connections are closed at once (the libp2p
    /// upgrade's own limits apply only after the upgrade).
    public static let maxPendingHandshakes = 256

    private let tcp: TCPTransport
    private let contexts: WebSocketTLSContexts

    public init(tls: WebSocketTLSConfiguration = WebSocketTLSConfiguration(), tcp: TCPTransport = TCPTransport()) {
        self.tcp = tcp
        self.contexts = WebSocketTLSContexts(tls)
    }

    private var clientContext: Result<NIOSSLContext, WebSocketTransportError> { contexts.client }
    private var serverContext: Result<NIOSSLContext?, WebSocketTransportError> { contexts.server }
}

/// The TLS contexts of `/wss`, made on first use: loading the system's trust roots costs every node that
/// never dials `/wss` nothing, and each context is made once per transport.
private final class WebSocketTLSContexts: Sendable {
    private let tls: WebSocketTLSConfiguration
    private let clientBox = NIOLockedValueBox<Result<NIOSSLContext, WebSocketTransportError>?>(nil)
    private let serverBox = NIOLockedValueBox<Result<NIOSSLContext?, WebSocketTransportError>?>(nil)

    init(_ tls: WebSocketTLSConfiguration) { self.tls = tls }

    var client: Result<NIOSSLContext, WebSocketTransportError> {
        clientBox.withLockedValue { cached in
            if let cached { return cached }
            let made: Result<NIOSSLContext, WebSocketTransportError>
            do { made = .success(try tls.makeClientContext()) } catch {
                made = .failure(.tlsUnavailable("cannot set up TLS for dialing: \(error)"))
            }
            cached = made
            return made
        }
    }

    var server: Result<NIOSSLContext?, WebSocketTransportError> {
        serverBox.withLockedValue { cached in
            if let cached { return cached }
            let made: Result<NIOSSLContext?, WebSocketTransportError>
            do { made = .success(try tls.makeServerContext()) } catch {
                made = .failure(.tlsUnavailable("cannot use the /wss certificate and key: \(error)"))
            }
            cached = made
            return made
        }
    }
}

extension WebSocketTransport: Transport {
    public var name: String { "ws" }
    public var addressPattern: String { "/ip4|ip6/…/tcp/N/ws (or /wss, /tls/ws)" }

    public func canDial(_ address: Multiaddr) -> Bool { WebSocketAddress(address) != nil }
    public func canListen(_ address: Multiaddr) -> Bool { WebSocketAddress(address).map { $0.serverName == nil } ?? false }

    public func multiaddr(of socketAddress: SocketAddress) -> Multiaddr? {
        WebSocketAddress.multiaddr(of: socketAddress, secure: false)
    }

    public func dial(
        _ address: Multiaddr, request: TransportDialRequest, environment: TransportEnvironment,
        prepare: @escaping @Sendable (TransportConnection) -> Void
    ) -> EventLoopFuture<TransportConnection> {
        let loop = environment.group.next()
        guard let target = WebSocketAddress(address) else {
            return loop.makeFailedFuture(WebSocketTransportError.unsupportedAddress(
                address: address.description, reason: "expected /ip4|ip6/…/tcp/N followed by /ws, /wss, /tls/ws or /tls/sni/NAME/ws"))
        }
        var sslContext: NIOSSLContext?
        if target.secure {
            switch clientContext {
            case .success(let context): sslContext = context
            case .failure(let error): return loop.makeFailedFuture(error)
            }
            guard target.serverName != nil else {
                return loop.makeFailedFuture(WebSocketTransportError.unsupportedAddress(
                    address: address.description,
                    reason: "a TLS certificate is checked against a name, and this address has none: dial /dns4/NAME/tcp/N/wss or add /sni/NAME"))
            }
        }
        let established = loop.makePromise(of: TransportEstablishment.self)
        let timeout = environment.connectTimeout
        let sslContextForDial = sslContext
        let transport = self
        let connected = tcp.dial(host: target.endpoint.socketHost, port: Int(target.endpoint.port), timeout: timeout, group: loop) { channel in
            channel.eventLoop.makeCompletedFuture {
                // `prepare` runs inside the upgrade, before NIO replays bytes that came with the `101`: a
                // listener that speaks first must find the upgrade's handlers in place.
                try Self.installClient(on: channel, target: target, sslContext: sslContextForDial, timeout: timeout,
                                       established: established) { establishment in
                    prepare(.raw(channel, transport: transport, establishment: establishment))
                }
            }
        }
        connected.whenFailure { error in
            established.fail(WebSocketTransportError.tcp(error as? TCPDialError ?? .failed(address: target.tcpAddress.description, reason: "\(error)")))
        }
        return connected.and(established.futureResult).map { channel, establishment in
            TransportConnection.raw(channel, transport: transport, establishment: establishment)
        }
    }

    private static func installClient(
        on channel: any Channel, target: WebSocketAddress, sslContext: NIOSSLContext?, timeout: Duration,
        established: EventLoopPromise<TransportEstablishment>,
        upgraded: @escaping @Sendable (TransportEstablishment) -> Void
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        if let sslContext {
            try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: target.serverName))
        }
        let handshake = WebSocketClientHandshake(address: target, timeout: timeout, promise: established)
        let loopBound = NIOLoopBound(handshake, eventLoop: channel.eventLoop)
        let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: maxInboundFrameSize, automaticErrorHandling: false) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(WebSocketByteStreamHandler(role: .client, bypass: WebSocketFrameBypass.install(in: pipeline)))
                let context = try pipeline.context(handler: loopBound.value)
                guard let establishment = loopBound.value.upgraded(context, response: response) else { return }
                upgraded(establishment)
                established.succeed(establishment)
            }
        }
        try pipeline.addHTTPClientHandlers(
            leftOverBytesStrategy: .forwardBytes,
            withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
        try pipeline.addHandler(handshake)
    }

    public func listen(
        _ address: Multiaddr, environment: TransportEnvironment,
        accept: @escaping @Sendable (TransportConnection) -> Void
    ) async throws -> any TransportListener {
        guard let target = WebSocketAddress(address), target.serverName == nil else {
            throw WebSocketTransportError.unsupportedAddress(
                address: address.description, reason: "listen on /ip4|ip6/…/tcp/N/ws, or /wss (/tls/ws) with a certificate")
        }
        var sslContext: NIOSSLContext?
        if target.secure {
            switch serverContext {
            case .success(let context?): sslContext = context
            case .success(nil):
                throw WebSocketTransportError.tlsUnavailable("a /wss listener needs a certificate and its key (--wss-cert FILE --wss-key FILE)")
            case .failure(let error): throw error
            }
        }
        let sslContextForListener = sslContext
        let pending = ManagedAtomic(0)
        let timeout = environment.inboundHandshakeTimeout
        let report = environment.onInboundFailure
        let transport = self
        let listener = try await tcp.listen(host: target.endpoint.socketHost, port: Int(target.endpoint.port), group: environment.group) { channel in
            guard pending.loadThenWrappingIncrement(ordering: .relaxed) < Self.maxPendingHandshakes else {
                pending.wrappingDecrement(ordering: .relaxed)
                return channel.close()
            }
            return channel.eventLoop.makeCompletedFuture {
                try Self.installServer(on: channel, secure: target.secure, sslContext: sslContextForListener, timeout: timeout,
                                       done: { pending.wrappingDecrement(ordering: .relaxed) }, report: report) { channel, establishment in
                    accept(.raw(channel, transport: transport, establishment: establishment))
                }
            }
        }
        return WebSocketListener(tcp: listener, secure: target.secure)
    }

    private static func installServer(
        on channel: any Channel, secure: Bool, sslContext: NIOSSLContext?, timeout: Duration,
        done: @escaping @Sendable () -> Void, report: @escaping @Sendable (TransportInboundFailure) -> Void,
        upgraded: @escaping @Sendable (any Channel, TransportEstablishment) -> Void
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        if let sslContext { try pipeline.addHandler(NIOSSLServerHandler(context: sslContext)) }
        let handshake = WebSocketServerHandshake(secure: secure, timeout: timeout, done: done, report: report)
        let loopBound = NIOLoopBound(handshake, eventLoop: channel.eventLoop)
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maxInboundFrameSize, automaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                loopBound.value.upgradeRequested(head)
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(WebSocketByteStreamHandler(role: .server, bypass: WebSocketFrameBypass.install(in: pipeline)))
                    let context = try pipeline.context(handler: loopBound.value)
                    guard let establishment = loopBound.value.upgraded(context) else { return }
                    upgraded(channel, establishment)
                }
            })
        var limits = NIOHTTPDecoderLimitConfiguration()
        // An upgrade request is a few hundred bytes; 16 KiB of headers is far more than any client sends.
        limits.maxHeaderFieldSize = WebSocketServerHandshake.headerLimit
        limits.maxHeaderListSize = WebSocketServerHandshake.headerLimit
        limits.maxHeaderFieldCount = 100
        try pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }),
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
        try pipeline.addHandler(handshake)
    }
}

/// A bound WebSocket listener: the TCP listener under it.
struct WebSocketListener: TransportListener {
    let tcp: TCPListener
    let secure: Bool

    var address: Multiaddr? { WebSocketAddress.multiaddr(of: tcp.localAddress, secure: secure) }

    func close() async { await tcp.close() }
}
