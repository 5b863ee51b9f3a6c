import Core

/// `/echo/1.0.0`: not a libp2p spec protocol, but the usual test service (py_peer.py registers one).
public enum EchoProtocol {
    public static let id = "/echo/1.0.0"
}

/// Copies every byte back until the peer closes its side, then closes ours.
///
/// Memory is bounded by one chunk as delivered by the muxer: each chunk is written back (waiting for
/// flow-control credit) before the next is read, so a slow reader slows the sender instead of growing
/// a buffer here.
public struct EchoServer: Sendable {
    /// Longest time without a chunk read or written.
    public var idleTimeout: Duration

    public init(idleTimeout: Duration = .seconds(30)) {
        self.idleTimeout = idleTimeout
    }

    /// Echoes until the peer finishes; returns the number of bytes echoed.
    ///
    /// - Throws: ``ProtocolTimeoutError`` (the stream is reset) or the stream's error.
    @discardableResult
    public func serve(_ stream: some MuxedStream) async throws -> UInt64 {
        try await withIdleTimeout(idleTimeout, activity: "echo", onTimeout: { stream.reset() }) { timer in
            var echoed: UInt64 = 0
            while let chunk = try await stream.read() {
                timer.touch()
                try await stream.write(chunk)
                timer.touch()
                echoed += UInt64(chunk.readableBytes)
            }
            try await stream.closeWrite()
            return echoed
        }
    }
}
