import NIOCore

/// Who opened a stream.
public enum MuxedStreamOrigin: Hashable, Sendable {
    case local
    case remote
}

/// The state of a stream as shown to users. Half-close states take precedence over the opening
/// handshake: a stream whose opening is unacknowledged and on which we already sent FIN is `localClosed`.
/// Muxers without an acknowledged open (mplex) never report the two opening states.
public enum MuxedStreamState: Hashable, Sendable, CustomStringConvertible {
    /// We opened it; the peer has not acknowledged yet (yamux SYN without ACK).
    case synSent
    /// The peer opened it; we have not acknowledged (the application has not accepted it yet).
    case synReceived
    /// Both directions open.
    case open
    /// We sent FIN; the peer may still send.
    case localClosed
    /// The peer sent FIN; we may still send.
    case remoteClosed
    /// Both sides finished.
    case closed
    /// Reset by either side.
    case reset

    public var description: String {
        switch self {
        case .synSent: "syn-sent"
        case .synReceived: "syn-received"
        case .open: "open"
        case .localClosed: "half-closed(local)"
        case .remoteClosed: "half-closed(remote)"
        case .closed: "closed"
        case .reset: "reset"
        }
    }
}

/// One stream at one moment. Every muxer has the state, counters and age; flow-control windows and the
/// receive buffer are optional because not every muxer has them (mplex has no windows).
public struct MuxedStreamInfo: Hashable, Sendable {
    public var id: UInt64
    public var origin: MuxedStreamOrigin
    public var state: MuxedStreamState
    /// Bytes we may still send before the peer grants more.
    public var sendWindow: UInt32?
    /// Bytes the peer may still send before we grant more.
    public var receiveWindow: UInt32?
    /// Received bytes the application has not read yet.
    public var bufferedBytes: UInt32?
    /// Payload bytes received / sent (muxer headers excluded).
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var framesIn: UInt64
    public var framesOut: UInt64
    public var openedAt: NIODeadline

    public init(
        id: UInt64, origin: MuxedStreamOrigin, state: MuxedStreamState, sendWindow: UInt32?, receiveWindow: UInt32?,
        bufferedBytes: UInt32?, bytesIn: UInt64, bytesOut: UInt64, framesIn: UInt64, framesOut: UInt64,
        openedAt: NIODeadline
    ) {
        self.id = id
        self.origin = origin
        self.state = state
        self.sendWindow = sendWindow
        self.receiveWindow = receiveWindow
        self.bufferedBytes = bufferedBytes
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.framesIn = framesIn
        self.framesOut = framesOut
        self.openedAt = openedAt
    }
}

/// A muxed connection's streams and counters at one moment.
public struct MuxedSessionSnapshot: Sendable {
    /// Open streams, ordered by ID.
    public var streams: [MuxedStreamInfo]
    /// The last few closed or reset streams, oldest first, with their final counters.
    public var recentlyClosed: [MuxedStreamInfo]
    /// Frames and bytes (muxer headers included) in each direction.
    public var framesIn: UInt64
    public var framesOut: UInt64
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    /// The last round trip the muxer measured itself (yamux ping), if it can.
    public var lastRTT: Duration?
    /// The session ended or said goodbye (GoAway either way).
    public var closing: Bool

    public init(
        streams: [MuxedStreamInfo], recentlyClosed: [MuxedStreamInfo], framesIn: UInt64, framesOut: UInt64,
        bytesIn: UInt64, bytesOut: UInt64, lastRTT: Duration?, closing: Bool
    ) {
        self.streams = streams
        self.recentlyClosed = recentlyClosed
        self.framesIn = framesIn
        self.framesOut = framesOut
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.lastRTT = lastRTT
        self.closing = closing
    }
}
