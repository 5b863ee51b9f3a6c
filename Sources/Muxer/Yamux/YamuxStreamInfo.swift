import NIOCore
import Core

/// A point-in-time view of one stream, for snapshots and the UI.
public struct YamuxStreamInfo: Hashable, Sendable {
    public var id: YamuxStreamID
    public var origin: MuxedStreamOrigin
    public var state: MuxedStreamState
    /// Bytes we may still send before the peer grants more.
    public var sendWindow: UInt32
    /// Bytes the peer may still send before we grant more.
    public var receiveWindow: UInt32
    /// The auto-tuned receive window target.
    public var receiveWindowTarget: UInt32
    /// Received bytes the application has not read yet.
    public var bufferedBytes: UInt32
    /// Data payload bytes received / sent (headers excluded).
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    /// Frames received / sent on this stream (Data and Window Update).
    public var framesIn: UInt64
    public var framesOut: UInt64
    public var openedAt: NIODeadline
}

/// Session-wide counters, cheap to copy.
public struct YamuxSessionCounters: Hashable, Sendable {
    /// Frames and raw bytes (headers included) in each direction.
    public var framesIn: UInt64 = 0
    public var framesOut: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Frames for unknown or already-closed streams, drained and ignored (yamux spec §3).
    public var framesIgnored: UInt64 = 0
    public var streamsOpenedLocally: UInt64 = 0
    public var streamsOpenedRemotely: UInt64 = 0
    /// Peer-opened streams we answered with RST because a limit was reached or we were going away.
    public var streamsRejected: UInt64 = 0
    /// The last round-trip time measured with a yamux ping.
    public var lastRTT: Duration?

    public init() {}
}

/// Everything the UI needs about a session at one moment.
public struct YamuxSessionSnapshot: Hashable, Sendable {
    public var role: YamuxRole
    /// Open streams, ordered by ID.
    public var streams: [YamuxStreamInfo]
    /// The last few closed or reset streams, oldest first, with their final counters.
    public var recentlyClosed: [YamuxStreamInfo]
    public var counters: YamuxSessionCounters
    public var goAwaySent: YamuxGoAwayCode?
    public var goAwayReceived: YamuxGoAwayCode?
    /// Set once the session has ended.
    public var closeReason: YamuxSessionCloseReason?
}

/// Why we answered a peer's SYN with RST (libp2p yamux §6).
public enum YamuxStreamRejection: Hashable, Sendable, CustomStringConvertible {
    /// `maxInboundStreams` peer-opened streams are already open.
    case maxStreams(limit: Int)
    /// `maxUnacknowledgedInboundStreams` peer-opened streams are waiting to be accepted.
    case ackBacklogFull(limit: Int)
    /// Go Away was sent or received: no new streams.
    case goingAway
    /// The peer reused the ID of a stream the application still holds (IDs must never be reused, spec §2).
    case streamIDInUse

    public var description: String {
        switch self {
        case .maxStreams(let limit): "stream limit reached (\(limit) inbound streams)"
        case .ackBacklogFull(let limit): "accept backlog full (\(limit) unaccepted streams)"
        case .goingAway: "session is going away"
        case .streamIDInUse: "stream ID still in use"
        }
    }
}
