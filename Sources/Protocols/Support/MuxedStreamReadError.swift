import Multiformats

/// Why a bounded read from a ``MuxedStream`` failed.
public enum MuxedStreamReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer finished its direction after `received` of the `expected` bytes.
    case unexpectedEnd(expected: Int, received: Int)
    /// More than `limit` bytes arrived before the peer finished its direction.
    case limitExceeded(limit: Int)
    /// A uvarint length prefix was malformed or announced more than the caller allows.
    case invalidFrame(UVarintFrameError)

    public var description: String {
        switch self {
        case .unexpectedEnd(let expected, let received):
            return "stream ended after \(received) of \(expected) expected bytes"
        case .limitExceeded(let limit):
            return "stream carried more than the \(limit) bytes allowed"
        case .invalidFrame(let error):
            return "invalid length-prefixed frame: \(error)"
        }
    }
}
