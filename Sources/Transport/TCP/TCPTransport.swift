import NIOCore
import NIOPosix

/// Plain TCP sockets for the node: listening sockets whose accepted channels are handed to a
/// child initializer (the upgrader), and outbound connects bounded by a timeout.
///
/// Every accepted connection is initialised on its own event loop by SwiftNIO, so upgrades of
/// different peers never wait for each other: the accept loop only hands the channel over.
public struct TCPTransport: Sendable {
    /// The listen backlog: connections the kernel queues before `accept` (go uses the default 4096 on Linux).
    public let backlog: Int32

    public init(backlog: Int32 = 1024) {
        self.backlog = backlog
    }

    /// Binds a listening socket. Port 0 binds any free port; the returned listener reports the real one.
    public func listen(
        host: String,
        port: Int,
        group: any EventLoopGroup,
        childInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> TCPListener {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.autoRead, value: true)
            .childChannelInitializer(childInitializer)
        let channel = try await bootstrap.bind(host: host, port: port).get()
        guard let local = channel.localAddress else {
            try? await channel.close()
            throw TCPDialError.failed(address: "\(host):\(port)", reason: "listening socket has no local address")
        }
        return TCPListener(channel: channel, localAddress: local)
    }

    /// Connects to `host:port`, running `channelInitializer` on the new channel before it becomes active.
    /// Failures are classified into `TCPDialError`.
    public func dial(
        host: String,
        port: Int,
        timeout: Duration,
        group: any EventLoopGroup,
        channelInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let loop = group.next()
        let target: SocketAddress
        do {
            target = try SocketAddress(ipAddress: host, port: port)
        } catch {
            return loop.makeFailedFuture(
                TCPDialError.unsupportedAddress(address: address, reason: "not a numeric IP address"))
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(Int64(timeout.totalNanoseconds)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer(channelInitializer)
        return bootstrap.connect(to: target).flatMapErrorThrowing { error in
            throw TCPDialError.classify(error, address: address, timeout: timeout)
        }
    }
}

/// A bound listening socket.
public struct TCPListener: Sendable {
    public let channel: any Channel
    public let localAddress: SocketAddress

    public func close() async {
        try? await channel.close()
    }
}
