import Node

/// The node configuration both benchmark processes use: the defaults, with the limits that protect a
/// node from many peers raised, because here a single peer on 127.0.0.1 plays thousands of them.
enum BenchNode {
    /// A protocol whose handler holds the stream open until the dialer finishes its side (figure 7).
    static let holdProtocol = "/peerscope-bench/hold/1.0.0"
    static let loopback = "/ip4/127.0.0.1/tcp/0"

    /// `security`: the one security protocol offered (a name from UpgradeRegistry), so both processes
    /// negotiate it without a second proposal.
    static func configuration(security: String = "noise") throws -> HostConfiguration {
        var configuration = HostConfiguration()
        configuration.upgrader.securityProtocols = try UpgradeRegistry.securityProtocols(named: [security])
        configuration.maxConnections = 30_000
        configuration.maxInboundConnections = 30_000
        // Figures 4 and 6 open thousands of connections between the same two peers.
        configuration.maxConnectionsPerPeer = 30_000
        configuration.maxStreamsPerConnection = 20_000
        configuration.defaultMaxStreamsPerProtocol = 20_000
        // Every dialer shares the source address 127.0.0.1; the per-IP bound would cap figure 4 at 8
        // upgrades in flight, which measures the limit rather than the node.
        configuration.upgrader.maxInboundUpgradesPerIP = configuration.upgrader.maxInboundUpgrades
        var yamux = YamuxConfiguration()
        yamux.maxInboundStreams = 20_000
        yamux.maxOutboundStreams = 20_000
        configuration.upgrader.muxers = [YamuxMuxer(configuration: yamux)]
        configuration.shutdownGracePeriod = .milliseconds(500)
        return configuration
    }

    static func makeHost(security: String = "noise") throws -> Node.Host {
        Host(identity: try PrivateKey.generate(.ed25519), configuration: try configuration(security: security))
    }
}
