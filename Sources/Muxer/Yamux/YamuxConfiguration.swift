import NIOCore

/// Which end of the underlying connection we are (yamux spec §2).
public enum YamuxRole: Hashable, Sendable {
    /// We dialed the connection: our streams get odd IDs (1, 3, 5, …).
    case client
    /// We accepted the connection: our streams get even IDs (2, 4, 6, …).
    case server

    var firstStreamID: UInt32 { self == .client ? 1 : 2 }
    /// Whether the *peer's* stream IDs are odd.
    var remoteIDsAreOdd: Bool { self == .server }
}

/// Tunables of a yamux session. Every bound that protects us from a peer is here, named.
public struct YamuxConfiguration: Hashable, Sendable {
    /// The window every stream starts with in both directions, assumed by both sides (yamux spec §4).
    public static let protocolInitialWindow: UInt32 = 256 * 1024

    /// Receive window target each stream starts with. Above 256 KiB the extra is granted with our SYN/ACK.
    public var initialStreamWindow: UInt32 = protocolInitialWindow
    /// Upper bound for a stream's auto-tuned receive window (go-yamux and go-libp2p: 16 MiB).
    public var maxStreamWindow: UInt32 = 16 * 1024 * 1024
    /// Bound on the sum of all streams' receive-window targets. Auto-tuning stops growing windows when it
    /// would be exceeded (rust-yamux has the same connection-wide cap, 1 GiB). Every stream always keeps its
    /// 256 KiB base window, so 512 inbound streams need 128 MiB; the default leaves as much again for growth.
    public var maxTotalReceiveWindow: UInt64 = 256 * 1024 * 1024
    /// Largest Data payload we send in one frame: 64 KiB including the 12-byte header, as go-yamux. With Noise
    /// below, frames are coalesced per flush and re-cut into Noise frames, so larger frames would buy nothing.
    public var maxFramePayload: Int = 64 * 1024 - YamuxFrameHeader.size
    /// Streams opened by the peer that may be open at once; a SYN beyond it is answered with RST.
    /// 512 is rust-yamux's default; with 256 KiB base windows it caps unread inbound data at 128 MiB.
    public var maxInboundStreams: Int = 512
    /// Streams opened by us that may be open at once; `openStream` fails beyond it.
    public var maxOutboundStreams: Int = 512
    /// Peer-opened streams we have not ACKed yet (not yet accepted by the application); a SYN beyond it is
    /// answered with RST (go-yamux accept backlog, 256).
    public var maxUnacknowledgedInboundStreams: Int = 256
    /// Our SYNs the peer has not ACKed yet; opening more waits (libp2p ACK backlog rule, 256).
    public var maxUnacknowledgedOutboundStreams: Int = 256
    /// Interval between keepalive/RTT pings; nil disables periodic pings (explicit pings still work).
    public var keepAliveInterval: TimeAmount? = .seconds(30)
    /// After a ping, the session is declared dead when nothing at all arrives for this long (go-yamux:
    /// ConnectionWriteTimeout, 10 s). Any inbound frame counts as a sign of life.
    public var pingTimeout: TimeAmount = .seconds(10)

    /// Frames the session must send on its own (ping replies, window updates, resets) that may wait while the
    /// connection is not writable; beyond it the peer is sending without reading and the session is closed.
    /// Stream data is not counted here: writers wait for writability instead of queueing.
    public var maxQueuedOutboundBytes: Int = 256 * 1024

    /// How many closed streams the session remembers for snapshots (the UI's "recently closed" rows).
    public var closedStreamHistory: Int = 32

    public init() {}

    /// Checks the invariants the session relies on; a violation is a programming error of ours.
    func validate() {
        precondition(initialStreamWindow >= Self.protocolInitialWindow, "initialStreamWindow below 256 KiB")
        precondition(maxStreamWindow >= initialStreamWindow, "maxStreamWindow below initialStreamWindow")
        precondition(maxFramePayload > 0, "maxFramePayload must be positive")
        precondition(maxInboundStreams >= 0 && maxOutboundStreams >= 0, "stream limits must not be negative")
        precondition(
            maxUnacknowledgedInboundStreams >= 0 && maxUnacknowledgedOutboundStreams > 0,
            "ACK backlog limits must be positive")
        precondition(pingTimeout > .zero, "pingTimeout must be positive")
        precondition(maxQueuedOutboundBytes >= 0, "maxQueuedOutboundBytes must not be negative")
    }
}
