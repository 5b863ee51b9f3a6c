import NIOCore

/// Incremental yamux frame parser: a 12-byte header, then (Data frames only) `length` body bytes.
///
/// Bodies are never collected: each call hands out a slice of whatever part of the body is readable, so the
/// decoder itself holds at most 11 bytes (a partial header) between calls. The session checks a Data header
/// against the stream's receive window before any body item is produced; this decoder only enforces the
/// absolute bound `maxDataLength` (no window can ever be larger).
struct YamuxFrameDecoder: Sendable {
    enum Item: Equatable, Sendable {
        /// A complete header. When `header.bodyLength > 0`, `.body` items for it follow.
        case header(YamuxFrameHeader)
        /// The next piece of the current Data frame's body; `endOfFrame` marks its last piece.
        case body(ByteBuffer, endOfFrame: Bool)
    }

    private enum State {
        /// `partial` holds the first bytes of a header split across inputs (nil between frames, so the common
        /// case of whole headers allocates nothing).
        case awaitingHeader(partial: ByteBuffer?)
        case readingBody(remaining: UInt32)
        case failed(YamuxError)
    }

    let maxDataLength: UInt32
    private var state: State = .awaitingHeader(partial: nil)

    init(maxDataLength: UInt32) {
        self.maxDataLength = maxDataLength
    }

    /// True when the decoder sits between frames (no partial header, no unfinished body).
    var isAtFrameBoundary: Bool {
        if case .awaitingHeader(partial: nil) = state { return true }
        return false
    }

    /// Consumes bytes from `buffer` and returns the next item, or nil once `buffer` is used up without
    /// completing one (a partial header is kept inside the decoder). After an error every call rethrows it.
    mutating func next(from buffer: inout ByteBuffer) throws(YamuxError) -> Item? {
        switch state {
        case .failed(let error):
            throw error
        case .readingBody(let remaining):
            guard buffer.readableBytes > 0 else { return nil }
            let count = min(Int(remaining), buffer.readableBytes)
            guard let slice = buffer.readSlice(length: count) else { return nil }
            let left = remaining - UInt32(count)
            state = left == 0 ? .awaitingHeader(partial: nil) : .readingBody(remaining: left)
            return .body(slice, endOfFrame: left == 0)
        case .awaitingHeader(var partial):
            let header: YamuxFrameHeader?
            do {
                if var started = partial {
                    let needed = YamuxFrameHeader.size - started.readableBytes
                    if let piece = buffer.readSlice(length: min(needed, buffer.readableBytes)) {
                        started.writeImmutableBuffer(piece)
                    }
                    header = try YamuxFrameHeader.read(from: &started)
                    partial = started
                } else {
                    header = try YamuxFrameHeader.read(from: &buffer)
                    if header == nil, buffer.readableBytes > 0 {
                        var started = ByteBuffer()
                        started.writeImmutableBuffer(buffer)
                        buffer.moveReaderIndex(to: buffer.writerIndex)
                        partial = started
                    }
                }
            } catch {
                state = .failed(error)
                throw error
            }
            guard let header else {
                state = .awaitingHeader(partial: partial)
                return nil
            }
            if header.type == .data, header.length > maxDataLength {
                let error = YamuxError.dataFrameTooLarge(
                    streamID: header.streamID, length: header.length, limit: maxDataLength)
                state = .failed(error)
                throw error
            }
            state = header.bodyLength > 0 ? .readingBody(remaining: header.bodyLength) : .awaitingHeader(partial: nil)
            return .header(header)
        }
    }
}
