/// Why opening a stream failed.
public enum MplexOpenStreamError: Error, Hashable, Sendable, CustomStringConvertible {
    case sessionClosed
    /// `goAway()` was called: no new streams either way.
    case goingAway
    /// `MplexConfiguration.maxOutboundStreams` streams opened by us are open.
    case tooManyStreams(limit: Int)
    /// Every number up to `MplexStreamID.maxNumber` was used.
    case streamNumbersExhausted

    public var description: String {
        switch self {
        case .sessionClosed: "mplex session closed"
        case .goingAway: "mplex session takes no new streams"
        case .tooManyStreams(let limit): "mplex stream limit reached (\(limit) outbound streams)"
        case .streamNumbersExhausted: "mplex stream numbers exhausted"
        }
    }
}

/// Why a command on one stream was refused.
public enum MplexStreamError: Error, Hashable, Sendable, CustomStringConvertible {
    case resetByRemote
    case resetLocally
    /// The peer broke the protocol or a bound on this stream; we reset it.
    case aborted(MplexStreamViolation)
    /// We already sent Close: no more writes.
    case writeClosed
    case sessionClosed(MplexSessionCloseReason)
    /// The session does not know this stream (ended and forgotten).
    case unknownStream(MplexStreamID)
    /// Another read (or write) on this stream is already waiting; one reader and one writer at a time.
    case concurrentOperation

    public var description: String {
        switch self {
        case .resetByRemote: "stream reset by the peer"
        case .resetLocally: "stream reset locally"
        case .aborted(let violation): "stream aborted: \(violation)"
        case .writeClosed: "stream write side already closed"
        case .sessionClosed(let reason): "session closed: \(reason)"
        case .unknownStream(let id): "unknown stream \(id)"
        case .concurrentOperation: "another read or write is already pending on this stream"
        }
    }
}
