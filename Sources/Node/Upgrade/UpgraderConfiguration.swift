/// How raw connections are upgraded, and the bounds that keep slow or hostile peers cheap.
public struct UpgraderConfiguration: Sendable {
    /// Whole-upgrade deadline (security + muxer), per connection, both directions (go: 15 s inbound).
    public var upgradeTimeout: Duration = .seconds(15)
    /// Inbound upgrades in flight at once; beyond this new connections are closed at once.
    public var maxInboundUpgrades = 128
    /// Inbound upgrades in flight from one remote IP address.
    public var maxInboundUpgradesPerIP = 8
    /// Security protocols in preference order (only Noise today).
    public var securityProtocols = [NoiseProtocol.multistreamID]
    /// With exactly one security protocol, the dialer sends Noise message 1 right behind the
    /// multistream proposal (rust-libp2p `V1Lazy`) instead of waiting for the listener's echo: one
    /// round trip less per connection. The echo is still verified; a refusal fails the upgrade in
    /// security negotiation as before. Ignored with several security protocols.
    public var lazySecurityNegotiation = true
    /// Muxers in preference order, offered in Noise extensions and over multistream-select.
    public var muxers = [YamuxProtocolID.multistreamID]
    public var yamux = YamuxConfiguration()

    public init() {}

    /// Whether an outbound upgrade proposes its security protocol lazily.
    var proposesSecurityLazily: Bool { lazySecurityNegotiation && securityProtocols.count == 1 }
}

/// The multistream protocol ID of yamux.
public enum YamuxProtocolID {
    public static let multistreamID = "/yamux/1.0.0"
}
