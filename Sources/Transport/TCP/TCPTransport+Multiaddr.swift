import Core
import Multiformats
import NIOCore

extension TCPTransport: Transport {
    public var name: String { "tcp" }
    public var addressPattern: String { "/ip4|ip6/…/tcp/N" }

    /// `/ip4|ip6/…/tcp/N[/p2p/…]`, nothing on top (no `/ws`).
    public func canDial(_ address: Multiaddr) -> Bool { address.tcpEndpoint != nil }
    public func canListen(_ address: Multiaddr) -> Bool { address.tcpEndpoint != nil }

    public func multiaddr(of socketAddress: SocketAddress) -> Multiaddr? { socketAddress.multiaddr }

    /// Listens on `/ip4/…/tcp/N` or `/ip6/…/tcp/N`; port 0 picks a free port (see `TCPListener.address`).
    public func listen(
        _ address: Multiaddr, environment: TransportEnvironment,
        accept: @escaping @Sendable (TransportConnection) -> Void
    ) async throws -> any TransportListener {
        guard let endpoint = address.tcpEndpoint else {
            throw TCPDialError.unsupportedAddress(
                address: address.description, reason: "only /ip4/…/tcp/N and /ip6/…/tcp/N can be listened on")
        }
        return try await listen(host: endpoint.socketHost, port: Int(endpoint.port), group: environment.group) { channel in
            accept(.raw(channel, transport: self))
            return channel.eventLoop.makeSucceededVoidFuture()
        }
    }

    /// Dials the TCP part of `address` (any trailing `/p2p/…` is for the security layer to check).
    public func dial(
        _ address: Multiaddr, request: TransportDialRequest, environment: TransportEnvironment,
        prepare: @escaping @Sendable (TransportConnection) -> Void
    ) -> EventLoopFuture<TransportConnection> {
        guard let endpoint = address.tcpEndpoint else {
            return environment.group.next().makeFailedFuture(
                TCPDialError.unsupportedAddress(
                    address: address.description, reason: "only /ip4/…/tcp/N and /ip6/…/tcp/N are TCP addresses"))
        }
        return dial(host: endpoint.socketHost, port: Int(endpoint.port), timeout: environment.connectTimeout,
                    group: environment.group) { channel in
            prepare(.raw(channel, transport: self))
            return channel.eventLoop.makeSucceededVoidFuture()
        }.map { .raw($0, transport: self) }
    }
}

extension TCPListener: TransportListener {
    /// The address actually bound, e.g. `/ip4/127.0.0.1/tcp/40123`.
    public var address: Multiaddr? { localAddress.multiaddr }
}

extension TCPEndpoint {
    /// The host as the socket layer wants it (`fe80::1%eth0` when a zone is present).
    public var socketHost: String {
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
