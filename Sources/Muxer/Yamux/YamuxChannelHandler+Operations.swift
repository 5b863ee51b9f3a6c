import Core
import NIOCore

/// The commands `YamuxConnection` and `YamuxStream` run on the event loop. Each either answers its waiter at
/// once or parks it; every parked waiter is answered by an event, a cancellation or the teardown.
extension YamuxChannelHandler {
    // MARK: - Connection

    func openStream(_ waiter: YamuxWaiter<YamuxStream>) {
        if finalReason != nil {
            waiter.fail(YamuxOpenStreamError.sessionClosed)
        } else if !openWaiters.isEmpty || !tryOpen(waiter) {
            openWaiters.append(waiter)
        }
        settle()
    }

    /// Opens a stream for `waiter`; false when the ACK backlog is full and it must wait.
    private func tryOpen(_ waiter: YamuxWaiter<YamuxStream>) -> Bool {
        do {
            let id = try session.openStream(now: now)
            streams[id] = YamuxStreamIO(origin: .local)
            emit(.streamOpened(id, .local))
            waiter.succeed(YamuxStream(id: id, origin: .local, connection: connection))
        } catch .ackBacklogFull {
            return false
        } catch {
            waiter.fail(error)
        }
        return true
    }

    func drainOpenWaiters() {
        while let waiter = openWaiters.first, tryOpen(waiter) { openWaiters.removeFirst() }
    }

    func cancelOpen(_ flag: YamuxCancellationFlag) {
        guard let index = openWaiters.firstIndex(where: { $0.belongs(to: flag) }) else { return }
        openWaiters.remove(at: index).fail(CancellationError())
    }

    func acceptStream(_ waiter: YamuxWaiter<YamuxStream?>) {
        if let id = acceptQueue.popFirst() {
            deliverAccepted(id, to: waiter)
        } else if finalReason != nil || !session.acceptsNewStreams {
            waiter.succeed(nil)
        } else {
            acceptWaiters.append(waiter)
        }
        settle()
    }

    /// The application takes a peer-opened stream: this is when we ACK it (go-yamux does the same).
    func deliverAccepted(_ id: YamuxStreamID, to waiter: YamuxWaiter<YamuxStream?>) {
        session.acceptStream(id, now: now)
        waiter.succeed(YamuxStream(id: id, origin: .remote, connection: connection))
    }

    func cancelAccept(_ flag: YamuxCancellationFlag) {
        guard let index = acceptWaiters.firstIndex(where: { $0.belongs(to: flag) }) else { return }
        acceptWaiters.remove(at: index).fail(CancellationError())
    }

    func ping(_ waiter: YamuxWaiter<Duration>) {
        if let finalReason {
            waiter.fail(YamuxPingError.sessionClosed(finalReason))
            return
        }
        session.sendPing(now: now)
        pingWaiters.append(waiter)
        settle()
    }

    func cancelPing(_ flag: YamuxCancellationFlag) {
        guard let index = pingWaiters.firstIndex(where: { $0.belongs(to: flag) }) else { return }
        pingWaiters.remove(at: index).fail(CancellationError())
    }

    /// Graceful shutdown: Go Away now, close once every stream has finished.
    func goAway() {
        guard finalReason == nil, session.goAwayExchange.sent == nil else { return }
        session.goAway(.normal)
        emit(.goAwaySent(.normal))
        stopNewStreams()
        settle()
    }

    /// Immediate shutdown: Go Away, then close the channel; open streams fail.
    func closeNow() -> EventLoopFuture<Void>? {
        closeSession(.localClose, sendGoAway: true)
        guard let context else { return nil }
        context.close(promise: nil)
        return context.channel.closeFuture
    }

    // MARK: - Streams

    private func io(_ id: YamuxStreamID) -> YamuxStreamIO? { streams[id] }

    /// Largest buffer one `read` returns when several received pieces are waiting (a single larger piece is
    /// returned as it is).
    static let maxCoalescedRead = 1024 * 1024

    package func read(_ id: YamuxStreamID, _ waiter: YamuxWaiter<ByteBuffer?>) {
        guard let io = io(id) else { return waiter.fail(YamuxStreamError.unknownStream(id)) }
        guard io.readWaiter == nil else { return waiter.fail(YamuxStreamError.concurrentOperation) }
        if let piece = io.popInbound(coalescingUpTo: Self.maxCoalescedRead, spare: &spareReadBuffer) {
            session.consumed(id, bytes: piece.readableBytes, now: now)
            waiter.succeed(piece)
            settle()
        } else if let end = io.endOfInput {
            waiter.continuation.resume(with: end.mapError { $0 as any Error })
        } else {
            io.readWaiter = waiter
        }
    }

    package func cancelRead(_ id: YamuxStreamID, _ flag: YamuxCancellationFlag) {
        guard let io = io(id), let waiter = io.readWaiter, waiter.belongs(to: flag) else { return }
        io.readWaiter = nil
        waiter.fail(CancellationError())
    }

    package func write(_ id: YamuxStreamID, _ data: ByteBuffer, _ waiter: YamuxWaiter<Void>) {
        guard let io = io(id) else { return waiter.fail(YamuxStreamError.unknownStream(id)) }
        if let failure = io.writeFailure { return waiter.fail(failure) }
        guard io.pendingWrite == nil, io.finWaiter == nil else {
            return waiter.fail(YamuxStreamError.concurrentOperation)
        }
        io.pendingWrite = YamuxStreamIO.PendingWrite(remaining: data, waiter: waiter)
        pumpWrite(id, io)
        settle()
    }

    /// Moves as much of the pending write into the session as the send window allows. Waits while the channel
    /// is not writable, so a slow connection pushes back on writers instead of queueing without bound.
    func pumpWrite(_ id: YamuxStreamID, _ io: YamuxStreamIO) {
        guard var pending = io.pendingWrite, context?.channel.isWritable ?? true else { return }
        var handedOver = false
        if pending.remaining.readableBytes > 0 {
            do {
                handedOver = try session.write(id, &pending.remaining) > 0
            } catch {
                io.failWrites(error)
                return
            }
        }
        let finished = pending.remaining.readableBytes == 0
        // The stream's state is settled before the flush: writing can make the channel writable again at
        // once, and that re-enters this method for every stream with a pending write.
        io.pendingWrite = finished ? nil : pending
        if handedOver {
            // Accepted while writable: send it now, whatever the channel's state after this write.
            flushOutbound(force: true)
        }
        guard finished else {
            if !io.reportedBlocked {
                io.reportedBlocked = true
                emit(.sendWindowExhausted(id))
            }
            return
        }
        io.reportedBlocked = false
        pending.waiter.succeed(())
        if let finWaiter = io.finWaiter {
            io.finWaiter = nil
            sendFin(id, finWaiter)
        }
    }

    package func cancelWrite(_ id: YamuxStreamID, _ flag: YamuxCancellationFlag) {
        guard let io = io(id), let pending = io.pendingWrite, pending.waiter.belongs(to: flag) else { return }
        // What was already handed to the session is sent; the rest is dropped.
        io.pendingWrite = nil
        io.reportedBlocked = false
        pending.waiter.fail(CancellationError())
    }

    /// Sends FIN after any pending write has gone out.
    package func closeWrite(_ id: YamuxStreamID, _ waiter: YamuxWaiter<Void>) {
        guard let io = io(id) else { return waiter.fail(YamuxStreamError.unknownStream(id)) }
        if let failure = io.writeFailure { return waiter.fail(failure) }
        guard io.finWaiter == nil else { return waiter.fail(YamuxStreamError.concurrentOperation) }
        if io.pendingWrite != nil {
            io.finWaiter = waiter
        } else {
            sendFin(id, waiter)
        }
        settle()
    }

    private func sendFin(_ id: YamuxStreamID, _ waiter: YamuxWaiter<Void>) {
        do {
            process(try session.closeWrite(id))
            io(id)?.failWrites(.writeClosed)
            waiter.succeed(())
        } catch {
            waiter.fail(error)
        }
    }

    package func cancelCloseWrite(_ id: YamuxStreamID, _ flag: YamuxCancellationFlag) {
        guard let io = io(id), let waiter = io.finWaiter, waiter.belongs(to: flag) else { return }
        io.finWaiter = nil
        waiter.fail(CancellationError())
    }

    func reset(_ id: YamuxStreamID, code: UInt32) {
        guard let io = io(id), io.inSession, finalReason == nil else { return }
        session.reset(id, code: code)
        io.inSession = false
        io.finalInfo = session.closedStreamInfo(id)
        io.terminate(.resetLocally, discardBuffered: true)
        emit(.streamClosed(id, .resetLocally(code: code)))
        settle()
    }

    /// The application dropped its `YamuxStream`: reset it if still open, forget the I/O state.
    func release(_ id: YamuxStreamID) {
        reset(id, code: 0)
        streams[id] = nil
    }

    func info(_ id: YamuxStreamID) -> YamuxStreamInfo? {
        guard let io = io(id) else { return session.closedStreamInfo(id) }
        guard io.inSession, let info = session.streamInfo(id) else { return io.finalInfo }
        return info
    }
}

extension YamuxChannelHandler: MuxerStreamOperations {}
