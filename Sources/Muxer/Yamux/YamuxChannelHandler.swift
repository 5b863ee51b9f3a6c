import DequeModule
import NIOCore

/// Runs a `YamuxSession` on a channel whose inbound and outbound messages are plaintext `ByteBuffer`s (in
/// production the Noise handler sits below; in tests a bare TCP socket or an `EmbeddedChannel`).
///
/// Everything here happens on the channel's event loop. Reads go into the session; the frames produced during
/// one read cycle (or one event-loop tick of API calls) leave as a single write, so the layer below can pack
/// them into large frames. A timer drives keepalive/RTT pings. The application talks to the session through
/// `connection` (a `YamuxConnection`, `Sendable`), never through the handler.
public final class YamuxChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = Never
    public typealias OutboundIn = Never
    public typealias OutboundOut = ByteBuffer

    /// The application's handle on this session. Held by the handler only while it is in a pipeline: the
    /// connection keeps the handler reachable (so calls after the channel closed still see the final state),
    /// and dropping this reference on removal breaks the cycle.
    /// After removal this is a fresh connection whose calls fail as closed.
    public var connection: YamuxConnection {
        connectionWhileAttached ?? YamuxConnection(role: session.role, eventLoop: eventLoop)
    }
    private var connectionWhileAttached: YamuxConnection?
    private let eventLoop: any EventLoop

    var session: YamuxSession
    let onEvent: (@Sendable (YamuxConnectionEvent) -> Void)?
    var context: ChannelHandlerContext?
    var streams: [YamuxStreamID: YamuxStreamIO] = [:]
    /// Peer-opened streams waiting for the application to accept them (bounded by the ACK backlog).
    var acceptQueue: Deque<YamuxStreamID> = []
    var acceptWaiters: Deque<YamuxWaiter<YamuxStream?>> = []
    /// `openStream` calls waiting for the outbound ACK backlog to drain, in order.
    var openWaiters: Deque<YamuxWaiter<YamuxStream>> = []
    var pingWaiters: [YamuxWaiter<Duration>] = []
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var flushScheduled = false
    /// The last buffer a read coalesced pieces into, reused by the next such read on any stream (one per
    /// connection, at most `maxCoalescedRead` bytes).
    var spareReadBuffer: ByteBuffer?
    private var started = false
    /// Set once the session has ended and every waiter was failed.
    private(set) var finalReason: YamuxSessionCloseReason?

    /// - Parameters:
    ///   - role: `.client` if we dialed the connection.
    ///   - eventLoop: the event loop of the channel this handler will be added to.
    ///   - onEvent: called on the event loop for every `YamuxConnectionEvent`.
    public init(
        role: YamuxRole, configuration: YamuxConfiguration = YamuxConfiguration(), eventLoop: any EventLoop,
        onEvent: (@Sendable (YamuxConnectionEvent) -> Void)? = nil
    ) {
        self.session = YamuxSession(role: role, configuration: configuration, now: eventLoop.now)
        self.onEvent = onEvent
        self.eventLoop = eventLoop
        self.connectionWhileAttached = YamuxConnection(role: role, eventLoop: eventLoop)
    }

    /// The event loop's clock (virtual on test loops, so timers can be driven by advancing it).
    var now: NIODeadline { eventLoop.now }

    // MARK: - Channel lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        precondition(eventLoop.inEventLoop, "YamuxChannelHandler was created for another event loop than its channel's")
        self.context = context
        connection.attach(self)
        if context.channel.isActive { start() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        tearDown(.connectionLost)
        connectionWhileAttached = nil
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        tearDown(.connectionLost)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        process(session.receive(&bytes, now: now))
        // Checked per read, not only per flush: one read cycle can deliver megabytes of pings.
        if !context.channel.isWritable { enforceHeldOutboundLimit() }
        settle()
    }

    /// The end of a read cycle: everything the cycle produced leaves in one write.
    public func channelReadComplete(context: ChannelHandlerContext) {
        flushOutbound()
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            flushOutbound()
            for (id, io) in streams where io.pendingWrite != nil { pumpWrite(id, io) }
            settle()
        }
        context.fireChannelWritabilityChanged()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tearDown(.transportError(String(describing: error)))
        context.close(promise: nil)
    }

    /// Raw writes would corrupt the framing: only the session writes to this channel.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    /// Closing the channel says goodbye first: Go Away (normal) goes out before the close.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all { closeSession(.localClose, sendGoAway: true) }
        context.close(mode: mode, promise: promise)
    }

    private func start() {
        guard !started else { return }
        started = true
        // go-yamux measures the RTT right away; window auto-tuning needs it.
        if session.configuration.keepAliveInterval != nil { session.sendPing(now: now) }
        settle()
    }

    // MARK: - Output and timers

    /// Runs after every input or command: retries waiting opens, closes a drained session after Go Away,
    /// re-arms the timer and makes sure queued frames get flushed.
    func settle() {
        drainOpenWaiters()
        closeIfGoneAwayAndIdle()
        rearmTimer()
        scheduleFlush()
    }

    /// Flushes at the end of this event-loop tick, so the frames of several API calls in one tick (or of a read
    /// whose layer below never signals read-complete) still go out together.
    private func scheduleFlush() {
        // Every path that queues frames runs `settle` afterwards, so nothing queued now means no flush is owed.
        guard !flushScheduled, session.hasOutbound, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flushOutbound()
        }
    }

    /// Writes everything the session produced since the last flush as one buffer. While the channel is not
    /// writable the frames stay in the session (writability returning flushes them), unless `force`: data a
    /// writer handed over while the channel was writable, and the last frames before a close, go out at once.
    ///
    /// Held frames are the session's own answers (ping replies, window updates, resets of refused streams):
    /// a peer that sends pings without reading would otherwise pile replies up in the channel without bound.
    func flushOutbound(force: Bool = false) {
        guard let context, session.hasOutbound else { return }
        guard force || context.channel.isWritable else {
            enforceHeldOutboundLimit()
            return
        }
        guard let bytes = session.takeOutbound() else { return }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    /// Closes the session when the frames held for an unwritable channel pass their bound.
    private func enforceHeldOutboundLimit() {
        let queued = session.outboundBytes
        let limit = session.configuration.maxQueuedOutboundBytes
        guard finalReason == nil, queued > limit else { return }
        tearDown(.outboundBacklogExceeded(bytes: queued, limit: limit))
        context?.close(promise: nil)
    }

    private func rearmTimer() {
        guard let context, finalReason == nil, let deadline = session.nextTimerDeadline else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            return
        }
        // A timer firing early is harmless (it re-arms), so only move it forward.
        if timer != nil, let current = timerDeadline, current <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            self.timerDeadline = nil
            self.process(self.session.handleTimer(now: self.now))
            self.settle()
        }
    }

    // MARK: - Session events

    func emit(_ event: YamuxConnectionEvent) { onEvent?(event) }

    func process(_ events: [YamuxEvent]) {
        // IDs refused while handling this batch: their later events in the batch belong to nobody.
        var refused: Set<YamuxStreamID> = []
        for event in events {
            if let id = event.streamID, refused.contains(id) { continue }
            if let id = process(event) { refused.insert(id) }
        }
    }

    /// Handles one event; returns the ID of a stream it refused, if any.
    private func process(_ event: YamuxEvent) -> YamuxStreamID? {
        switch event {
        case .streamOpenedByRemote(let id):
            guard streams[id] == nil else {
                // The peer reused the ID of a stream the application still holds: never mix the two.
                session.reset(id, code: 0)
                emit(.streamRejected(id, .streamIDInUse))
                return id
            }
            streams[id] = YamuxStreamIO(origin: .remote)
            emit(.streamOpened(id, .remote))
            if let waiter = acceptWaiters.popFirst() {
                deliverAccepted(id, to: waiter)
            } else {
                acceptQueue.append(id)
            }
        case .streamAcknowledged:
            break  // `settle` retries waiting opens
        case .data(let id, let data):
            guard let io = streams[id] else { return nil }
            let handedOver = io.deliver(data)
            if handedOver > 0 { session.consumed(id, bytes: handedOver, now: now) }
        case .remoteFinished(let id):
            streams[id]?.remoteFinished()
        case .streamReset(let id, let code):
            streamEnded(id, cause: .resetByRemote(code: code), error: .resetByRemote(code: code))
        case .streamAborted(let id, let violation):
            streamEnded(id, cause: .aborted(violation), error: .aborted(violation))
        case .streamClosed(let id):
            streamEnded(id, cause: .finished, error: nil)
        case .sendWindowOpened(let id):
            if let io = streams[id] { pumpWrite(id, io) }
        case .streamRejected(let id, let reason):
            emit(.streamRejected(id, reason))
        case .pingRTT(let duration):
            emit(.pingRTT(duration))
            let waiters = pingWaiters
            pingWaiters.removeAll()
            for waiter in waiters { waiter.succeed(duration) }
        case .goAwayReceived(let code):
            emit(.goAwayReceived(code))
            stopNewStreams()
        case .protocolError(let error):
            // The session queued Go Away (protocol error): send it, then close.
            flushOutbound(force: true)
            tearDown(.protocolError(error))
            context?.close(promise: nil)
        case .keepAliveTimedOut:
            tearDown(.keepAliveTimeout)
            context?.close(promise: nil)
        }
        return nil
    }

    /// The session forgot a stream. `error` (nil for a clean close) fails what is still waiting on it.
    func streamEnded(_ id: YamuxStreamID, cause: YamuxStreamCloseCause, error: YamuxStreamError?) {
        guard let io = streams[id], io.inSession else { return }
        io.inSession = false
        io.finalInfo = session.closedStreamInfo(id)
        if let error { io.terminate(error, discardBuffered: true) }
        emit(.streamClosed(id, cause))
        // A peer-opened stream the application never accepted has nobody to tell.
        if let index = acceptQueue.firstIndex(of: id) {
            acceptQueue.remove(at: index)
            streams[id] = nil
        }
    }

    /// After Go Away (either way): waiting opens fail, the accept sequence ends once its queue is empty.
    func stopNewStreams() {
        let opens = openWaiters
        openWaiters.removeAll()
        for waiter in opens { waiter.fail(YamuxOpenStreamError.goingAway) }
        if acceptQueue.isEmpty {
            let accepts = acceptWaiters
            acceptWaiters.removeAll()
            for waiter in accepts { waiter.succeed(nil) }
        }
    }

    // MARK: - Ending the session

    /// Go Away was sent or received and no stream is left: the session is done (go-yamux ends the session on
    /// Go Away; we let open streams finish first).
    private func closeIfGoneAwayAndIdle() {
        guard finalReason == nil, !session.hasLiveStreams else { return }
        let exchange = session.goAwayExchange
        if exchange.sent != nil {
            closeSession(.localClose, sendGoAway: false)
            context?.close(promise: nil)
        } else if let code = exchange.received {
            closeSession(.remoteGoAway(code), sendGoAway: false)
            context?.close(promise: nil)
        }
    }

    /// Ends the session on our side: optionally Go Away (normal), flush, fail everything still waiting.
    func closeSession(_ reason: YamuxSessionCloseReason, sendGoAway: Bool) {
        guard finalReason == nil else { return }
        if sendGoAway, session.goAwayExchange.sent == nil, !session.isClosed {
            session.goAway(.normal)
            emit(.goAwaySent(.normal))
        }
        flushOutbound(force: true)
        tearDown(reason)
    }

    /// Fails every stream and waiter once. The session's own reason (protocol error, keepalive) wins over
    /// `fallback`; a connection lost after the peer's Go Away counts as that Go Away.
    func tearDown(_ fallback: YamuxSessionCloseReason) {
        guard finalReason == nil else { return }
        var reason = session.closeReason ?? fallback
        if reason == .connectionLost, let code = session.goAwayExchange.received { reason = .remoteGoAway(code) }
        session.close(reason)
        finalReason = reason
        timer?.cancel()
        timer = nil
        timerDeadline = nil

        for (id, io) in streams.sorted(by: { $0.key < $1.key }) {
            io.terminate(.sessionClosed(reason), discardBuffered: false)
            if io.inSession {
                io.inSession = false
                emit(.streamClosed(id, .sessionClosed(reason)))
            }
        }
        for id in acceptQueue { streams[id] = nil }
        acceptQueue.removeAll()
        let accepts = acceptWaiters
        acceptWaiters.removeAll()
        for waiter in accepts { waiter.succeed(nil) }
        let opens = openWaiters
        openWaiters.removeAll()
        for waiter in opens { waiter.fail(YamuxOpenStreamError.sessionClosed) }
        let pings = pingWaiters
        pingWaiters.removeAll()
        for waiter in pings { waiter.fail(YamuxPingError.sessionClosed(reason)) }
        emit(.closed(reason))
    }
}

@available(*, unavailable)
extension YamuxChannelHandler: Sendable {}
