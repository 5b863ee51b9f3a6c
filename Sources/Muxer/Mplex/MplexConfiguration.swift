/// Tunables of an mplex session. mplex has no flow control, so every bound that protects us from a peer
/// is here, named; a peer that crosses one loses the stream (or, for the outbound backlog, the session).
public struct MplexConfiguration: Hashable, Sendable {
    /// The largest frame the spec allows ("up to 1MiB per message"); longer frames end the session.
    public static let maxFrameLength = 1024 * 1024

    /// Largest data payload we put in one frame. Smaller than the maximum so streams interleave (a frame is
    /// head-of-line for every other stream); large enough that headers cost nothing.
    public var maxFramePayload = 64 * 1024
    /// Unread bytes one stream may hold. Beyond it the stream is reset (`receiveBufferOverrun`). Four
    /// maximal frames: a reader a few frames behind a bulk sender keeps its stream.
    public var maxStreamReceiveBuffer = 4 * maxFrameLength
    /// Unread bytes all streams of the connection may hold together; the stream whose frame would cross it
    /// is reset (`connectionReceiveBufferFull`). Bounds memory where `maxInboundStreams` × the per-stream
    /// buffer would not.
    public var maxConnectionReceiveBuffer = 32 * maxFrameLength
    /// Streams opened by the peer that may be open at once; a NewStream beyond it is answered with a reset.
    /// Peer-opened streams the application has not accepted yet count too, so this also bounds the accept
    /// queue.
    public var maxInboundStreams = 512
    /// Streams opened by us that may be open at once; `openStream` fails beyond it.
    public var maxOutboundStreams = 512
    /// Bytes of a NewStream's name we keep (names are only for debugging, spec); the rest is dropped.
    public var maxStreamNameBytes = 256
    /// Frames we may hold while the connection is not writable (Close, Reset, NewStream: data waits for
    /// writability instead). Past it the session is closed: the peer makes us answer but does not read.
    public var maxQueuedOutboundBytes = 256 * 1024
    /// How many ended streams the session remembers for snapshots (the UI's "recently closed" rows).
    public var closedStreamHistory = 32

    public init() {}

    /// Checks the invariants the session relies on; a violation is a programming error of ours.
    func validate() {
        precondition(
            maxFramePayload > 0 && maxFramePayload <= Self.maxFrameLength, "maxFramePayload must be 1...1 MiB")
        precondition(maxStreamReceiveBuffer >= 0 && maxConnectionReceiveBuffer >= 0, "buffer limits must not be negative")
        precondition(maxInboundStreams >= 0 && maxOutboundStreams >= 0, "stream limits must not be negative")
        precondition(maxStreamNameBytes >= 0 && maxQueuedOutboundBytes >= 0, "limits must not be negative")
        precondition(closedStreamHistory >= 0, "closedStreamHistory must not be negative")
    }
}
