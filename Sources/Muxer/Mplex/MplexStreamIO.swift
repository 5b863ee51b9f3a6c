import Core
import DequeModule
import NIOCore

/// The event-loop side of one stream: data received but not read yet, and the parked reader and writer.
///
/// What waits here is bounded by the session: it resets a stream whose unread data would pass
/// `maxStreamReceiveBuffer`, so an application that stops reading holds at most that much per stream.
final class MplexStreamIO {
    /// How a read ends once nothing is buffered.
    enum Ending {
        /// The peer sent Close: reads return nil.
        case finished
        /// Reads throw.
        case failed(MplexStreamError)
    }

    let origin: MuxedStreamOrigin
    private var unread: Deque<ByteBuffer> = []
    /// Set once no more data will arrive; nil while the peer may still send.
    private(set) var ending: Ending?
    /// Why writes fail from now on; nil while the write side may be used.
    private(set) var writeFailure: MplexStreamError?
    var reader: EventLoopWaiter<ByteBuffer?>?
    /// A write parked until the channel is writable.
    var pendingWrite: (data: ByteBuffer, waiter: EventLoopWaiter<Void>)?
    /// A `closeWrite` parked behind `pendingWrite`, so Close follows the data.
    var closeWaiter: EventLoopWaiter<Void>?
    /// False once the session has forgotten the stream.
    var inSession = true
    /// The session's final view, captured when it forgot the stream.
    var finalInfo: MplexStreamInfo?

    init(origin: MuxedStreamOrigin) {
        self.origin = origin
    }

    /// Gives data to a parked reader, or keeps it. Returns the bytes handed straight to a reader (the caller
    /// reports them as consumed).
    func deliver(_ data: ByteBuffer) -> Int {
        guard unread.isEmpty, let waiter = reader else {
            unread.append(data)
            return 0
        }
        reader = nil
        waiter.succeed(data)
        return data.readableBytes
    }

    /// The oldest unread data, joined with the pieces after it while the total stays within `limit`: the
    /// pieces of one read cycle are separate slices, and one copy costs less than a task hop per piece.
    func takeUnread(joiningUpTo limit: Int) -> ByteBuffer? {
        guard var joined = unread.popFirst() else { return nil }
        while let next = unread.first, joined.readableBytes + next.readableBytes <= limit {
            joined.writeImmutableBuffer(next)
            unread.removeFirst()
        }
        return joined
    }

    /// What a read gets when nothing is buffered: nil at Close, an error after a failure, or nil (wait).
    var readEnd: Result<ByteBuffer?, MplexStreamError>? {
        switch ending {
        case nil: nil
        case .finished: .success(nil)
        case .failed(let error): .failure(error)
        }
    }

    func remoteFinished() {
        guard ending == nil else { return }
        ending = .finished
        wakeReaderAtEnd()
    }

    /// Marks the write side unusable and fails a parked writer and `closeWrite`.
    func failWrites(_ error: MplexStreamError) {
        if writeFailure == nil { writeFailure = error }
        if let pending = pendingWrite {
            pendingWrite = nil
            pending.waiter.fail(error)
        }
        if let waiter = closeWaiter {
            closeWaiter = nil
            waiter.fail(error)
        }
    }

    /// Ends both directions. A reset throws unread data away; the end of the session leaves it readable, as
    /// does a stream whose peer had finished.
    func terminate(_ error: MplexStreamError, discardUnread: Bool) {
        failWrites(error)
        if discardUnread { unread.removeAll() }
        switch ending {
        case nil: ending = .failed(error)
        case .finished: if discardUnread { ending = .failed(error) }
        case .failed: break  // the first failure is the one reported
        }
        wakeReaderAtEnd()
    }

    private func wakeReaderAtEnd() {
        guard unread.isEmpty, let waiter = reader, let end = readEnd else { return }
        reader = nil
        waiter.continuation.resume(with: end.mapError { $0 as any Error })
    }
}
