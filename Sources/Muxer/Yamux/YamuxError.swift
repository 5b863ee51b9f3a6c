/// Why `YamuxConnection.ping()` failed.
public enum YamuxPingError: Error, Hashable, Sendable {
    case sessionClosed(YamuxSessionCloseReason)
}

/// A violation of the yamux protocol by the remote peer. Every case ends the session: the session sends
/// Go Away with code 1 (protocol error) and the connection is closed (yamux spec §1, §2, §4).
public enum YamuxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Header byte 0 was not 0.
    case unsupportedVersion(UInt8)
    /// Header byte 1 was not one of Data (0), Window Update (1), Ping (2), Go Away (3).
    case unknownFrameType(UInt8)
    /// A Data frame announced more payload than any receive window we could ever grant.
    case dataFrameTooLarge(streamID: YamuxStreamID, length: UInt32, limit: UInt32)
    /// A Data frame carried more payload than the stream's remaining receive window.
    case receiveWindowExceeded(streamID: YamuxStreamID, length: UInt32, window: UInt32)
    /// A Window Update would push the stream's send window past 2^32 − 1.
    case sendWindowOverflow(streamID: YamuxStreamID, window: UInt32, delta: UInt32)
    /// A SYN named stream 0, which is reserved for the session.
    case synOnSessionStream(frameType: UInt8)
    /// A SYN used an ID of our own parity: both endpoints think they are the client (or both the server).
    case streamIDParityMismatch(streamID: YamuxStreamID, expectedOdd: Bool)
    /// A SYN named a stream that is still open.
    case duplicateStreamOpen(streamID: YamuxStreamID)

    public var description: String {
        switch self {
        case .unsupportedVersion(let version):
            "yamux header: version \(version), expected 0"
        case .unknownFrameType(let type):
            "yamux header: frame type \(type), expected 0 (Data) to 3 (Go Away)"
        case .dataFrameTooLarge(let id, let length, let limit):
            "yamux Data frame on stream \(id): length \(length) exceeds the maximum window \(limit)"
        case .receiveWindowExceeded(let id, let length, let window):
            "yamux Data frame on stream \(id): \(length) bytes but only \(window) bytes of window granted"
        case .sendWindowOverflow(let id, let window, let delta):
            "yamux Window Update on stream \(id): \(window) + \(delta) exceeds 2^32-1"
        case .synOnSessionStream(let type):
            "yamux SYN on stream 0 (frame type \(type)); stream 0 is the session"
        case .streamIDParityMismatch(let id, let expectedOdd):
            "yamux SYN for stream \(id): expected \(expectedOdd ? "odd" : "even") IDs from the peer "
                + "(both endpoints are \(expectedOdd ? "servers" : "clients"))"
        case .duplicateStreamOpen(let id):
            "yamux SYN for stream \(id), which is already open"
        }
    }
}

/// Why opening an outbound stream failed (or, for `ackBacklogFull`, must wait).
public enum YamuxOpenStreamError: Error, Hashable, Sendable {
    /// The session is closed.
    case sessionClosed
    /// We sent or received Go Away: no new streams in either direction (yamux spec §5).
    case goingAway
    /// `YamuxConfiguration.maxOutboundStreams` streams opened by us are still open.
    case tooManyStreams(limit: Int)
    /// `limit` SYNs of ours are still un-ACKed (libp2p yamux ACK backlog, spec §6). The async API waits
    /// for an ACK instead of surfacing this.
    case ackBacklogFull(limit: Int)
    /// The next stream ID would reach 2^32 − 2 (go-yamux refuses there too).
    case streamIDsExhausted
}

/// Why a command on one stream was refused.
public enum YamuxStreamError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The peer reset the stream with this opaque error code (RST length, spec §5).
    case resetByRemote(code: UInt32)
    /// We reset the stream.
    case resetLocally
    /// The peer violated the protocol on this stream; we reset it.
    case aborted(YamuxStreamViolation)
    /// We already sent FIN: no more writes.
    case writeClosed
    /// The session ended.
    case sessionClosed(YamuxSessionCloseReason)
    /// The session does not know this stream (closed and forgotten, or never opened).
    case unknownStream(YamuxStreamID)
    /// Another read (or write) on this stream is already waiting; one reader and one writer at a time.
    case concurrentOperation

    public var description: String {
        switch self {
        case .resetByRemote(let code): "stream reset by the peer (code \(code))"
        case .resetLocally: "stream reset locally"
        case .aborted(let violation): "stream aborted: \(violation)"
        case .writeClosed: "stream write side already closed"
        case .sessionClosed(let reason): "session closed: \(reason)"
        case .unknownStream(let id): "unknown stream \(id)"
        case .concurrentOperation: "another read or write is already pending on this stream"
        }
    }
}

/// A stream-scoped protocol violation: the offending stream is reset, the session lives on.
public enum YamuxStreamViolation: Hashable, Sendable, CustomStringConvertible {
    /// Data arrived after the peer's FIN.
    case dataAfterFin(length: UInt32)

    public var description: String {
        switch self {
        case .dataAfterFin(let length): "\(length) bytes of data after the peer's FIN"
        }
    }
}

/// Why a session ended.
public enum YamuxSessionCloseReason: Hashable, Sendable, CustomStringConvertible {
    /// We closed it (`close()` or graceful shutdown finished).
    case localClose
    /// The peer sent Go Away and every stream has finished (or the peer closed the connection after it).
    case remoteGoAway(YamuxGoAwayCode)
    /// The peer broke the protocol; we sent Go Away (protocol error).
    case protocolError(YamuxError)
    /// Nothing arrived for `pingTimeout` after a ping.
    case keepAliveTimeout
    /// Frames we must send piled up past `YamuxConfiguration.maxQueuedOutboundBytes` while the connection
    /// could not take them: the peer makes us answer (pings, refused streams) faster than it reads.
    case outboundBacklogExceeded(bytes: Int, limit: Int)
    /// The underlying connection went away.
    case connectionLost
    /// The channel below reported an error (description kept for the event log).
    case transportError(String)

    public var description: String {
        switch self {
        case .localClose: "closed locally"
        case .outboundBacklogExceeded(let bytes, let limit):
            "peer not reading: \(bytes) bytes queued for it > limit \(limit)"
        case .remoteGoAway(let code): "peer sent Go Away (\(code))"
        case .protocolError(let error): "protocol error: \(error)"
        case .keepAliveTimeout: "keepalive timeout"
        case .connectionLost: "connection lost"
        case .transportError(let description): "transport error: \(description)"
        }
    }
}

/// The Go Away error code (yamux spec §5). go-libp2p also puts its own connection codes here (0x1000…).
public struct YamuxGoAwayCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let normal = YamuxGoAwayCode(rawValue: 0)
    public static let protocolError = YamuxGoAwayCode(rawValue: 1)
    public static let internalError = YamuxGoAwayCode(rawValue: 2)

    public var description: String {
        switch rawValue {
        case 0: "normal"
        case 1: "protocol error"
        case 2: "internal error"
        default: "code 0x\(String(rawValue, radix: 16))"
        }
    }
}
