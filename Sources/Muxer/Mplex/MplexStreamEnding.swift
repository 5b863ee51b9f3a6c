/// A stream-scoped fault of the peer: we reset that stream, the session lives on.
public enum MplexStreamViolation: Hashable, Sendable, CustomStringConvertible {
    /// A message after the peer's own Close ("writing to a stream after it has been closed is a protocol
    /// violation", mplex spec).
    case dataAfterClose(length: Int)
    /// The stream's unread data would exceed `MplexConfiguration.maxStreamReceiveBuffer`: mplex has no
    /// flow control, so a peer that outruns our reader loses the stream instead of growing our memory.
    case receiveBufferOverrun(bytes: Int, limit: Int)
    /// The unread data of all streams would exceed `MplexConfiguration.maxConnectionReceiveBuffer`; the
    /// stream whose frame would cross the bound is the one reset.
    case connectionReceiveBufferFull(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .dataAfterClose(let length):
            "\(length) bytes of data after the peer's Close"
        case .receiveBufferOverrun(let bytes, let limit):
            "receive buffer overrun (\(bytes) bytes > limit \(limit))"
        case .connectionReceiveBufferFull(let bytes, let limit):
            "connection receive buffer full (\(bytes) bytes > limit \(limit))"
        }
    }
}

/// Why we answered a peer's NewStream with a reset.
public enum MplexStreamRejection: Hashable, Sendable, CustomStringConvertible {
    /// `MplexConfiguration.maxInboundStreams` peer-opened streams are open.
    case maxInboundStreams(limit: Int)
    /// We stopped taking new streams (`goAway`; mplex cannot tell the peer).
    case goingAway
    /// The peer reused the number of a stream the application still holds.
    case streamIDInUse

    public var description: String {
        switch self {
        case .maxInboundStreams(let limit): "stream limit reached (\(limit) inbound streams)"
        case .goingAway: "no new streams (going away)"
        case .streamIDInUse: "stream number still in use"
        }
    }
}

/// How a stream ended.
public enum MplexStreamCloseCause: Hashable, Sendable, CustomStringConvertible {
    /// Both sides sent Close.
    case finished
    case resetByRemote
    case resetLocally
    /// The peer broke the protocol or a bound on this stream; we reset it.
    case aborted(MplexStreamViolation)
    /// The session ended while the stream was open.
    case sessionClosed(MplexSessionCloseReason)

    public var description: String {
        switch self {
        case .finished: "finished"
        case .resetByRemote: "reset by peer"
        case .resetLocally: "reset locally"
        case .aborted(let violation): "aborted: \(violation)"
        case .sessionClosed(let reason): "session closed: \(reason)"
        }
    }

    /// Whether the stream was aborted rather than finished.
    public var isReset: Bool { self != .finished }
}

/// Why a session ended.
public enum MplexSessionCloseReason: Hashable, Sendable, CustomStringConvertible {
    /// We closed it, or we stopped new streams and the last one finished.
    case localClose
    case protocolError(MplexProtocolError)
    /// Frames we must send piled up past `MplexConfiguration.maxQueuedOutboundBytes` while the connection
    /// could not take them: the peer sends (and makes us answer) faster than it reads.
    case outboundBacklogExceeded(bytes: Int, limit: Int)
    /// The underlying connection went away.
    case connectionLost
    /// The channel below reported an error (description kept for the event log).
    case transportError(String)

    public var description: String {
        switch self {
        case .localClose: "closed locally"
        case .protocolError(let error): "protocol error: \(error)"
        case .outboundBacklogExceeded(let bytes, let limit):
            "peer not reading: \(bytes) bytes queued for it > limit \(limit)"
        case .connectionLost: "connection lost"
        case .transportError(let description): "transport error: \(description)"
        }
    }

    /// Whether the session ended through a fault rather than a close.
    public var isError: Bool {
        switch self {
        case .localClose, .connectionLost: false
        case .protocolError, .outboundBacklogExceeded, .transportError: true
        }
    }
}
