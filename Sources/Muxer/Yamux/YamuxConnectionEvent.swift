import Core

/// What a yamux connection reports to the host (to be forwarded to the node's event stream). Delivered on the
/// channel's event loop, in order.
public enum YamuxConnectionEvent: Hashable, Sendable {
    /// A stream was opened, by us or by the peer.
    case streamOpened(YamuxStreamID, MuxedStreamOrigin)
    /// A stream ended (both FINs, a reset from either side, or the session ending).
    case streamClosed(YamuxStreamID, YamuxStreamCloseCause)
    /// We answered a peer's SYN with RST, because of this limit.
    case streamRejected(YamuxStreamID, YamuxStreamRejection)
    /// A write is waiting for the peer to grant window on this stream.
    case sendWindowExhausted(YamuxStreamID)
    /// A yamux ping came back.
    case pingRTT(Duration)
    case goAwaySent(YamuxGoAwayCode)
    case goAwayReceived(YamuxGoAwayCode)
    /// The session ended; no further events follow.
    case closed(YamuxSessionCloseReason)
}

/// How a stream ended.
public enum YamuxStreamCloseCause: Hashable, Sendable, CustomStringConvertible {
    /// Both sides sent FIN.
    case finished
    case resetByRemote(code: UInt32)
    case resetLocally(code: UInt32)
    /// The peer broke the protocol on this stream; we reset it.
    case aborted(YamuxStreamViolation)
    /// The whole session ended while the stream was open.
    case sessionClosed(YamuxSessionCloseReason)

    public var description: String {
        switch self {
        case .finished: "finished"
        case .resetByRemote(let code): "reset by peer (code \(code))"
        case .resetLocally(let code): "reset locally (code \(code))"
        case .aborted(let violation): "aborted: \(violation)"
        case .sessionClosed(let reason): "session closed: \(reason)"
        }
    }
}
