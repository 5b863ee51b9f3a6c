import Core
import DequeModule
import NIOCore

/// One QUIC stream's application side, on the connection's event loop: what arrived and was not read,
/// the parked reader and writer, and how each direction ended.
final class QUICStreamIO {
    let origin: MuxedStreamOrigin
    let openedAt = NIODeadline.now()
    var unread: Deque<ByteBuffer> = []
    var unreadBytes = 0
    /// nil while the peer may send; `.success` after its FIN, `.failure` after a reset or the connection's end.
    var readEnd: Result<ByteBuffer?, QUICStreamError>?
    var reader: EventLoopWaiter<ByteBuffer?>?
    /// A write psq has not taken whole yet (it takes what fits under its send buffer; the rest waits for
    /// the peer's acknowledgements).
    var pendingWrite: (data: ByteBuffer, waiter: EventLoopWaiter<Void>)?
    /// A half-close waiting behind `pendingWrite`.
    var closeWaiter: EventLoopWaiter<Void>?
    var writeFailure: QUICStreamError?
    var finSent = false
    /// QUIC reported both directions done (psq freed its side); unread data may remain.
    var transportClosed = false
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var framesIn: UInt64 = 0
    var framesOut: UInt64 = 0

    init(origin: MuxedStreamOrigin) {
        self.origin = origin
    }

    var state: MuxedStreamState {
        if case .failure = readEnd { return .reset }
        if writeFailure == .resetLocally { return .reset }
        let remoteDone = readEnd != nil
        switch (finSent, remoteDone) {
        case (true, true): return .closed
        case (true, false): return .localClosed
        case (false, true): return .remoteClosed
        default: return .open
        }
    }

    /// Up to `limit` bytes of what waits, joined.
    func takeUnread(joiningUpTo limit: Int) -> ByteBuffer? {
        guard let first = unread.popFirst() else { return nil }
        var total = first.readableBytes
        var count = 0
        for next in unread {
            guard total + next.readableBytes <= limit else { break }
            total += next.readableBytes
            count += 1
        }
        unreadBytes -= total
        guard count > 0 else { return first }
        // One allocation of the joined size (appending to the first piece would regrow it many times).
        var joined = ByteBufferAllocator().buffer(capacity: total)
        joined.writeImmutableBuffer(first)
        for _ in 0..<count {
            if let piece = unread.popFirst() { joined.writeImmutableBuffer(piece) }
        }
        return joined
    }

    /// Fails whatever is parked (the stream or the connection is gone).
    func failAll(_ error: QUICStreamError) {
        if readEnd == nil { readEnd = .failure(error) }
        if writeFailure == nil { writeFailure = error }
        reader.take()?.fail(error)
        pendingWrite.take()?.waiter.fail(error)
        closeWaiter.take()?.fail(error)
    }
}

extension Optional {
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
