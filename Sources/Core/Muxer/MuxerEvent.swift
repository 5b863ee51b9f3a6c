/// What a muxed connection reports to the host, whatever the muxer. Delivered on the connection's
/// event loop, in order.
public enum MuxerEvent: Hashable, Sendable {
    case streamOpened(streamID: UInt64, MuxedStreamOrigin)
    /// A stream ended: both sides finished (`reset` false) or either side aborted it.
    case streamClosed(streamID: UInt64, cause: String, reset: Bool)
    /// We refused a stream the peer opened, because of this limit.
    case streamRejected(streamID: UInt64, MuxerStreamRejection)
    /// A writer waits because the peer granted no flow-control credit on this stream.
    case windowStalled(streamID: UInt64)
    /// The muxer's own ping came back.
    case pingRTT(Duration)
    case goAwaySent(code: UInt32)
    case goAwayReceived(code: UInt32)
    /// The session ended; no events follow. `error` is set when it ended through a fault (protocol
    /// error, keepalive timeout, transport error) rather than a close or goodbye.
    case closed(reason: String, error: Bool)
}

/// A limit that refused a peer's stream: its name as a log shows it, its value, and any detail.
public struct MuxerStreamRejection: Hashable, Sendable, CustomStringConvertible {
    public let limit: String
    /// The bound that was reached; nil when a state refused the stream (going away), not a count.
    public let value: Int?
    public let detail: String?

    public init(limit: String, value: Int?, detail: String? = nil) {
        self.limit = limit
        self.value = value
        self.detail = detail
    }

    public var description: String {
        let bound = value.map { "\(limit) (\($0))" } ?? limit
        return detail.map { "\(bound): \($0)" } ?? bound
    }
}
