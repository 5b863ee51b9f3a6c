import NIOCore

/// What the session reports to its driver after consuming input or running a command. Frames to send are
/// not events: they accumulate in the session's outbound buffer (see `YamuxSession.takeOutbound()`).
enum YamuxEvent: Hashable, Sendable {
    /// The peer opened a stream; it waits for `acceptStream` (which sends our ACK).
    case streamOpenedByRemote(YamuxStreamID)
    /// The peer ACKed a stream we opened.
    case streamAcknowledged(YamuxStreamID)
    /// Payload for a stream. Already counted against its receive window; report reading it with `consumed`.
    case data(YamuxStreamID, ByteBuffer)
    /// The peer sent FIN: no more data will arrive on this stream.
    case remoteFinished(YamuxStreamID)
    /// The peer reset the stream (opaque code from the RST frame's length). The ID is forgotten.
    case streamReset(YamuxStreamID, code: UInt32)
    /// The peer broke the protocol on this stream; we sent RST. The ID is forgotten.
    case streamAborted(YamuxStreamID, YamuxStreamViolation)
    /// Both sides sent FIN. The ID is forgotten.
    case streamClosed(YamuxStreamID)
    /// A write that stopped at a zero send window can continue.
    case sendWindowOpened(YamuxStreamID)
    /// We answered the peer's SYN with RST.
    case streamRejected(YamuxStreamID, YamuxStreamRejection)
    /// Our ping came back.
    case pingRTT(Duration)
    /// The peer sent Go Away: no new streams; existing ones may finish.
    case goAwayReceived(YamuxGoAwayCode)
    /// The peer broke the protocol: Go Away (protocol error) is queued and the session is closed.
    case protocolError(YamuxError)
    /// Nothing arrived within `pingTimeout` of a ping: the session is closed.
    case keepAliveTimedOut
}

extension YamuxEvent {
    /// The stream an event is about, if any.
    var streamID: YamuxStreamID? {
        switch self {
        case .streamOpenedByRemote(let id), .streamAcknowledged(let id), .data(let id, _), .remoteFinished(let id),
            .streamReset(let id, _), .streamAborted(let id, _), .streamClosed(let id), .sendWindowOpened(let id),
            .streamRejected(let id, _):
            id
        case .pingRTT, .goAwayReceived, .protocolError, .keepAliveTimedOut:
            nil
        }
    }
}
