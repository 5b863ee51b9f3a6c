import NIOCore

/// A bidirectional stream of a multiplexed connection, independent of the muxer (yamux today).
public protocol MuxedStream: Sendable {
    /// The next piece of data, or nil once the peer finished its direction.
    func read() async throws -> ByteBuffer?
    /// Sends data, waiting for flow-control credit as needed.
    func write(_ data: ByteBuffer) async throws
    /// Half-closes our direction; reading continues.
    func closeWrite() async throws
    /// Aborts both directions.
    func reset()
}
