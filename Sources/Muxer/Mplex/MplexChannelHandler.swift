import Core
import DequeModule
import NIOCore

/// Runs an `MplexSession` on a channel whose messages are plaintext `ByteBuffer`s (in production the
/// security handler sits below; in tests a bare socket or an `EmbeddedChannel`).
///
/// Everything happens on the channel's event loop. Reads go into the session; frames produced while
/// handling them leave in one write at the end of the read cycle (or of the event-loop tick, for API
/// calls). mplex has no flow control, so backpressure is the channel's writability: a stream's write waits
/// while the channel is not writable, and other frames are held until it is (bounded by
/// `maxQueuedOutboundBytes`). The application talks to the session through `connection`, never the handler.
public final class MplexChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = Never
    public typealias OutboundIn = Never
    public typealias OutboundOut = ByteBuffer

    /// The application's handle on this session, held by the handler only while it is in a pipeline: the
    /// connection keeps the handler reachable (late calls still see the final state), and dropping this
    /// reference on removal breaks the cycle. After removal this is a fresh connection whose calls fail.
    public var connection: MplexConnection {
        connectionWhileAttached ?? MplexConnection(eventLoop: eventLoop)
    }
    private var connectionWhileAttached: MplexConnection?
    private let eventLoop: any EventLoop

    var session: MplexSession
    let onEvent: (@Sendable (MuxerEvent) -> Void)?
    var context: ChannelHandlerContext?
    var streams: [MplexStreamID: MplexStreamIO] = [:]
    /// Peer-opened streams waiting for the application (bounded by `maxInboundStreams`).
    var acceptQueue: Deque<MplexStreamID> = []
    var acceptWaiters: Deque<EventLoopWaiter<MplexStream?>> = []
    private var flushScheduled = false
    /// Set once the session has ended and every waiter was answered.
    private(set) var finalReason: MplexSessionCloseReason?

    /// - Parameters:
    ///   - eventLoop: the event loop of the channel this handler will be added to.
    ///   - onEvent: called on the event loop for every event, in order.
    public init(
        configuration: MplexConfiguration = MplexConfiguration(), eventLoop: any EventLoop,
        onEvent: (@Sendable (MuxerEvent) -> Void)? = nil
    ) {
        self.session = MplexSession(configuration: configuration)
        self.onEvent = onEvent
        self.eventLoop = eventLoop
        self.connectionWhileAttached = MplexConnection(eventLoop: eventLoop)
    }

    /// The event loop's clock (virtual on test loops); only stream ages use it.
    var now: NIODeadline { eventLoop.now }

    // MARK: - Channel lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        precondition(eventLoop.inEventLoop, "MplexChannelHandler was created for another event loop than its channel's")
        self.context = context
        connection.handler.attach(self)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        tearDown(.connectionLost)
        connectionWhileAttached = nil
        self.context = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        tearDown(.connectionLost)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        process(session.receive(&bytes, now: now))
        // Checked per read, not only per flush: one read cycle can deliver megabytes of NewStreams.
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

    /// Closing the channel sends what is queued (resets, closes) first; mplex has no goodbye frame.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all { closeSession(.localClose) }
        context.close(mode: mode, promise: promise)
    }

    // MARK: - Output

    /// Runs after every input or command: closes a session that stopped taking streams once the last one
    /// ended, and makes sure queued frames get flushed.
    func settle() {
        closeIfGoingAwayAndIdle()
        scheduleFlush()
    }

    /// Flushes at the end of this event-loop tick, so the frames of several API calls in one tick still go
    /// out together.
    private func scheduleFlush() {
        guard !flushScheduled, session.outboundBytes > 0, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flushOutbound()
        }
    }

    /// Writes what the session produced since the last flush, as one buffer. While the channel is not
    /// writable the frames are held (writability returning flushes them), unless `force`: data a writer
    /// handed over while the channel was writable goes out at once.
    func flushOutbound(force: Bool = false) {
        guard let context, session.outboundBytes > 0 else { return }
        guard force || context.channel.isWritable else {
            enforceHeldOutboundLimit()
            return
        }
        guard let bytes = session.takeOutbound() else { return }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    /// The peer makes us answer (resets of its streams) without reading: past the bound, cut it off.
    private func enforceHeldOutboundLimit() {
        let queued = session.outboundBytes
        let limit = session.configuration.maxQueuedOutboundBytes
        guard finalReason == nil, queued > limit else { return }
        tearDown(.outboundBacklogExceeded(bytes: queued, limit: limit))
        context?.close(promise: nil)
    }

    // MARK: - Session events

    func emit(_ event: MuxerEvent) { onEvent?(event) }

    func process(_ events: [MplexEvent]) {
        // Streams refused while handling this batch: their later events in the batch belong to nobody.
        var refused: Set<MplexStreamID> = []
        for event in events {
            if let id = event.streamID, refused.contains(id) { continue }
            if let id = process(event) { refused.insert(id) }
        }
    }

    /// Handles one event; returns the ID of a stream it refused, if any.
    private func process(_ event: MplexEvent) -> MplexStreamID? {
        switch event {
        case .streamOpenedByRemote(let id, _):
            guard streams[id] == nil else {
                // The peer reused the number of a stream the application still holds: never mix the two.
                session.reset(id)
                emit(.streamRejected(streamID: id.connectionUniqueValue, MplexStreamRejection.streamIDInUse.muxerRejection))
                return id
            }
            streams[id] = MplexStreamIO(origin: .remote)
            emit(.streamOpened(streamID: id.connectionUniqueValue, .remote))
            if let waiter = acceptWaiters.popFirst() {
                waiter.succeed(MplexStream(id: id, connection: connection))
            } else {
                acceptQueue.append(id)
            }
        case .data(let id, let data):
            guard let io = streams[id] else { return nil }
            let handedOver = io.deliver(data)
            if handedOver > 0 { session.consumed(id, bytes: handedOver) }
        case .remoteFinished(let id):
            streams[id]?.remoteFinished()
        case .streamClosed(let id):
            streamEnded(id, cause: .finished, error: nil)
        case .streamReset(let id):
            streamEnded(id, cause: .resetByRemote, error: .resetByRemote)
        case .streamAborted(let id, let violation):
            streamEnded(id, cause: .aborted(violation), error: .aborted(violation))
        case .streamRejected(let id, let rejection):
            emit(.streamRejected(streamID: id.connectionUniqueValue, rejection.muxerRejection))
        case .protocolError(let error):
            tearDown(.protocolError(error))
            context?.close(promise: nil)
        }
        return nil
    }

    /// The session forgot a stream. `error` (nil for a clean close) fails what still waits on it.
    func streamEnded(_ id: MplexStreamID, cause: MplexStreamCloseCause, error: MplexStreamError?) {
        guard let io = streams[id], io.inSession else { return }
        io.inSession = false
        io.finalInfo = session.closedStreamInfo(id)
        if let error { io.terminate(error, discardUnread: true) }
        emit(.streamClosed(streamID: id.connectionUniqueValue, cause: cause.description, reset: cause.isReset))
        // A peer-opened stream the application never accepted has nobody to tell.
        if let index = acceptQueue.firstIndex(of: id) {
            acceptQueue.remove(at: index)
            streams[id] = nil
        }
    }

    // MARK: - Ending the session

    /// `goAway()` was called and no stream is left: the session is done.
    private func closeIfGoingAwayAndIdle() {
        guard finalReason == nil, session.isGoingAway, !session.hasLiveStreams else { return }
        closeSession(.localClose)
        context?.close(promise: nil)
    }

    /// Ends the session on our side: flush what is queued, answer everything still waiting.
    func closeSession(_ reason: MplexSessionCloseReason) {
        guard finalReason == nil else { return }
        flushOutbound(force: true)
        tearDown(reason)
    }

    /// Fails every stream and waiter once. The session's own reason (protocol error) wins over `fallback`.
    func tearDown(_ fallback: MplexSessionCloseReason) {
        guard finalReason == nil else { return }
        let reason = session.closeReason ?? fallback
        for (id, io) in streams where io.inSession { io.finalInfo = session.streamInfo(id) }
        session.close(reason)
        finalReason = reason
        let cause = MplexStreamCloseCause.sessionClosed(reason)
        for (id, io) in streams.sorted(by: { $0.key < $1.key }) {
            io.terminate(.sessionClosed(reason), discardUnread: false)
            if io.inSession {
                io.inSession = false
                emit(.streamClosed(streamID: id.connectionUniqueValue, cause: cause.description, reset: true))
            }
        }
        for id in acceptQueue { streams[id] = nil }
        acceptQueue.removeAll()
        let accepts = acceptWaiters
        acceptWaiters.removeAll()
        for waiter in accepts { waiter.succeed(nil) }
        emit(.closed(reason: reason.description, error: reason.isError))
    }
}

@available(*, unavailable)
extension MplexChannelHandler: Sendable {}

extension MplexStreamRejection {
    /// The rejection in the muxer-independent vocabulary the Host reports.
    var muxerRejection: MuxerStreamRejection {
        switch self {
        case .maxInboundStreams(let limit): MuxerStreamRejection(limit: "mplex max inbound streams", value: limit)
        case .goingAway, .streamIDInUse: MuxerStreamRejection(limit: "mplex", value: nil, detail: description)
        }
    }
}
