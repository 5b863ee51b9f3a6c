import Core
import NIOCore

/// The commands `MplexConnection` and `MplexStream` run on the event loop. Each either answers its waiter at
/// once or parks it; every parked waiter is answered by an event, a cancellation or the teardown.
extension MplexChannelHandler {
    // MARK: - Connection

    /// mplex opens without a handshake: NewStream goes out and the stream is usable at once.
    func openStream(_ waiter: EventLoopWaiter<MplexStream>) {
        guard finalReason == nil else { return waiter.fail(MplexOpenStreamError.sessionClosed) }
        do {
            let id = try session.openStream(now: now)
            streams[id] = MplexStreamIO(origin: .local)
            emit(.streamOpened(streamID: id.connectionUniqueValue, .local))
            waiter.succeed(MplexStream(id: id, connection: connection))
        } catch {
            waiter.fail(error)
        }
        settle()
    }

    func acceptStream(_ waiter: EventLoopWaiter<MplexStream?>) {
        if let id = acceptQueue.popFirst() {
            waiter.succeed(MplexStream(id: id, connection: connection))
        } else if finalReason != nil || !session.acceptsNewStreams {
            waiter.succeed(nil)
        } else {
            acceptWaiters.append(waiter)
        }
    }

    func cancelAccept(_ flag: WaiterCancellationFlag) {
        guard let index = acceptWaiters.firstIndex(where: { $0.belongs(to: flag) }) else { return }
        acceptWaiters.remove(at: index).fail(CancellationError())
    }

    /// No new streams either way; the connection closes once the open ones end. Peers learn of it only by
    /// the resets of streams they open from now on.
    func goAway() {
        guard finalReason == nil else { return }
        session.goAway()
        if acceptQueue.isEmpty {
            let accepts = acceptWaiters
            acceptWaiters.removeAll()
            for waiter in accepts { waiter.succeed(nil) }
        }
        settle()
    }

    /// Immediate shutdown: queued frames go out, the channel closes, open streams fail.
    func closeNow() -> EventLoopFuture<Void>? {
        closeSession(.localClose)
        guard let context else { return nil }
        context.close(promise: nil)
        return context.channel.closeFuture
    }

    // MARK: - Streams

    /// Largest buffer one `read` returns when several received pieces wait (a larger single piece is
    /// returned as it is).
    static let maxJoinedRead = 256 * 1024

    package func read(_ id: MplexStreamID, _ waiter: EventLoopWaiter<ByteBuffer?>) {
        guard let io = streams[id] else { return waiter.fail(MplexStreamError.unknownStream(id)) }
        guard io.reader == nil else { return waiter.fail(MplexStreamError.concurrentOperation) }
        if let piece = io.takeUnread(joiningUpTo: Self.maxJoinedRead) {
            session.consumed(id, bytes: piece.readableBytes)
            waiter.succeed(piece)
        } else if let end = io.readEnd {
            waiter.continuation.resume(with: end.mapError { $0 as any Error })
        } else {
            io.reader = waiter
        }
    }

    package func cancelRead(_ id: MplexStreamID, _ flag: WaiterCancellationFlag) {
        guard let io = streams[id], let waiter = io.reader, waiter.belongs(to: flag) else { return }
        io.reader = nil
        waiter.fail(CancellationError())
    }

    package func write(_ id: MplexStreamID, _ data: ByteBuffer, _ waiter: EventLoopWaiter<Void>) {
        guard let io = streams[id] else { return waiter.fail(MplexStreamError.unknownStream(id)) }
        if let failure = io.writeFailure { return waiter.fail(failure) }
        guard io.pendingWrite == nil, io.closeWaiter == nil else {
            return waiter.fail(MplexStreamError.concurrentOperation)
        }
        io.pendingWrite = (data, waiter)
        pumpWrite(id, io)
        settle()
    }

    /// Hands the parked write to the session once the channel is writable, and sends it at once: the only
    /// backpressure mplex has is the connection's, so a slow peer makes writers wait instead of queueing
    /// without bound. At most one write per stream is in flight past the channel's high watermark.
    func pumpWrite(_ id: MplexStreamID, _ io: MplexStreamIO) {
        guard let pending = io.pendingWrite, context?.channel.isWritable ?? true else { return }
        io.pendingWrite = nil
        do {
            try session.write(id, pending.data)
        } catch {
            pending.waiter.fail(error)
            return
        }
        flushOutbound(force: true)
        pending.waiter.succeed(())
        if let closeWaiter = io.closeWaiter {
            io.closeWaiter = nil
            sendClose(id, closeWaiter)
        }
    }

    package func cancelWrite(_ id: MplexStreamID, _ flag: WaiterCancellationFlag) {
        guard let io = streams[id], let pending = io.pendingWrite, pending.waiter.belongs(to: flag) else { return }
        // Nothing of a parked write was sent yet.
        io.pendingWrite = nil
        pending.waiter.fail(CancellationError())
        // A Close parked behind the write has nothing left to wait for.
        if let closeWaiter = io.closeWaiter {
            io.closeWaiter = nil
            sendClose(id, closeWaiter)
            settle()
        }
    }

    /// Sends Close after any parked write.
    package func closeWrite(_ id: MplexStreamID, _ waiter: EventLoopWaiter<Void>) {
        guard let io = streams[id] else { return waiter.fail(MplexStreamError.unknownStream(id)) }
        if let failure = io.writeFailure { return waiter.fail(failure) }
        guard io.closeWaiter == nil else { return waiter.fail(MplexStreamError.concurrentOperation) }
        if io.pendingWrite != nil {
            io.closeWaiter = waiter
        } else {
            sendClose(id, waiter)
        }
        settle()
    }

    private func sendClose(_ id: MplexStreamID, _ waiter: EventLoopWaiter<Void>) {
        do {
            process(try session.closeWrite(id))
            streams[id]?.failWrites(.writeClosed)
            waiter.succeed(())
        } catch {
            waiter.fail(error)
        }
    }

    package func cancelCloseWrite(_ id: MplexStreamID, _ flag: WaiterCancellationFlag) {
        guard let io = streams[id], let waiter = io.closeWaiter, waiter.belongs(to: flag) else { return }
        io.closeWaiter = nil
        waiter.fail(CancellationError())
    }

    func reset(_ id: MplexStreamID) {
        guard let io = streams[id], io.inSession, finalReason == nil else { return }
        session.reset(id)
        io.inSession = false
        io.finalInfo = session.closedStreamInfo(id)
        io.terminate(.resetLocally, discardUnread: true)
        let cause = MplexStreamCloseCause.resetLocally
        emit(.streamClosed(streamID: id.connectionUniqueValue, cause: cause.description, reset: true))
        settle()
    }

    /// The application dropped its `MplexStream`: reset it if still open, forget the I/O state.
    func release(_ id: MplexStreamID) {
        reset(id)
        streams[id] = nil
    }

    func info(_ id: MplexStreamID) -> MplexStreamInfo? {
        guard let io = streams[id] else { return session.closedStreamInfo(id) }
        guard io.inSession, let info = session.streamInfo(id) else { return io.finalInfo }
        return info
    }
}

extension MplexChannelHandler: MuxerStreamOperations {}
