import DequeModule
import NIOCore
import Core

/// The event-loop side of one stream: received data not yet read, and the suspended reader and writer.
///
/// Received data is bounded by the receive window the session granted: nothing is read from the peer beyond
/// it, so an application that stops reading holds at most one window per stream.
final class YamuxStreamIO {
    enum ReadState {
        case open
        /// The peer sent FIN: `read` returns what is buffered, then nil.
        case finished
        /// `read` returns what is still buffered (nothing after a reset), then throws.
        case failed(YamuxStreamError)
    }

    struct PendingWrite {
        var remaining: ByteBuffer
        let waiter: YamuxWaiter<Void>
    }

    let origin: MuxedStreamOrigin
    private(set) var inbound: Deque<ByteBuffer> = []
    private(set) var inboundBytes = 0
    private(set) var readState: ReadState = .open
    /// Why writes fail from now on; nil while the write side may be used.
    private(set) var writeFailure: YamuxStreamError?
    var readWaiter: YamuxWaiter<ByteBuffer?>?
    var pendingWrite: PendingWrite?
    /// A `closeWrite` waiting for `pendingWrite` to go out first.
    var finWaiter: YamuxWaiter<Void>?
    /// Whether `.sendWindowExhausted` was already reported for the current stall.
    var reportedBlocked = false
    /// False once the session has forgotten the stream.
    var inSession = true
    /// The session's final view, captured when it forgot the stream.
    var finalInfo: YamuxStreamInfo?

    init(origin: MuxedStreamOrigin) {
        self.origin = origin
    }

    /// Hands data to a waiting reader, or buffers it. Returns the bytes given straight to a reader (the
    /// caller reports them as consumed).
    func deliver(_ data: ByteBuffer) -> Int {
        if inbound.isEmpty, let waiter = readWaiter {
            readWaiter = nil
            waiter.succeed(data)
            return data.readableBytes
        }
        inbound.append(data)
        inboundBytes += data.readableBytes
        return 0
    }

    /// Takes the next buffered piece.
    func popInbound() -> ByteBuffer? {
        guard let piece = inbound.popFirst() else { return nil }
        inboundBytes -= piece.readableBytes
        return piece
    }

    /// Takes buffered pieces as one buffer: the first piece, plus as many following whole pieces as fit in
    /// `limit` bytes in total. Pieces of one read cycle are separate slices (frame headers lie between them);
    /// copying them together costs less than a hand-off to the reading task per piece.
    ///
    /// `spare` is the connection's last coalesced buffer: its memory is reused when the reader has let go of
    /// it, and it is replaced by the buffer returned.
    func popInbound(coalescingUpTo limit: Int, spare: inout ByteBuffer?) -> ByteBuffer? {
        guard var first = popInbound() else { return nil }
        guard let next = inbound.first, first.readableBytes + next.readableBytes <= limit else { return first }
        var total = first.readableBytes
        var count = 0
        for piece in inbound {
            guard total + piece.readableBytes <= limit else { break }
            total += piece.readableBytes
            count += 1
        }
        var merged: ByteBuffer
        if var reused = spare {
            spare = nil
            // Fresh storage, without a copy, if the reader still holds the previous buffer.
            reused.clear(minimumCapacity: total)
            merged = reused
        } else {
            merged = ByteBufferAllocator().buffer(capacity: total)
        }
        merged.writeBuffer(&first)
        for _ in 0..<count {
            guard let piece = popInbound() else { break }
            merged.writeImmutableBuffer(piece)
        }
        // Small buffers are cheap to allocate; keeping one would only add to the connection's memory.
        spare = merged.capacity >= 32 * 1024 ? merged : nil
        return merged
    }

    /// What a read returns when nothing is buffered: nil at FIN, an error after a failure, or "wait" (.none).
    var endOfInput: Result<ByteBuffer?, YamuxStreamError>? {
        switch readState {
        case .open: nil
        case .finished: .success(nil)
        case .failed(let error): .failure(error)
        }
    }

    func remoteFinished() {
        guard case .open = readState else { return }
        readState = .finished
        if inbound.isEmpty, let waiter = readWaiter {
            readWaiter = nil
            waiter.succeed(nil)
        }
    }

    /// Marks the write side unusable and fails a waiting writer and `closeWrite`.
    func failWrites(_ error: YamuxStreamError) {
        if writeFailure == nil { writeFailure = error }
        if let pending = pendingWrite {
            pendingWrite = nil
            pending.waiter.fail(error)
        }
        if let waiter = finWaiter {
            finWaiter = nil
            waiter.fail(error)
        }
    }

    /// Ends both directions. A reset discards unread data; a session loss keeps it readable, as does a stream
    /// whose peer had already finished.
    func terminate(_ error: YamuxStreamError, discardBuffered: Bool) {
        failWrites(error)
        if discardBuffered {
            inbound.removeAll()
            inboundBytes = 0
        }
        switch readState {
        case .open: readState = .failed(error)
        // A finished read side stays finished (its data is complete) unless a reset throws the data away.
        case .finished: if discardBuffered { readState = .failed(error) }
        // The first failure is the one reported.
        case .failed: break
        }
        if inbound.isEmpty, let waiter = readWaiter, let end = endOfInput {
            readWaiter = nil
            waiter.continuation.resume(with: end.mapError { $0 as any Error })
        }
    }
}
