import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Core
import Events
import Identity
import Multiformats
import Multistream
import Noise
import Protocols
import TCP
import Upgrade
import Yamux

/// The node: listens and dials over its transports, upgrades raw connections (security protocol +
/// muxer, from its configuration), keeps them with their peers, negotiates protocols on streams and hands them to handlers, and reports everything
/// it does on one event stream. (go-libp2p's Network and Host folded into one.)
public final class Host: Sendable {
    public let identity: PrivateKey
    public let peerID: PeerID
    public let configuration: HostConfiguration
    public let peerstore: Peerstore
    let transports: [any Transport]
    let group: any EventLoopGroup
    let broadcaster = EventBroadcaster<NodeEvent>()
    let inboundLimiter: InboundUpgradeLimiter
    let state = NIOLockedValueBox(State())
    let startedAt = ContinuousClock.now

    struct State {
        var listeners: [any TransportListener] = []
        var listenAddresses: [Multiaddr] = []
        /// Changed only through `insert` and `remove`, which keep the counts below in step: the limits are
        /// checked on every new connection, and counting by a scan made 10,000 connections cost O(n²).
        private(set) var connections: [ConnectionID: HostConnection] = [:]
        private(set) var connectionCountByPeer: [PeerID: Int] = [:]
        private(set) var inboundConnectionCount = 0
        /// Channels still being upgraded, so shutdown can cancel them and snapshots can show them.
        var upgrading: [ConnectionID: UpgradingConnection] = [:]
        var handlers: [String: StreamHandler] = [:]
        var isShuttingDown = false

        mutating func insert(_ connection: HostConnection) {
            guard connections.updateValue(connection, forKey: connection.id) == nil else { return }
            connectionCountByPeer[connection.peer, default: 0] += 1
            if connection.upgraded.direction == .inbound { inboundConnectionCount += 1 }
        }

        mutating func remove(_ id: ConnectionID) -> HostConnection? {
            guard let connection = connections.removeValue(forKey: id) else { return nil }
            let remaining = connectionCountByPeer[connection.peer, default: 1] - 1
            connectionCountByPeer[connection.peer] = remaining > 0 ? remaining : nil
            if connection.upgraded.direction == .inbound { inboundConnectionCount -= 1 }
            return connection
        }
    }

    struct UpgradingConnection: Sendable {
        /// Closes the connection under its upgrade.
        let cancel: @Sendable () -> Void
        let direction: ConnectionDirection
        let remote: Multiaddr?
        let startedAt: ContinuousClock.Instant
    }

    public init(
        identity: PrivateKey,
        configuration: HostConfiguration = HostConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.identity = identity
        self.peerID = identity.peerID
        self.configuration = configuration
        self.peerstore = Peerstore(capacity: configuration.peerstoreCapacity)
        self.transports = configuration.transports
        self.group = group
        self.inboundLimiter = InboundUpgradeLimiter(
            maxTotal: configuration.upgrader.maxInboundUpgrades,
            maxPerIP: configuration.upgrader.maxInboundUpgradesPerIP)
        registerDefaultProtocols()
    }

    // MARK: - Events

    /// A new subscription to the node's events; a subscriber that falls behind loses events (counted)
    /// and never slows the node.
    public func events(bufferLimit: Int = 4096) -> AsyncStream<EventRecord<NodeEvent>> {
        broadcaster.subscribe(bufferLimit: bufferLimit)
    }

    var transportEnvironment: TransportEnvironment {
        TransportEnvironment(
            group: group, connectTimeout: configuration.connectTimeout,
            inboundHandshakeTimeout: configuration.upgrader.upgradeTimeout, identity: identity,
            onStep: { [weak self] id, step, offset in self?.emit(.upgradeStep(id, step, offset: offset)) },
            onMuxerEvent: { [weak self] id, event in self?.handleMuxerEvent(event, on: id) },
            onInboundFailure: { [weak self] failure in self?.emit(.inboundFailed(failure)) })
    }

    func emit(_ event: NodeEvent) {
        broadcaster.publish(event)
    }

    // MARK: - Listening

    public var listenAddresses: [Multiaddr] { state.withLockedValue { $0.listenAddresses } }

    /// Starts listening on the first transport that takes `address`; returns the bound address (port 0
    /// resolved), without the `/p2p/` suffix.
    @discardableResult
    public func listen(_ address: Multiaddr) async throws -> Multiaddr {
        let listener: any TransportListener
        do {
            guard let transport = transports.first(where: { $0.canListen(address) }) else {
                throw HostError.noTransport(address, supported: transports.map(\.addressPattern))
            }
            listener = try await transport.listen(address, environment: transportEnvironment) { [self] connection in
                acceptInbound(connection)
            }
        } catch {
            emit(.listenFailed(address, reason: "\(error)"))
            throw error
        }
        let bound = listener.address ?? address
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.isShuttingDown else { return false }
            state.listeners.append(listener)
            state.listenAddresses.append(bound)
            return true
        }
        guard accepted else {
            await listener.close()
            throw HostError.shuttingDown
        }
        emit(.listening(bound))
        pushIdentifyToAll()
        return bound
    }

    /// Our listen address with `/p2p/<our peer ID>`, as other peers dial it.
    public func dialableAddress(_ listenAddress: Multiaddr) -> Multiaddr {
        (try? listenAddress.encapsulate(.p2p(peerID))) ?? listenAddress
    }

    // MARK: - Connections

    public var connections: [HostConnection] {
        state.withLockedValue { Array($0.connections.values) }.sorted { $0.id < $1.id }
    }

    public func connections(to peer: PeerID) -> [HostConnection] {
        connections.filter { $0.peer == peer }
    }

    public func connection(_ id: ConnectionID) -> HostConnection? {
        state.withLockedValue { $0.connections[id] }
    }

    /// Closes one connection (GoAway, then close).
    public func close(connection id: ConnectionID, reason: String = "requested") async {
        guard let connection = connection(id) else { return }
        connection.noteCloseCause(.closedLocally(reason: reason))
        await connection.muxed.close()
    }

    // MARK: - Stream handlers

    /// Serves `protocolID` with `handler`; connected peers learn about it through identify/push.
    public func setStreamHandler(_ protocolID: String, _ handler: @escaping StreamHandler) {
        let added = state.withLockedValue { $0.handlers.updateValue(handler, forKey: protocolID) == nil }
        if added { pushIdentifyToAll() }
    }

    public func removeStreamHandler(_ protocolID: String) {
        let removed = state.withLockedValue { $0.handlers.removeValue(forKey: protocolID) != nil }
        if removed { pushIdentifyToAll() }
    }

    /// Protocols we accept inbound, sorted (what identify advertises).
    public var supportedProtocols: [String] {
        state.withLockedValue { Array($0.handlers.keys) }.sorted()
    }

    func handler(for protocolID: String) -> StreamHandler? {
        state.withLockedValue { $0.handlers[protocolID] }
    }

    // MARK: - Shutdown

    /// Stops listening, sends GoAway on every connection, waits up to the grace period for their
    /// streams to finish, then closes whatever is left and ends the event stream.
    public func shutdown() async {
        let (listeners, connections, upgrading) = state.withLockedValue { state in
            state.isShuttingDown = true
            defer { state.listeners.removeAll() }
            return (state.listeners, Array(state.connections.values), Array(state.upgrading.values))
        }
        for listener in listeners {
            await listener.close()
            if let address = listener.address { emit(.listenerClosed(address)) }
        }
        for pending in upgrading { pending.cancel() }
        for connection in connections {
            connection.noteCloseCause(.closedLocally(reason: "shutdown"))
            connection.muxed.goAway()
        }
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        while ContinuousClock.now < deadline, state.withLockedValue({ !$0.connections.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for connection in state.withLockedValue({ Array($0.connections.values) }) {
            await connection.muxed.close()
        }
        for connection in connections {
            try? await connection.muxed.closeFuture.get()
        }
        emit(.shutDown)
        broadcaster.finish()
    }
}

public enum HostError: Error, Sendable, Hashable, CustomStringConvertible {
    case shuttingDown
    case noAddresses(PeerID)
    /// No registered transport takes this address; `supported` lists what they take.
    case noTransport(Multiaddr, supported: [String])
    case notConnected(PeerID)
    case unknownConnection(ConnectionID)
    case dialFailed([DialFailure])
    case limitReached(LimitRejection)
    case streamNegotiationFailed(protocols: [String], reason: String)

    public var description: String {
        switch self {
        case .shuttingDown: return "the node is shutting down"
        case .noAddresses(let peer): return "no known addresses for \(peer)"
        case .noTransport(let address, let supported):
            return "no transport can listen on \(address): only \(supported.joined(separator: " or ")) addresses"
        case .notConnected(let peer): return "not connected to \(peer)"
        case .unknownConnection(let id): return "no connection \(id)"
        case .dialFailed(let failures):
            return failures.count == 1 ? "dial failed: \(failures[0])"
                : "dial failed on every address: " + failures.map(\.description).joined(separator: "; ")
        case .limitReached(let rejection): return "refused: \(rejection)"
        case .streamNegotiationFailed(let protocols, let reason):
            return "could not open a stream for \(protocols.joined(separator: ", ")): \(reason)"
        }
    }
}
