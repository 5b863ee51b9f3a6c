import Core
import NIOCore

/// One stream at one moment, for snapshots and the UI. mplex has no windows; `bufferedBytes` is what
/// bounds a stream instead.
public struct MplexStreamInfo: Hashable, Sendable {
    public var id: MplexStreamID
    /// The name from the NewStream frame (ours: the decimal stream number, as go-mplex sends).
    public var name: String
    public var state: MuxedStreamState
    /// Received bytes the application has not read yet.
    public var bufferedBytes: Int
    /// Data bytes received / sent (headers excluded).
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var framesIn: UInt64
    public var framesOut: UInt64
    public var openedAt: NIODeadline

    public var origin: MuxedStreamOrigin { id.origin }
}

/// Session-wide counters, cheap to copy.
public struct MplexSessionCounters: Hashable, Sendable {
    /// Frames and raw bytes (headers included) in each direction.
    public var framesIn: UInt64 = 0
    public var framesOut: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Frames for streams we do not know (ended, reset, never opened), drained and ignored.
    public var framesIgnored: UInt64 = 0
    public var streamsOpenedLocally: UInt64 = 0
    public var streamsOpenedRemotely: UInt64 = 0
    /// Peer-opened streams we answered with a reset because of a limit.
    public var streamsRejected: UInt64 = 0
    /// Streams we reset because the peer broke a rule or a bound on them.
    public var streamsAborted: UInt64 = 0

    public init() {}
}

/// Everything the UI needs about a session at one moment.
public struct MplexSessionSnapshot: Hashable, Sendable {
    /// Open streams, ordered by `MplexStreamID`.
    public var streams: [MplexStreamInfo]
    /// The last few ended streams, oldest first, with their final counters.
    public var recentlyClosed: [MplexStreamInfo]
    public var counters: MplexSessionCounters
    /// Unread bytes of all live streams.
    public var bufferedBytes: Int
    /// `goAway()` was called: no new streams.
    public var goingAway: Bool
    /// Set once the session has ended.
    public var closeReason: MplexSessionCloseReason?
}
