import Core

/// An mplex stream as one side knows it: the stream number its initiator chose, and who that was.
///
/// Both sides number their streams from 0, so the number alone is ambiguous: stream 3 we opened and
/// stream 3 the peer opened are different streams (mplex spec, "Opening a new stream").
public struct MplexStreamID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The largest stream number a 9-byte header can carry: 63 bits minus the 3 flag bits.
    public static let maxNumber: UInt64 = (1 << 60) - 1

    /// The number in the frame header (`header >> 3`), at most `maxNumber`.
    public let number: UInt64
    /// `.local` when we opened the stream.
    public let origin: MuxedStreamOrigin

    public init(number: UInt64, origin: MuxedStreamOrigin) {
        self.number = number
        self.origin = origin
    }

    /// One number per stream for the whole connection, as `MuxerStream.streamID`, events and snapshots use
    /// it: `number << 1`, plus 1 when the peer opened the stream. Our stream 3 is 6, the peer's stream 3 is 7.
    /// `number` has at most 60 bits, so this never overflows.
    public var connectionUniqueValue: UInt64 { number << 1 | (origin == .local ? 0 : 1) }

    /// Orders by number, ours before the peer's for the same number.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.connectionUniqueValue < rhs.connectionUniqueValue }

    public var description: String { "\(number)(\(origin == .local ? "ours" : "theirs"))" }
}
