import Core
import Identity
import Multiformats

/// Everything the node reports, in the order it happens. The UI and `peerscope listen --json` are
/// built only from these (plus `snapshot()` for counters). Every case carries the IDs needed to
/// correlate it: connection, stream, dial.
public enum NodeEvent: Sendable, Hashable {
    // MARK: Listening
    case listening(Multiaddr)
    case listenFailed(Multiaddr, reason: String)
    case listenerClosed(Multiaddr)

    // MARK: Dialing
    /// A dial request for `peer` (if known) over these addresses.
    case dialStarted(DialID, peer: PeerID?, addresses: [Multiaddr])
    /// One DNS question of a dial's `/dns*` or `/dnsaddr` address, with what came back; these come before
    /// the attempts on the addresses they produced.
    case dialNameResolved(DialID, NameResolutionHop)
    /// The order and delays in which a multi-address dial will try its addresses.
    case dialRanked(DialID, [DialPlanEntry])
    /// One address of a dial is being tried on a new connection.
    case dialAttempt(DialID, ConnectionID, address: Multiaddr)
    /// One attempt of a multi-address dial ended without winning (failed, or cancelled because another won).
    case dialAttemptFailed(DialID, DialFailure)
    case dialSucceeded(DialID, ConnectionID, peer: PeerID)
    /// Every address failed; each failure names the step, what was expected and what arrived.
    case dialFailed(DialID, peer: PeerID?, failures: [DialFailure])
    /// The dial was answered by an existing connection to the peer.
    case dialReusedConnection(DialID, ConnectionID, peer: PeerID)

    // MARK: Inbound connections
    case inboundAccepted(ConnectionID, remote: Multiaddr?, local: Multiaddr?)
    /// Closed at once because a limit was reached; says which.
    case inboundRejected(remote: Multiaddr?, limit: LimitRejection)
    /// Ended inside the transport's own handshake, before it was a connection (a WebSocket client that
    /// sent no upgrade, bytes that are not HTTP, a QUIC Initial over a limit).
    case inboundFailed(TransportInboundFailure)

    // MARK: Upgrade
    /// One step of the upgrade; `offset` counts from the transport connect.
    case upgradeStep(ConnectionID, UpgradeStep, offset: Duration)
    case upgradeFailed(ConnectionID, direction: ConnectionDirection, UpgradeError, offset: Duration)

    // MARK: Connections
    case connectionEstablished(ConnectionSummary)
    case connectionClosed(ConnectionID, peer: PeerID, cause: ConnectionCloseCause)
    /// An upgraded connection was refused because a host limit was reached (the peer is known by then).
    case connectionRejected(ConnectionID, peer: PeerID, limit: LimitRejection)

    // MARK: Streams
    case streamOpened(ConnectionID, streamID: UInt64, direction: ConnectionDirection)
    case streamProtocolNegotiated(ConnectionID, streamID: UInt64, protocol: String)
    case streamNegotiationFailed(ConnectionID, streamID: UInt64, reason: String)
    case streamClosed(ConnectionID, streamID: UInt64, protocol: String?, cause: String, reset: Bool)
    case streamRejected(ConnectionID, streamID: UInt64, limit: LimitRejection)
    /// A writer waits because the peer granted no window on this stream.
    case streamSendWindowExhausted(ConnectionID, streamID: UInt64)

    // MARK: Protocols
    case identifyCompleted(ConnectionID, peer: PeerID, IdentifySummary)
    case identifyFailed(ConnectionID, peer: PeerID, reason: String)
    case pingRTT(ConnectionID, peer: PeerID, rtt: Duration)
    case pingFailed(ConnectionID, peer: PeerID, reason: String)
    case peerProtocolsChanged(PeerID, added: [String], removed: [String])

    /// The node stopped; no events follow.
    case shutDown
}

/// One failed address of a dial.
public struct DialFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let address: Multiaddr
    public let connectionID: ConnectionID?
    /// The transport's name (`tcp`) when it could not connect, the upgrade phase, or `address` when no
    /// transport takes the address.
    public let step: String
    public let reason: String

    public init(address: Multiaddr, connectionID: ConnectionID?, step: String, reason: String) {
        self.address = address
        self.connectionID = connectionID
        self.step = step
        self.reason = reason
    }

    public var description: String { "\(address): \(step): \(reason)" }
}

/// One address of a ranked dial: when its attempt starts (from the dial's start) and why then.
public struct DialPlanEntry: Sendable, Hashable, CustomStringConvertible {
    public let address: Multiaddr
    public let delay: Duration
    /// `loopback tcp`, `public quic`: the scope and transport the ranking went by.
    public let reason: String

    public init(address: Multiaddr, delay: Duration, reason: String) {
        self.address = address
        self.delay = delay
        self.reason = reason
    }

    public var description: String {
        let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        return "+\(milliseconds) ms \(address) (\(reason))"
    }
}

/// What the UI shows for a freshly established connection.
public struct ConnectionSummary: Sendable, Hashable {
    public let id: ConnectionID
    public let peer: PeerID
    public let direction: ConnectionDirection
    public let localAddress: Multiaddr?
    public let remoteAddress: Multiaddr?
    public let security: String
    public let muxer: String
    public let earlyMuxerNegotiation: Bool
    /// Transport connect (or accept) to connection ready.
    public let upgradeDuration: Duration
}

/// Why a connection ended, and who ended it.
public enum ConnectionCloseCause: Sendable, Hashable, CustomStringConvertible {
    case closedLocally(reason: String)
    case closedByRemote
    case goAwayReceived(code: UInt32)
    case error(String)

    public var description: String {
        switch self {
        case .closedLocally(let reason): return "closed by us (\(reason))"
        case .closedByRemote: return "closed by the peer"
        case .goAwayReceived(let code): return "peer sent GoAway (code \(code))"
        case .error(let text): return text
        }
    }
}

/// The identify fields the UI and CLI show.
public struct IdentifySummary: Sendable, Hashable {
    public let agentVersion: String?
    public let protocolVersion: String?
    public let protocols: [String]
    public let listenAddresses: [Multiaddr]
    public let observedAddress: Multiaddr?

    public init(agentVersion: String?, protocolVersion: String?, protocols: [String],
                listenAddresses: [Multiaddr], observedAddress: Multiaddr?) {
        self.agentVersion = agentVersion
        self.protocolVersion = protocolVersion
        self.protocols = protocols
        self.listenAddresses = listenAddresses
        self.observedAddress = observedAddress
    }
}

extension UpgradedConnection {
    public var summary: ConnectionSummary {
        ConnectionSummary(
            id: id, peer: remotePeer, direction: direction, localAddress: localAddress,
            remoteAddress: remoteAddress, security: security, muxer: muxer,
            earlyMuxerNegotiation: earlyMuxerNegotiation, upgradeDuration: upgradeDuration)
    }
}
