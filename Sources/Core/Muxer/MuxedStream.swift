import NIOCore

/// A bidirectional stream of a multiplexed connection, whatever the muxer (yamux, mplex, QUIC).
public protocol MuxedStream: Sendable {
    /// The next piece of data, or nil once the peer finished its direction.
    func read() async throws -> ByteBuffer?
    /// Sends data, waiting for flow-control credit as needed.
    func write(_ data: ByteBuffer) async throws
    /// Half-closes our direction; reading continues.
    func closeWrite() async throws
    /// Aborts both directions.
    func reset()
    /// The event loop the stream's state lives on, when it has one: deadlines on the stream are then
    /// timers there, and latency-bound protocols run their task on it.
    var owningEventLoop: (any EventLoop)? { get }
}

extension MuxedStream {
    public var owningEventLoop: (any EventLoop)? { nil }
}

/// A stream as its muxed connection hands it out: the stream and its muxer-wide number.
public protocol MuxerStream: MuxedStream {
    /// The muxer's stream ID (yamux and QUIC stream IDs, mplex's stream number), unique per connection.
    var streamID: UInt64 { get }
}
