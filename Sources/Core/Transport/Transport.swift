import NIOConcurrencyHelpers
import NIOCore
import Multiformats
import Identity

/// Dials and listens on the multiaddrs it claims. The Host holds a list of transports and gives each
/// address to the first that claims it; nothing outside a transport's own target names it.
public protocol Transport: Sendable {
    /// The multiaddr protocol name shown in timelines (`tcp`).
    var name: String { get }
    /// The addresses it takes, for errors that say what can be dialed (`/ip4|ip6/…/tcp/N`).
    var addressPattern: String { get }
    func canDial(_ address: Multiaddr) -> Bool
    func canListen(_ address: Multiaddr) -> Bool

    /// Connects to `address`. `prepare` runs on the new connection's event loop before its first byte is
    /// read: for a raw connection that is where the upgrade installs its handlers, since a listener speaks
    /// first. The future completes once the transport connection is up (a raw one still to be upgraded),
    /// or fails with the transport's own error (`UpgradeErrorConvertible` when it can say more).
    func dial(
        _ address: Multiaddr, request: TransportDialRequest, environment: TransportEnvironment,
        prepare: @escaping @Sendable (TransportConnection) -> Void
    ) -> EventLoopFuture<TransportConnection>

    /// Starts listening; `accept` is called on each new connection's event loop before its first read.
    func listen(
        _ address: Multiaddr, environment: TransportEnvironment,
        accept: @escaping @Sendable (TransportConnection) -> Void
    ) async throws -> any TransportListener

    /// The multiaddr of one end of a raw connection of this transport (`/ip4/…/tcp/N`).
    func multiaddr(of socketAddress: SocketAddress) -> Multiaddr?
}

/// What every transport call gets from the Host. A transport that secures and multiplexes by itself
/// also needs the identity, and reports its steps and muxer events for the connection's ID through
/// the two sinks (a raw transport leaves them to the upgrader).
public struct TransportEnvironment: Sendable {
    public let group: any EventLoopGroup
    /// Bound on establishing the transport connection itself (TCP connect; for WebSocket also its TLS and
    /// HTTP upgrade).
    public let connectTimeout: Duration
    /// Bound on an inbound connection's handshake inside the transport (WebSocket's HTTP upgrade, QUIC's
    /// handshake): a listener's upgrade deadline.
    public let inboundHandshakeTimeout: Duration
    public let identity: PrivateKey
    public let onStep: @Sendable (ConnectionID, UpgradeStep, Duration) -> Void
    public let onMuxerEvent: @Sendable (ConnectionID, MuxerEvent) -> Void
    /// An inbound connection that ended inside the transport's own handshake, before the Host got it.
    public let onInboundFailure: @Sendable (TransportInboundFailure) -> Void

    public init(
        group: any EventLoopGroup, connectTimeout: Duration, inboundHandshakeTimeout: Duration? = nil, identity: PrivateKey,
        onStep: @escaping @Sendable (ConnectionID, UpgradeStep, Duration) -> Void = { _, _, _ in },
        onMuxerEvent: @escaping @Sendable (ConnectionID, MuxerEvent) -> Void = { _, _ in },
        onInboundFailure: @escaping @Sendable (TransportInboundFailure) -> Void = { _ in }
    ) {
        self.group = group
        self.connectTimeout = connectTimeout
        self.inboundHandshakeTimeout = inboundHandshakeTimeout ?? connectTimeout
        self.identity = identity
        self.onStep = onStep
        self.onMuxerEvent = onMuxerEvent
        self.onInboundFailure = onInboundFailure
    }
}

/// One dial: the connection's ID (already in the Host's events) and the peer it must turn out to be.
/// Connections a listener accepts get their IDs from `ConnectionID.next()`.
public struct TransportDialRequest: Sendable {
    public let id: ConnectionID
    public let expectedPeer: PeerID?
    /// Fired when the Host gives the dial up (another address won, the caller went away): a transport whose
    /// connect is not a channel the Host can close (QUIC) stops through it.
    public let cancellation: TransportDialCancellation

    public init(id: ConnectionID, expectedPeer: PeerID?, cancellation: TransportDialCancellation = TransportDialCancellation()) {
        self.id = id
        self.expectedPeer = expectedPeer
        self.cancellation = cancellation
    }
}

/// A one-shot cancellation signal for a dial: handlers run once, at `cancel()` or at once if it already came.
public final class TransportDialCancellation: Sendable {
    private let state = NIOLockedValueBox<(cancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    public init() {}

    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLockedValue { state -> Bool in
            if state.cancelled { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    public func cancel() {
        let handlers = state.withLockedValue { state -> [@Sendable () -> Void] in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.handlers.removeAll() }
            return state.handlers
        }
        for handler in handlers { handler() }
    }
}

/// A connection a transport produced.
public enum TransportConnection: Sendable {
    /// A byte stream that still needs a security protocol and a muxer (TCP, WebSocket). A transport that
    /// hands the channel over after a handshake of its own (WebSocket) says what it did in `establishment`;
    /// a bare socket (TCP) hands it over before it connects and leaves that to the upgrade.
    case raw(any Channel, transport: any Transport, establishment: TransportEstablishment? = nil)
    /// Already authenticated and multiplexed by the transport itself (a QUIC dial).
    case upgraded(UpgradedConnection)
    /// An inbound connection whose transport authenticates and multiplexes by itself (QUIC), handed over
    /// as its handshake starts, so the Host admits it (or not) before its first step.
    case handshaking(TransportInboundHandshake)
}

/// An inbound handshake the transport runs by itself; its steps go to `TransportEnvironment.onStep`
/// under `id`.
public struct TransportInboundHandshake: Sendable {
    public let id: ConnectionID
    public let remoteAddress: Multiaddr?
    public let localAddress: Multiaddr?
    /// The peer's IP, for per-address limits.
    public let remoteIP: String
    /// The connection once its handshake is done, or the handshake's failure
    /// (`UpgradeErrorConvertible` when the transport can say more).
    public let result: EventLoopFuture<UpgradedConnection>
    /// Ends the handshake (a limit refused it, the node stops); the reason goes to the peer if it can.
    public let abort: @Sendable (String) -> Void

    public init(
        id: ConnectionID, remoteAddress: Multiaddr?, localAddress: Multiaddr?, remoteIP: String,
        result: EventLoopFuture<UpgradedConnection>, abort: @escaping @Sendable (String) -> Void
    ) {
        self.id = id
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.remoteIP = remoteIP
        self.result = result
        self.abort = abort
    }
}

/// An inbound connection a transport gave up on before handing it over (a WebSocket client that never
/// sent an upgrade request, bytes that are not HTTP, a QUIC Initial over a limit).
public struct TransportInboundFailure: Sendable, Hashable, CustomStringConvertible {
    public let remoteAddress: Multiaddr?
    public let localAddress: Multiaddr?
    /// The transport step that failed (`ws`, `ws-tls`, `quic`).
    public let step: String
    public let reason: String

    public init(remoteAddress: Multiaddr?, localAddress: Multiaddr?, step: String, reason: String) {
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.step = step
        self.reason = reason
    }

    public var description: String { "\(step): \(reason)" }
}

/// A bound listener.
public protocol TransportListener: Sendable {
    /// The address actually bound (port 0 resolved), without `/p2p/`.
    var address: Multiaddr? { get }
    func close() async
}
