import NIOCore
import Identity

/// A secure connection that carries many streams, as the Host, the protocols and the snapshots use it,
/// whatever the muxer. Every method may be called from any task; implementations hop to their event loop.
public protocol MuxedConnection: AnyObject, Sendable {
    /// The loop that owns the connection's state (snapshots read it there).
    var eventLoop: any EventLoop { get }
    /// Completes once the connection is gone, for whatever reason.
    var closeFuture: EventLoopFuture<Void> { get }

    /// Opens a stream; throws when the session is closing or a muxer limit refuses it.
    func openStream() async throws -> any MuxerStream
    /// The next stream the peer opened, or nil once no more will arrive (GoAway, closed).
    func acceptStream() async throws -> (any MuxerStream)?

    /// Stops new streams both ways (GoAway where the muxer has it); the connection closes once open
    /// streams finish.
    func goAway()
    /// Says goodbye where the muxer can (GoAway) and closes now; returns once closed.
    func close() async
    /// Closes the underlying connection at once, without a goodbye (refused by a limit).
    func abort()

    /// The muxer's streams and counters, for a caller already on `eventLoop`; nil once the muxer left.
    func snapshotOnEventLoop() -> MuxedSessionSnapshot?
}

extension MuxedConnection {
    /// The peer's streams in arrival order, until the connection stops accepting.
    public var inboundStreams: MuxedInboundStreams { MuxedInboundStreams(connection: self) }

    /// `snapshotOnEventLoop()` from anywhere.
    public func snapshot() async -> MuxedSessionSnapshot? {
        try? await eventLoop.submit { self.snapshotOnEventLoop() }.get()
    }
}

/// The peer's streams of one connection as an async sequence; ends when the connection stops
/// accepting or fails.
public struct MuxedInboundStreams: AsyncSequence, Sendable {
    public typealias Element = any MuxerStream
    let connection: any MuxedConnection

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(connection: connection) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let connection: any MuxedConnection

        public mutating func next() async -> (any MuxerStream)? {
            (try? await connection.acceptStream()) ?? nil
        }
    }
}
