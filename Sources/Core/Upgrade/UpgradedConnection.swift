import Identity
import Multiformats

/// A connection after security and muxer negotiation (or born that way, from QUIC): authenticated and
/// ready for streams.
public struct UpgradedConnection: Sendable {
    public let id: ConnectionID
    public let direction: ConnectionDirection
    public let localAddress: Multiaddr?
    public let remoteAddress: Multiaddr?
    public let remotePeer: PeerID
    public let remotePublicKey: PublicKey
    public let security: String
    public let muxer: String
    /// The muxer was agreed inside the security handshake, saving a multistream round trip.
    public let earlyMuxerNegotiation: Bool
    /// Each step with its offset from the transport connect.
    public let steps: [TimedUpgradeStep]
    public let upgradeDuration: Duration
    public let connection: any MuxedConnection

    public init(
        id: ConnectionID, direction: ConnectionDirection, localAddress: Multiaddr?, remoteAddress: Multiaddr?,
        remotePeer: PeerID, remotePublicKey: PublicKey, security: String, muxer: String,
        earlyMuxerNegotiation: Bool, steps: [TimedUpgradeStep], upgradeDuration: Duration,
        connection: any MuxedConnection
    ) {
        self.id = id
        self.direction = direction
        self.localAddress = localAddress
        self.remoteAddress = remoteAddress
        self.remotePeer = remotePeer
        self.remotePublicKey = remotePublicKey
        self.security = security
        self.muxer = muxer
        self.earlyMuxerNegotiation = earlyMuxerNegotiation
        self.steps = steps
        self.upgradeDuration = upgradeDuration
        self.connection = connection
    }
}

public struct TimedUpgradeStep: Sendable, Hashable {
    public let step: UpgradeStep
    public let offset: Duration

    public init(step: UpgradeStep, offset: Duration) {
        self.step = step
        self.offset = offset
    }
}
