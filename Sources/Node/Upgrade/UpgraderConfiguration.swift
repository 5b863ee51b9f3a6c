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
    /// Muxers in preference order, offered in Noise extensions and over multistream-select.
    public var muxers = [YamuxProtocolID.multistreamID]
    public var yamux = YamuxConfiguration()

    public init() {}
}

/// The multistream protocol ID of yamux.
public enum YamuxProtocolID {
    public static let multistreamID = "/yamux/1.0.0"
}
