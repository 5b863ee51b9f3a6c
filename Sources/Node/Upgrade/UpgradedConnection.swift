import NIOCore

/// A TCP connection after security and muxer negotiation: authenticated and ready for streams.
public struct UpgradedConnection: Sendable {
    public let id: ConnectionID
    public let direction: ConnectionDirection
    public let localAddress: Multiaddr?
    public let remoteAddress: Multiaddr?
    public let remotePeer: PeerID
    public let remotePublicKey: PublicKey
    public let security: String
    public let muxer: String
    /// The muxer was agreed inside the Noise handshake, saving a multistream round trip.
    public let earlyMuxerNegotiation: Bool
    /// Each step with its offset from the TCP connect.
    public let steps: [TimedUpgradeStep]
    public let upgradeDuration: Duration
    public let channel: any Channel
    public let yamux: YamuxConnection

    public var summary: ConnectionSummary {
        ConnectionSummary(
            id: id, peer: remotePeer, direction: direction, localAddress: localAddress,
            remoteAddress: remoteAddress, security: security, muxer: muxer,
            earlyMuxerNegotiation: earlyMuxerNegotiation, upgradeDuration: upgradeDuration)
    }
}

public struct TimedUpgradeStep: Sendable, Hashable {
    public let step: UpgradeStep
    public let offset: Duration
}
