import NIOCore

/// What the session reports to its driver after consuming input or running a command. Frames to send are
/// not events: they accumulate in the session's outbound buffer (`MplexSession.takeOutbound()`).
enum MplexEvent: Hashable, Sendable {
    /// The peer opened a stream, with this name.
    case streamOpenedByRemote(MplexStreamID, name: String)
    /// Data for a stream, already counted as buffered; report reading it with `consumed`.
    case data(MplexStreamID, ByteBuffer)
    /// The peer sent Close: no more data will arrive on this stream.
    case remoteFinished(MplexStreamID)
    /// Both sides sent Close. The stream is forgotten.
    case streamClosed(MplexStreamID)
    /// The peer reset the stream. It is forgotten.
    case streamReset(MplexStreamID)
    /// The peer broke a rule or a bound on this stream; we sent a reset. It is forgotten.
    case streamAborted(MplexStreamID, MplexStreamViolation)
    /// We answered the peer's NewStream with a reset.
    case streamRejected(MplexStreamID, MplexStreamRejection)
    /// The peer broke the wire format: the session is closed.
    case protocolError(MplexProtocolError)

    /// The stream an event is about, if any.
    var streamID: MplexStreamID? {
        switch self {
        case .streamOpenedByRemote(let id, _), .data(let id, _), .remoteFinished(let id), .streamClosed(let id),
            .streamReset(let id), .streamAborted(let id, _), .streamRejected(let id, _):
            id
        case .protocolError:
            nil
        }
    }
}
