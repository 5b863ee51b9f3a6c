import Multiformats

/// A violation of the mplex wire format by the peer. Every case ends the session: mplex has no way to
/// say why, so the connection is closed (go-mplex and rust-libp2p close it too).
public enum MplexProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The header uvarint is not a valid multiformats uvarint (longer than 9 bytes, or not minimal).
    case malformedHeader(UVarintError)
    /// The length uvarint after a valid header is not a valid uvarint.
    case malformedLength(streamNumber: UInt64, UVarintError)
    /// The three flag bits were 7, which the spec does not define.
    case unknownFlag(UInt8, streamNumber: UInt64)
    /// A frame announced more data than the spec's 1 MiB per message.
    case frameTooLarge(streamNumber: UInt64, flag: MplexFlag, length: UInt64, limit: Int)
    /// NewStream for a number the peer's namespace still has open.
    case duplicateNewStream(streamNumber: UInt64)

    public var description: String {
        switch self {
        case .malformedHeader(let error):
            "mplex frame header: \(error)"
        case .malformedLength(let number, let error):
            "mplex frame length on stream \(number): \(error)"
        case .unknownFlag(let flag, let number):
            "mplex frame on stream \(number): unknown flag \(flag) (flags are 0 to 6)"
        case .frameTooLarge(let number, let flag, let length, let limit):
            "mplex \(flag) frame on stream \(number): length \(length) exceeds the \(limit)-byte maximum"
        case .duplicateNewStream(let number):
            "mplex NewStream for stream \(number), which the peer already has open"
        }
    }
}
