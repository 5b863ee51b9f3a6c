import Multiformats
import NIOCore

/// Incremental mplex frame parser: a header (two uvarints, at most 18 bytes), then `length` data bytes.
///
/// Data is never collected: each call hands out a slice of whatever part of it is readable, so the decoder
/// holds at most 17 bytes (a partial header) between calls. A length over `maxFrameLength` is refused as
/// soon as the length uvarint is complete, before any of the data arrives.
public struct MplexFrameDecoder: Sendable {
    public enum Item: Hashable, Sendable {
        /// A complete header. When `header.length > 0`, `.data` items for it follow.
        case header(MplexFrameHeader)
        /// The next piece of the current frame's data; `endOfFrame` marks its last piece.
        case data(ByteBuffer, endOfFrame: Bool)
    }

    private enum State: Sendable {
        /// `partial` holds the first bytes of a header split across inputs (nil between frames, so whole
        /// headers allocate nothing).
        case awaitingHeader(partial: ByteBuffer?)
        case readingData(remaining: Int)
        case failed(MplexProtocolError)
    }

    public let maxFrameLength: Int
    private var state: State = .awaitingHeader(partial: nil)

    public init(maxFrameLength: Int = MplexConfiguration.maxFrameLength) {
        self.maxFrameLength = maxFrameLength
    }

    /// True between frames (no partial header, no unfinished data).
    public var isAtFrameBoundary: Bool {
        if case .awaitingHeader(partial: nil) = state { return true }
        return false
    }

    /// Consumes bytes from `buffer` and returns the next item, or nil once `buffer` is used up without
    /// completing one. After an error every call rethrows it.
    public mutating func next(from buffer: inout ByteBuffer) throws(MplexProtocolError) -> Item? {
        switch state {
        case .failed(let error):
            throw error
        case .readingData(let remaining):
            let count = min(remaining, buffer.readableBytes)
            guard count > 0, let slice = buffer.readSlice(length: count) else { return nil }
            let left = remaining - count
            state = left == 0 ? .awaitingHeader(partial: nil) : .readingData(remaining: left)
            return .data(slice, endOfFrame: left == 0)
        case .awaitingHeader(let partial):
            do {
                return try nextHeader(after: partial, from: &buffer)
            } catch {
                state = .failed(error)
                throw error
            }
        }
    }

    private mutating func nextHeader(
        after partial: ByteBuffer?, from buffer: inout ByteBuffer
    ) throws(MplexProtocolError) -> Item? {
        // Parse the kept bytes plus a peek at the new ones; only what the header used is consumed.
        var candidate = buffer
        if var started = partial {
            let wanted = min(MplexFrameHeader.maxEncodedSize - started.readableBytes, buffer.readableBytes)
            if let more = buffer.getSlice(at: buffer.readerIndex, length: wanted) { started.writeImmutableBuffer(more) }
            candidate = started
        }
        guard let (header, byteCount) = try Self.parseHeader(candidate, maxFrameLength: maxFrameLength) else {
            // Incomplete, so fewer than 18 bytes in all: keep them (nothing at all at a frame boundary).
            guard partial != nil || buffer.readableBytes > 0 else { return nil }
            var kept = partial ?? ByteBuffer()
            kept.writeImmutableBuffer(buffer)
            buffer.moveReaderIndex(to: buffer.writerIndex)
            state = .awaitingHeader(partial: kept)
            return nil
        }
        buffer.moveReaderIndex(forwardBy: byteCount - (partial?.readableBytes ?? 0))
        state = header.length > 0 ? .readingData(remaining: header.length) : .awaitingHeader(partial: nil)
        return .header(header)
    }

    /// The header at the start of `bytes` and its size, or nil when `bytes` end inside it.
    static func parseHeader(
        _ bytes: ByteBuffer, maxFrameLength: Int
    ) throws(MplexProtocolError) -> (MplexFrameHeader, Int)? {
        let tag: (value: UInt64, byteCount: Int)?
        do { tag = try bytes.peekUVarint() } catch { throw .malformedHeader(error) }
        guard let tag else { return nil }
        // A uvarint has at most 63 bits, so the number fits `MplexStreamID.maxNumber`.
        let number = tag.value >> 3
        let flagBits = UInt8(truncatingIfNeeded: tag.value & 0x7)
        guard let flag = MplexFlag(rawValue: flagBits) else { throw .unknownFlag(flagBits, streamNumber: number) }
        let length: (value: UInt64, byteCount: Int)?
        do {
            length = try bytes.getUVarint(at: bytes.readerIndex + tag.byteCount)
        } catch {
            throw .malformedLength(streamNumber: number, error)
        }
        guard let length else { return nil }
        guard length.value <= UInt64(maxFrameLength) else {
            throw .frameTooLarge(streamNumber: number, flag: flag, length: length.value, limit: maxFrameLength)
        }
        let header = MplexFrameHeader(streamNumber: number, flag: flag, length: Int(length.value))
        return (header, tag.byteCount + length.byteCount)
    }
}
