import Multiformats
import NIOCore
import TCP

/// A WebSocket multiaddr taken apart: `<ip>/tcp/N/ws`, or secure as `<ip>/tcp/N/wss`, `<ip>/tcp/N/tls/ws`
/// or `<ip>/tcp/N/tls/sni/NAME/ws` (what a `/dns*` name under TLS resolves to: the certificate is checked
/// against NAME, not the IP).
public struct WebSocketAddress: Sendable, Hashable {
    public let endpoint: TCPEndpoint
    /// The `/ip4|ip6/…/tcp/N` part.
    public let tcpAddress: Multiaddr
    public let secure: Bool
    /// The name the server's certificate must carry (`/sni/NAME`).
    public let serverName: String?

    public init?(_ address: Multiaddr) {
        let components = address.withoutPeerID.components
        guard let tcpIndex = components.firstIndex(where: { if case .tcp = $0 { true } else { false } }),
              let tcpAddress = try? Multiaddr(components: Array(components[...tcpIndex])),
              let endpoint = tcpAddress.tcpEndpoint
        else { return nil }
        switch Array(components[(tcpIndex + 1)...]) {
        case [.ws]:
            (secure, serverName) = (false, nil)
        case [.wss], [.tls, .ws]:
            (secure, serverName) = (true, nil)
        case let rest where rest.count == 3:
            guard rest[0] == .tls, case .sni(let name) = rest[1], rest[2] == .ws else { return nil }
            (secure, serverName) = (true, name)
        default:
            return nil
        }
        self.endpoint = endpoint
        self.tcpAddress = tcpAddress
    }

    /// `Host:` of the upgrade request: the certificate's name when there is one, else the IP (and the
    /// port, as browsers send it).
    var hostHeader: String {
        let host = serverName ?? (endpoint.isIPv6 ? "[\(endpoint.host)]" : endpoint.host)
        return "\(host):\(endpoint.port)"
    }

    /// The multiaddr of one end of a WebSocket connection over `socket`.
    static func multiaddr(of socket: SocketAddress?, secure: Bool, serverName: String? = nil) -> Multiaddr? {
        guard let base = socket?.multiaddr else { return nil }
        var suffix: [MultiaddrComponent] = [.ws]
        if secure { suffix = serverName.map { [.tls, .sni($0), .ws] } ?? [.tls, .ws] }
        return try? Multiaddr(components: base.components + suffix)
    }
}
