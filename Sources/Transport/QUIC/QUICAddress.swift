import Multiformats
import NIOCore

/// `/ip4|ip6/…/udp/N/quic-v1[/p2p/…]` taken apart.
public struct QUICAddress: Sendable, Hashable {
    public let host: String
    public let port: UInt16
    public let isIPv6: Bool

    public init?(_ address: Multiaddr) {
        let components = address.withoutPeerID.components
        guard components.count == 3, case .udp(let port) = components[1], components[2] == .quicV1 else { return nil }
        switch components[0] {
        case .ip4(let ip): (host, isIPv6) = (ip.description, false)
        case .ip6(let ip): (host, isIPv6) = (ip.description, true)
        default: return nil
        }
        self.port = port
    }

    func socketAddress() throws -> SocketAddress { try SocketAddress(ipAddress: host, port: Int(port)) }

    /// `/ip4/<ip>/udp/<port>/quic-v1` for one end of a QUIC connection.
    static func multiaddr(of socket: SocketAddress?) -> Multiaddr? {
        guard let socket, let ip = socket.ipAddress, let port = socket.port else { return nil }
        let first: MultiaddrComponent
        if let v4 = IPv4Address(ip) { first = .ip4(v4) } else if let v6 = IPv6Address(ip) { first = .ip6(v6) } else { return nil }
        return try? Multiaddr(components: [first, .udp(UInt16(clamping: port)), .quicV1])
    }
}
