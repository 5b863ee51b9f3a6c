import NIOConcurrencyHelpers
import NIOCore
import Core
import Multiformats
import Multistream

/// Bounded reads on top of a ``MuxedStream``, which delivers data in chunks of whatever size the muxer
/// produced.
///
/// Bytes read from the stream but not yet asked for are kept for the next call, so the memory held is
/// at most what the caller asked for plus one chunk of the muxer. Every method states its bound.
///
/// The type is `Sendable` so it can be used inside ``withTimeout(_:activity:onTimeout:operation:)``;
/// calls must still be made one at a time (a second concurrent read would interleave chunks).
public final class MuxedStreamReader: Sendable {
    public let stream: any MuxedStream
    private let state = NIOLockedValueBox(State())

    private struct State {
        var buffered = ByteBuffer()
        /// The stream has returned nil; it is not asked again.
        var reachedEnd = false
    }

    public init(_ stream: any MuxedStream) {
        self.stream = stream
    }

    /// Bytes received from the stream and not yet handed out.
    public var bufferedByteCount: Int {
        state.withLockedValue { $0.buffered.readableBytes }
    }

    /// The next bytes available, at most `maxLength` of them; nil once the peer finished.
    public func readChunk(maxLength: Int = .max) async throws -> ByteBuffer? {
        precondition(maxLength > 0, "a chunk must be allowed at least one byte")
        if let chunk = takeBuffered(maxLength: maxLength) { return chunk }
        guard var chunk = try await nextFromStream() else { return nil }
        if chunk.readableBytes <= maxLength { return chunk }
        let head = chunk.readSlice(length: maxLength)
        append(chunk)
        return head
    }

    /// Exactly `count` bytes.
    ///
    /// - Throws: ``MuxedStreamReadError/unexpectedEnd(expected:received:)`` if the peer finished first.
    public func readExactly(_ count: Int) async throws -> ByteBuffer {
        precondition(count >= 0, "cannot read a negative number of bytes")
        while true {
            let (slice, available) = state.withLockedValue { state -> (ByteBuffer?, Int) in
                (state.buffered.readSlice(length: count), state.buffered.readableBytes)
            }
            if let slice { return slice }
            guard let chunk = try await nextFromStream() else {
                throw MuxedStreamReadError.unexpectedEnd(expected: count, received: available)
            }
            append(chunk)
        }
    }

    /// One `uvarint(length) ‖ body` frame's body, refusing lengths over `maxLength` as soon as the
    /// prefix is complete; nil if the peer finished exactly at a frame boundary.
    ///
    /// - Throws: ``MuxedStreamReadError/invalidFrame(_:)`` for a bad or oversized prefix,
    ///   ``MuxedStreamReadError/unexpectedEnd(expected:received:)`` if the peer finished mid-frame.
    public func readUVarintLengthPrefixed(maxLength: Int) async throws -> ByteBuffer? {
        while true {
            let attempt = state.withLockedValue { state -> Result<ByteBuffer?, UVarintFrameError> in
                Result { () throws(UVarintFrameError) in
                    try state.buffered.readUVarintLengthPrefixedSlice(maxLength: maxLength)
                }
            }
            switch attempt {
            case .failure(let error):
                throw MuxedStreamReadError.invalidFrame(error)
            case .success(.some(let body)):
                return body
            case .success(.none):
                break
            }
            guard let chunk = try await nextFromStream() else {
                let (available, expected) = partialFrameSize()
                if available == 0 { return nil }
                throw MuxedStreamReadError.unexpectedEnd(expected: expected, received: available)
            }
            append(chunk)
        }
    }

    /// Everything until the peer finishes its direction, at most `limit` bytes.
    ///
    /// - Throws: ``MuxedStreamReadError/limitExceeded(limit:)`` as soon as byte `limit + 1` arrives.
    public func readToEnd(limit: Int) async throws -> ByteBuffer {
        while try await bufferNextChunk() {
            if bufferedByteCount > limit { throw MuxedStreamReadError.limitExceeded(limit: limit) }
        }
        let everything = state.withLockedValue { state -> ByteBuffer in
            defer { state.buffered = ByteBuffer() }
            return state.buffered
        }
        if everything.readableBytes > limit { throw MuxedStreamReadError.limitExceeded(limit: limit) }
        return everything
    }

    /// Reads and discards everything until the peer finishes; returns how many bytes that was.
    ///
    /// `onChunk` sees each chunk's size as it is dropped (progress reports, idle timers); nothing is kept.
    @discardableResult
    public func drainToEnd(onChunk: (Int) throws -> Void = { _ in }) async throws -> UInt64 {
        var total: UInt64 = 0
        if let leftover = takeBuffered(maxLength: .max) {
            total += UInt64(leftover.readableBytes)
            try onChunk(leftover.readableBytes)
        }
        while let chunk = try await nextFromStream() {
            total += UInt64(chunk.readableBytes)
            try onChunk(chunk.readableBytes)
        }
        return total
    }

    // MARK: - Buffer management

    /// Next chunk from the stream, or nil after its end; empty chunks are skipped.
    private func nextFromStream() async throws -> ByteBuffer? {
        if state.withLockedValue({ $0.reachedEnd }) { return nil }
        while true {
            guard let chunk = try await stream.read() else {
                state.withLockedValue { $0.reachedEnd = true }
                return nil
            }
            if chunk.readableBytes > 0 { return chunk }
        }
    }

    /// Appends the next chunk to the buffer; false once the stream has ended.
    private func bufferNextChunk() async throws -> Bool {
        guard let chunk = try await nextFromStream() else { return false }
        append(chunk)
        return true
    }

    private func takeBuffered(maxLength: Int) -> ByteBuffer? {
        state.withLockedValue { state in
            guard state.buffered.readableBytes > 0 else { return nil }
            return state.buffered.readSlice(length: min(maxLength, state.buffered.readableBytes))
        }
    }

    private func append(_ chunk: ByteBuffer) {
        state.withLockedValue { state in
            if state.buffered.readableBytes == 0 {
                // Adopting the chunk avoids a copy in the common case of one read per request.
                state.buffered = chunk
            } else {
                var chunk = chunk
                state.buffered.discardReadBytes()
                state.buffered.writeBuffer(&chunk)
            }
        }
    }

    /// Bytes of an unfinished frame and the size it announced (prefix + body), for the error message.
    private func partialFrameSize() -> (available: Int, expected: Int) {
        state.withLockedValue { state in
            let available = state.buffered.readableBytes
            guard let (length, prefixLength) = try? state.buffered.peekUVarint() else {
                return (available, available + 1)
            }
            let expected = prefixLength + Int(clamping: length)
            return (available, expected)
        }
    }
}
