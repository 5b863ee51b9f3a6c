import Core

/// How raw connections are upgraded: the security protocols and muxers to negotiate, in preference
/// order, and the bounds that keep slow or hostile peers cheap. The upgrader names no implementation;
/// the Host's configuration registers them.
public struct UpgraderConfiguration: Sendable {
    /// Whole-upgrade deadline (security + muxer), per connection, both directions (go: 15 s inbound).
    public var upgradeTimeout: Duration = .seconds(15)
    /// Inbound upgrades in flight at once; beyond this new connections are closed at once.
    public var maxInboundUpgrades = 128
    /// Inbound upgrades in flight from one remote IP address.
    public var maxInboundUpgradesPerIP = 8
    /// Security protocols in preference order.
    public var securityProtocols: [any SecurityProtocol]
    /// With exactly one security protocol, the dialer sends the handshake's first message right behind
    /// the multistream proposal (rust-libp2p `V1Lazy`) instead of waiting for the listener's echo: one
    /// round trip less per connection. The echo is still verified; a refusal fails the upgrade in
    /// security negotiation as before. Ignored with several security protocols.
    public var lazySecurityNegotiation = true
    /// Muxers in preference order, offered early through the security handshake where it can, and
    /// over multistream-select otherwise.
    public var muxers: [any StreamMuxer]

    public init(securityProtocols: [any SecurityProtocol], muxers: [any StreamMuxer]) {
        self.securityProtocols = securityProtocols
        self.muxers = muxers
    }

    /// Whether an outbound upgrade proposes its security protocol lazily.
    var proposesSecurityLazily: Bool { lazySecurityNegotiation && securityProtocols.count == 1 }

    var securityProtocolIDs: [String] { securityProtocols.map(\.protocolID) }
    var muxerIDs: [String] { muxers.map(\.protocolID) }

    func securityProtocol(_ protocolID: String) -> (any SecurityProtocol)? {
        securityProtocols.first { $0.protocolID == protocolID }
    }

    func muxer(_ protocolID: String) -> (any StreamMuxer)? {
        muxers.first { $0.protocolID == protocolID }
    }
}
