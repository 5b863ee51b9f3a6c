import NIOCore
import Core

/// One yamux stream, for the application. `Sendable`; all state lives on the connection's event loop.
///
/// One reader and one writer may use a stream concurrently (a second concurrent `read` or `write` fails with
/// `concurrentOperation`). Dropping the last reference to a stream that is still open resets it.
public final class YamuxStream: Sendable {
    public let id: YamuxStreamID
    public let origin: MuxedStreamOrigin
    public let connection: YamuxConnection

    init(id: YamuxStreamID, origin: MuxedStreamOrigin, connection: YamuxConnection) {
        self.id = id
        self.origin = origin
        self.connection = connection
    }

    deinit {
        let id = self.id
        connection.run { $0.release(id) }
    }

    private var detached: YamuxStreamError { .sessionClosed(.connectionLost) }

    /// The next piece of data, or nil once the peer has finished (FIN) and everything was read. Waits while
    /// nothing is buffered; reading is what grants the peer more window. Throws `YamuxStreamError` after a
    /// reset or when the session ends (data that arrived before the session ended is still returned first).
    public func read() async throws -> ByteBuffer? {
        try await connection.handler.read(id, ifDetached: detached)
    }

    /// Sends `data`, returning once all of it is queued in the session. Suspends while the peer's window is
    /// exhausted or the connection is not writable, so at most one window of data per stream is in flight.
    /// A cancelled write may have sent a prefix of `data`.
    public func write(_ data: ByteBuffer) async throws {
        try await connection.handler.write(id, data, ifDetached: detached)
    }

    /// Sends FIN after any write in progress: no more data from us; reading continues.
    public func closeWrite() async throws {
        try await connection.handler.closeWrite(id, ifDetached: detached)
    }

    /// Aborts both directions (RST with `code` in the length, as go-libp2p does). Pending reads and writes
    /// fail with `resetLocally`.
    public func reset(code: UInt32) {
        let id = self.id
        connection.run { $0.reset(id, code: code) }
    }

    public func reset() { reset(code: 0) }

    /// State, windows and counters; after the stream ended, its final view (nil once that is forgotten).
    public func info() async -> YamuxStreamInfo? {
        await connection.streamInfo(id)
    }
}

/// Peer-opened streams, in arrival order; see `YamuxConnection.inboundStreams`.
public struct YamuxInboundStreams: AsyncSequence, Sendable {
    public typealias Element = YamuxStream
    let connection: YamuxConnection

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(connection: connection) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let connection: YamuxConnection

        /// The next stream, or nil once the session no longer accepts streams (or the task was cancelled).
        public mutating func next() async -> YamuxStream? {
            (try? await connection.accept()) ?? nil
        }
    }
}
