import Multiformats

/// When each address of a multi-address dial is tried, after go-libp2p's dial ranking: QUIC first, TCP
/// and WebSocket a little later (a QUIC handshake that works wins before a second connection is made),
/// loopback and private addresses before public ones, relayed addresses last. Attempts on the same kind
/// of public address are staggered so a peer with many addresses is not dialed all at once.
public struct DialRanking: Sendable, Hashable {
    /// TCP/WS after QUIC on a private network (a LAN round trip is short).
    public var privateTCPDelay: Duration = .milliseconds(30)
    /// TCP/WS after QUIC on the public internet.
    public var publicTCPDelay: Duration = .milliseconds(250)
    /// Between successive public addresses of the same transport.
    public var publicStagger: Duration = .milliseconds(250)
    /// Relayed addresses wait this long when the peer has direct ones too.
    public var relayDelay: Duration = .milliseconds(500)

    public init() {}

    /// Where an address leads, in the order they are preferred.
    public enum Scope: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        case loopback, privateNetwork, publicInternet, relay

        public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .loopback: return "loopback"
            case .privateNetwork: return "private"
            case .publicInternet: return "public"
            case .relay: return "relay"
            }
        }
    }

    /// The transport an address asks for, in the order they are preferred.
    public enum TransportClass: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        case quic, tcp, webSocket, other

        public static func < (lhs: TransportClass, rhs: TransportClass) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .quic: return "quic"
            case .tcp: return "tcp"
            case .webSocket: return "ws"
            case .other: return "other"
            }
        }
    }

    /// One address with when its attempt starts, counted from the start of the dial.
    public struct Planned: Sendable, Hashable {
        public let address: Multiaddr
        public let delay: Duration
        public let scope: Scope
        public let transport: TransportClass
    }

    /// The addresses in the order their attempts start, each with its delay.
    public func plan(_ addresses: [Multiaddr]) -> [Planned] {
        let classified = addresses.enumerated().map { index, address in
            (index: index, address: address, scope: Self.scope(of: address), transport: Self.transportClass(of: address))
        }
        let hasDirect = classified.contains { $0.scope != .relay }
        var seenPerKind: [String: Int] = [:]
        var planned: [(Planned, Int)] = []
        for item in classified.sorted(by: { ($0.scope, $0.transport, $0.index) < ($1.scope, $1.transport, $1.index) }) {
            let hasQUIC = classified.contains { $0.scope == item.scope && $0.transport == .quic }
            var delay: Duration = .zero
            switch item.scope {
            case .loopback:
                break
            case .privateNetwork:
                if item.transport != .quic && hasQUIC { delay = privateTCPDelay }
            case .publicInternet:
                if item.transport != .quic && hasQUIC { delay = publicTCPDelay }
                let kind = "\(item.scope)/\(item.transport)"
                delay += publicStagger * (seenPerKind[kind] ?? 0)
                seenPerKind[kind, default: 0] += 1
            case .relay:
                if hasDirect { delay = relayDelay }
            }
            planned.append((Planned(address: item.address, delay: delay, scope: item.scope, transport: item.transport), item.index))
        }
        return planned.sorted { ($0.0.delay, $0.0.scope, $0.0.transport, $0.1) < ($1.0.delay, $1.0.scope, $1.0.transport, $1.1) }.map(\.0)
    }

    static func scope(of address: Multiaddr) -> Scope {
        if address.components.contains(.p2pCircuit) { return .relay }
        for component in address.components {
            switch component {
            case .ip4(let ip):
                if ip.isLoopback { return .loopback }
                return Self.isPrivate(ip) ? .privateNetwork : .publicInternet
            case .ip6(let ip):
                if ip.isLoopback { return .loopback }
                if let mapped = ip.ipv4Mapped { return mapped.isLoopback ? .loopback : Self.isPrivate(mapped) ? .privateNetwork : .publicInternet }
                // fc00::/7 unique local, fe80::/10 link-local.
                let top = ip.high >> 48
                if top & 0xfe00 == 0xfc00 || top & 0xffc0 == 0xfe80 { return .privateNetwork }
                return .publicInternet
            case .ip6zone:
                return .privateNetwork
            default:
                continue
            }
        }
        return .publicInternet
    }

    /// RFC 1918, shared address space (CGNAT, RFC 6598) and link-local.
    static func isPrivate(_ ip: IPv4Address) -> Bool {
        let value = ip.value
        return value >> 24 == 10 || value >> 20 == 0xac1 || value >> 16 == 0xc0a8
            || value >> 22 == (100 << 2 | 1) || value >> 16 == 0xa9fe
    }

    static func transportClass(of address: Multiaddr) -> TransportClass {
        let components = address.components
        if components.contains(.quicV1) || components.contains(.quic) { return .quic }
        if components.contains(.ws) || components.contains(.wss) { return .webSocket }
        if components.contains(where: { if case .tcp = $0 { true } else { false } }) { return .tcp }
        return .other
    }
}
