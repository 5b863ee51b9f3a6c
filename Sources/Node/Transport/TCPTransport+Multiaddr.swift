import NIOCore

extension TCPTransport {
    /// Whether this transport can dial or listen on `address` (`/ip4|ip6/…/tcp/N[/p2p/…]`).
    public func canHandle(_ address: Multiaddr) -> Bool {
        address.tcpEndpoint != nil
    }

    /// Listens on `/ip4/…/tcp/N` or `/ip6/…/tcp/N`; port 0 picks a free port (see `TCPListener.multiaddr`).
    public func listen(
        _ address: Multiaddr,
        childInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> TCPListener {
        guard let endpoint = address.tcpEndpoint else {
            throw TCPDialError.unsupportedAddress(
                address: address.description, reason: "only /ip4/…/tcp/N and /ip6/…/tcp/N can be listened on")
        }
        return try await listen(host: endpoint.socketHost, port: Int(endpoint.port), childInitializer: childInitializer)
    }

    /// Dials the TCP part of `address` (any trailing `/p2p/…` is for the security layer to check).
    public func dial(
        _ address: Multiaddr,
        timeout: Duration,
        channelInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        guard let endpoint = address.tcpEndpoint else {
            return group.next().makeFailedFuture(
                TCPDialError.unsupportedAddress(
                    address: address.description,
                    reason: "only /ip4/…/tcp/N and /ip6/…/tcp/N are supported (no DNS, QUIC or websockets yet)"))
        }
        return dial(host: endpoint.socketHost, port: Int(endpoint.port), timeout: timeout,
                    channelInitializer: channelInitializer)
    }
}

extension TCPListener {
    /// The address actually bound, e.g. `/ip4/127.0.0.1/tcp/40123`.
    public var multiaddr: Multiaddr? { localAddress.multiaddr }
}

extension TCPEndpoint {
    /// The host as the socket layer wants it (`fe80::1%eth0` when a zone is present).
    var socketHost: String {
        if let zone { return "\(host)%\(zone)" }
        return host
    }
}

extension SocketAddress {
    /// `/ip4/<ip>/tcp/<port>` or `/ip6/<ip>/tcp/<port>` for an IP socket address; nil for Unix sockets.
    public var multiaddr: Multiaddr? {
        guard let ip = ipAddress, let port else { return nil }
        return Multiaddr(tcpHost: ip, port: UInt16(clamping: port))
    }
}
