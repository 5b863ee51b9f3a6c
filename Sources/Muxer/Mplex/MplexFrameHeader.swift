import Multiformats
import NIOCore

/// The part of an mplex frame before its data: `uvarint(number << 3 | flag)`, then `uvarint(length)`.
public struct MplexFrameHeader: Hashable, Sendable {
    /// Both uvarints at their longest (9 bytes each).
    public static let maxEncodedSize = 2 * UVarint.maxByteCount

    public let streamNumber: UInt64
    public let flag: MplexFlag
    /// Bytes of data after the header.
    public let length: Int

    /// `streamNumber` must not exceed `MplexStreamID.maxNumber` and `length` must not be negative:
    /// both are ours to guarantee when sending.
    public init(streamNumber: UInt64, flag: MplexFlag, length: Int) {
        precondition(streamNumber <= MplexStreamID.maxNumber, "mplex stream numbers have at most 60 bits")
        precondition(length >= 0, "negative mplex frame length")
        self.streamNumber = streamNumber
        self.flag = flag
        self.length = length
    }

    /// The frame concerns this stream, as the *receiver* of the frame knows it.
    public var receivedStreamID: MplexStreamID {
        MplexStreamID(number: streamNumber, origin: flag.senderIsInitiator ? .remote : .local)
    }

    /// Header bytes on the wire.
    public var encodedSize: Int {
        UVarint.encodedByteCount(of: streamNumber << 3 | UInt64(flag.rawValue))
            + UVarint.encodedByteCount(of: UInt64(length))
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeUVarint(streamNumber << 3 | UInt64(flag.rawValue))
        buffer.writeUVarint(UInt64(length))
    }
}
