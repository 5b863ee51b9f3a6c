import Core
import NIOCore

/// One mplex stream, for the application. `Sendable`; all state lives on the connection's event loop.
///
/// One reader and one writer may use a stream at a time (a second concurrent `read` or `write` fails with
/// `concurrentOperation`). Dropping the last reference to a stream that is still open resets it.
public final class MplexStream: MuxerStream {
    public let id: MplexStreamID
    public let connection: MplexConnection

    init(id: MplexStreamID, connection: MplexConnection) {
        self.id = id
        self.connection = connection
    }

    deinit {
        let id = self.id
        connection.handler.run { $0.release(id) }
    }

    /// `MplexStreamID.connectionUniqueValue`: the stream number and who opened it, unique per connection
    /// (both sides number their streams from 0).
    public var streamID: UInt64 { id.connectionUniqueValue }
    public var owningEventLoop: (any EventLoop)? { connection.eventLoop }

    private var detached: MplexStreamError { .sessionClosed(.connectionLost) }

    /// The next piece of data, or nil once the peer sent Close and everything was read. Throws
    /// `MplexStreamError` after a reset (unread data is dropped) or when the session ends (data that
    /// arrived before is still returned first). Read steadily: mplex cannot slow the peer down, so a stream
    /// whose unread data passes `maxStreamReceiveBuffer` is reset.
    public func read() async throws -> ByteBuffer? {
        try await connection.handler.read(id, ifDetached: detached)
    }

    /// Sends `data`, returning once it is handed to the connection. Waits while the connection is not
    /// writable. A cancelled write sent nothing.
    public func write(_ data: ByteBuffer) async throws {
        try await connection.handler.write(id, data, ifDetached: detached)
    }

    /// Sends Close after any write in progress: no more data from us; reading continues.
    public func closeWrite() async throws {
        try await connection.handler.closeWrite(id, ifDetached: detached)
    }

    /// Aborts both directions (Reset). Parked reads and writes fail with `resetLocally`.
    public func reset() {
        let id = self.id
        connection.handler.run { $0.reset(id) }
    }

    /// State, buffer and counters; after the stream ended, its final view (nil once that is forgotten).
    public func info() async -> MplexStreamInfo? {
        let id = self.id
        return await connection.handler.query { $0.info(id) }
    }
}
