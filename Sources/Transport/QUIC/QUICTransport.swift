import CQuic
import Core
import Identity
import Multiformats
import Multiformats
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `/quic-v1`: QUIC v1 (RFC 9000) with libp2p's TLS 1.3 certificates and ALPN `libp2p`, on ngtcp2 through
/// psq. QUIC secures and multiplexes by itself, so connections come out `.upgraded`: its streams are the
/// node's streams, multistream-select runs on each. Steps: Initial, the peer's Initial and Handshake, the
/// certificate check, 1-RTT keys, ready.
public struct QUICTransport: Sendable {
    /// QUIC handshakes a listener runs at once; Initials beyond are dropped (the client retries).
    public static let maxPendingHandshakes = 256
    public static let securityName = "quic-tls"
    public static let muxerName = "quic"

    public init() {}

    /// QUIC handshakes a listener runs at once for one remote IP; Initials beyond are dropped before any
    /// TLS work (reported at most once a second per IP), so one host's flood cannot fill the listener.
    public static let maxPendingHandshakesPerIP = 8

    static func config(handshakeTimeout: Duration) -> psq_config {
        var config = psq_config()
        config.handshake_timeout_ns = UInt64(max(handshakeTimeout.totalNanoseconds, 1))
        return config
    }

    static func errorText(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension QUICTransport: Transport {
    public var name: String { "quic-v1" }
    public var addressPattern: String { "/ip4|ip6/…/udp/N/quic-v1" }
    public func canDial(_ address: Multiaddr) -> Bool { QUICAddress(address) != nil }
    public func canListen(_ address: Multiaddr) -> Bool { QUICAddress(address) != nil }
    public func multiaddr(of socketAddress: SocketAddress) -> Multiaddr? { QUICAddress.multiaddr(of: socketAddress) }

    public func dial(
        _ address: Multiaddr, request: TransportDialRequest, environment: TransportEnvironment,
        prepare: @escaping @Sendable (TransportConnection) -> Void
    ) -> EventLoopFuture<TransportConnection> {
        let loop = environment.group.next()
        guard let target = QUICAddress(address) else {
            return loop.makeFailedFuture(QUICError.unsupportedAddress(address: address.description, reason: "expected /ip4|ip6/…/udp/N/quic-v1"))
        }
        let identity: QUICIdentity
        let remote: SocketAddress
        do {
            identity = try QUICIdentity.for(environment.identity)
            remote = try target.socketAddress()
        } catch {
            return loop.makeFailedFuture(error)
        }
        let receiver = QUICClientDatagramHandler()
        let bound = QUICSocketOptions.applyForDial(DatagramBootstrap(group: loop))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(receiver) }
            }
            .bind(host: target.isIPv6 ? "::" : "0.0.0.0", port: 0)
        return bound.flatMapErrorThrowing { error in
            throw QUICError.setupFailed("cannot open a UDP socket: \(error)")
        }.flatMap { channel -> EventLoopFuture<TransportConnection> in
            let promise = channel.eventLoop.makePromise(of: TransportConnection.self)
            do {
                let driver = try Self.startClient(on: channel, remote: remote, identity: identity, request: request, environment: environment, receiver: receiver)
                let bound = NIOLoopBound(driver, eventLoop: channel.eventLoop)
                request.cancellation.onCancel {
                    channel.eventLoop.execute { bound.value.cancelDial() }
                }
                driver.handshake.futureResult.whenComplete { result in
                    switch result {
                    case .success:
                        QUICSocketOptions.enableBulkReceive(on: channel)
                        do {
                            let driver = bound.value
                            promise.succeed(.upgraded(try Self.upgraded(driver, id: request.id, handle: driver.handle, channel: channel)))
                        } catch {
                            promise.fail(error)
                        }
                    case .failure(let error):
                        promise.fail(error)
                    }
                }
            } catch {
                channel.close(promise: nil)
                promise.fail(error)
            }
            return promise.futureResult
        }
    }

    /// Creates the client connection on the socket's event loop and sends its first Initial.
    private static func startClient(
        on channel: any Channel, remote: SocketAddress, identity: QUICIdentity, request: TransportDialRequest,
        environment: TransportEnvironment, receiver: QUICClientDatagramHandler
    ) throws -> QUICConnectionDriver {
        let check = QUICPeerCheck(expectedPeer: request.expectedPeer)
        var config = Self.config(handshakeTimeout: environment.connectTimeout)
        var error = [CChar](repeating: 0, count: 256)
        let local = channel.localAddress ?? remote
        let made = local.withSockAddr { localPointer, localLength in
            remote.withSockAddr { remotePointer, remoteLength in
                psq_client_new(&config, identity.pointer, localPointer, socklen_t(localLength), remotePointer, socklen_t(remoteLength),
                               QUICPeerCheck.callback, Unmanaged.passUnretained(check).toOpaque(),
                               NIODeadline.now().uptimeNanoseconds, &error, error.count)
            }
        }
        guard let made else { throw QUICError.setupFailed(Self.errorText(error)) }
        let driver = QUICConnectionDriver(conn: made, channel: channel, remote: remote, direction: .outbound, check: check)
        let handle = LoopBoundHandler<QUICConnectionDriver>(eventLoop: channel.eventLoop)
        handle.attach(driver)
        driver.handle = handle
        let id = request.id
        driver.onStep = { step, offset in environment.onStep(id, step, offset) }
        driver.onMuxerEvent = { event in environment.onMuxerEvent(id, event) }
        receiver.driver = driver
        driver.onFinal = { channel.close(promise: nil) }
        let limit = environment.connectTimeout
        let timeout = channel.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(limit.totalNanoseconds))) {
            driver.handshakeTimedOut(after: limit)
        }
        driver.handshake.futureResult.whenComplete { _ in timeout.cancel() }
        driver.settle()
        return driver
    }

    static func upgraded(
        _ driver: QUICConnectionDriver, id: ConnectionID, handle: LoopBoundHandler<QUICConnectionDriver>?, channel: any Channel
    ) throws -> UpgradedConnection {
        guard let peer = driver.peer, let handle else {
            throw QUICError.peerCertificateRejected("the handshake completed without a verified certificate")
        }
        let local = QUICAddress.multiaddr(of: channel.localAddress)
        return UpgradedConnection(
            id: id, direction: driver.direction, localAddress: local, remoteAddress: QUICAddress.multiaddr(of: driver.remote),
            remotePeer: peer.peerID, remotePublicKey: peer.hostKey, security: securityName, muxer: muxerName,
            earlyMuxerNegotiation: true, steps: driver.steps,
            upgradeDuration: .nanoseconds((NIODeadline.now() - driver.startedAt).nanoseconds),
            connection: QUICConnection(handle: handle, closeFuture: driver.closePromise.futureResult))
    }

    public func listen(
        _ address: Multiaddr, environment: TransportEnvironment,
        accept: @escaping @Sendable (TransportConnection) -> Void
    ) async throws -> any TransportListener {
        guard let target = QUICAddress(address) else {
            throw QUICError.unsupportedAddress(address: address.description, reason: "listen on /ip4|ip6/…/udp/N/quic-v1")
        }
        let identity = try QUICIdentity.for(environment.identity)
        let router = QUICListenerRouter(identity: identity, environment: environment, accept: accept)
        let channel: any Channel
        do {
            channel = try await QUICSocketOptions.apply(DatagramBootstrap(group: environment.group.next()))
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(router) }
                }
                .bind(host: target.host, port: Int(target.port)).get()
        } catch {
            throw QUICError.setupFailed("cannot bind UDP \(target.host):\(target.port): \(error)")
        }
        return QUICListener(channel: channel, router: router)
    }
}

/// A dialed connection's socket: every datagram goes to its one connection.
final class QUICClientDatagramHandler: ChannelInboundHandler, @unchecked Sendable {
    // Set and used on the channel's event loop only.
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    var driver: QUICConnectionDriver?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let driver else { return }
        QUICSocketOptions.datagrams(in: envelope) { driver.received($0, from: envelope.remoteAddress) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        driver?.settleAfterReads()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable surfaces as a read error on an unconnected UDP socket: the handshake timeout names it.
    }
}

/// A bound QUIC listener.
struct QUICListener: TransportListener {
    let channel: any Channel
    let router: QUICListenerRouter

    var address: Multiaddr? { QUICAddress.multiaddr(of: channel.localAddress) }

    func close() async {
        let router = self.router
        try? await channel.eventLoop.submit { router.closeAll() }.get()
        try? await channel.close()
    }
}
