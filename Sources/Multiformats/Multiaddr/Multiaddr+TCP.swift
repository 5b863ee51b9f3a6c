/// Where a TCP transport should connect or listen.
public struct TCPEndpoint: Hashable, Sendable {
    /// Numeric address text (`127.0.0.1`, `::1`), never a DNS name.
    public let host: String
    public let port: UInt16
    public let isIPv6: Bool
    /// IPv6 zone from a preceding `/ip6zone/`, if any.
    public let zone: String?
}

extension Multiaddr {
    /// The TCP endpoint of `[/ip6zone/<z>]/ip4|ip6/<addr>/tcp/<port>[/p2p/<id>]`; `nil` for any
    /// other shape (DNS names, QUIC, websockets, relays, …).
    public var tcpEndpoint: TCPEndpoint? {
        var rest = withoutPeerID.components[...]
        var zone: String?
        if case .ip6zone(let name) = rest.first {
            zone = name
            rest = rest.dropFirst()
        }
        guard rest.count == 2, case .tcp(let port) = rest.last else { return nil }
        switch rest.first {
        case .ip4(let address) where zone == nil:
            return TCPEndpoint(host: address.description, port: port, isIPv6: false, zone: nil)
        case .ip6(let address):
            return TCPEndpoint(host: address.description, port: port, isIPv6: true, zone: zone)
        default:
            return nil
        }
    }
}

extension Multiaddr {
    /// `/ip4/<host>/tcp/<port>` or `[/ip6zone/<zone>]/ip6/<host>/tcp/<port>` for a numeric host
    /// as sockets report it (`fe80::1%eth0` carries a zone); `nil` if `host` is not an IP address.
    public init?(tcpHost host: String, port: UInt16) {
        var components: [MultiaddrComponent]
        if let address = IPv4Address(host) {
            components = [.ip4(address)]
        } else {
            let parts = host.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = IPv6Address(parts[0]) else { return nil }
            components = [.ip6(address)]
            if parts.count == 2 {
                guard !parts[1].isEmpty, !parts[1].contains("/") else { return nil }
                components.insert(.ip6zone(String(parts[1])), at: 0)
            }
        }
        components.append(.tcp(port))
        // Neither component is a path, so assembling cannot fail.
        guard let address = try? Multiaddr(components: components) else { return nil }
        self = address
    }
}
