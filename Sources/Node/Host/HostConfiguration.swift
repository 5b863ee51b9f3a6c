import Core
import Noise
import Resolve
import TCP
import Upgrade
import WebSocket
import QUIC
import Yamux

/// Limits and timeouts of a host. Every bound is named so an event can quote it when it refuses something.
public struct HostConfiguration: Sendable {
    /// Transports in the order they are asked whether they take an address. Adding a transport is one
    /// line here.
    public var transports: [any Transport] = [TCPTransport(), WebSocketTransport(), QUICTransport()]
    /// Security protocols and muxers, in preference order, and the upgrade's bounds.
    public var upgrader = UpgraderConfiguration(securityProtocols: [NoiseSecurity()], muxers: [YamuxMuxer()])
    /// Turns `/dns*` and `/dnsaddr` addresses into dialable ones before a dial (server, timeout, limits).
    public var resolver = MultiaddrResolver()
    /// Transport connect timeout per address (TCP connect).
    public var connectTimeout: Duration = .seconds(5)
    /// Whole dial (transport + upgrade) per address.
    public var dialTimeout: Duration = .seconds(10)
    /// When each address of a multi-address dial is tried (QUIC first, private before public, relays
    /// last); the first attempt that upgrades wins and the rest are cancelled.
    public var dialRanking = DialRanking()
    /// Connections of every direction and peer.
    public var maxConnections = 4096
    public var maxInboundConnections = 2048
    public var maxConnectionsPerPeer = 8
    /// Streams open at once on one connection, above the muxer's own limits.
    public var maxStreamsPerConnection = 512
    /// Streams open at once per protocol on one connection; protocols not listed use the default.
    public var maxStreamsPerProtocol: [String: Int] = ["/ipfs/ping/1.0.0": 2]
    public var defaultMaxStreamsPerProtocol = 256
    /// multistream-select on a new stream (go: 10 s).
    public var streamNegotiationTimeout: Duration = .seconds(10)
    /// How long `shutdown()` waits for streams to finish after GoAway before closing connections.
    public var shutdownGracePeriod: Duration = .seconds(5)
    /// Entries kept by the peerstore (least recently seen peers are forgotten first).
    public var peerstoreCapacity = 10_000

    /// Run identify on every new connection (go and rust do).
    public var identifyOnConnect = true
    /// Serve `/perf/1.0.0` (off by default: it lets peers make us send data; the perf spec says so).
    public var servePerf = false
    /// Serve `/echo/1.0.0`.
    public var serveEcho = false
    public var identifyTimeout: Duration = .seconds(5)
    public var agentVersion = PeerscopeVersion.agentVersion
    public static let protocolVersion = "ipfs/0.1.0"

    public init() {}

    func streamLimit(for protocolID: String) -> Int {
        maxStreamsPerProtocol[protocolID] ?? defaultMaxStreamsPerProtocol
    }
}
