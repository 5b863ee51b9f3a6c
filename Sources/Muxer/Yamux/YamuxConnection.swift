import Core
import NIOCore

/// The application's handle on a yamux session. `Sendable`; every call hops to the channel's event loop, where
/// all session state lives. Obtain one from `YamuxChannelHandler.connection` or
/// `ChannelPipeline.SynchronousOperations.addYamuxHandler(role:configuration:onEvent:)`.
public final class YamuxConnection: Sendable {
    public let role: YamuxRole
    public var eventLoop: any EventLoop { handler.eventLoop }
    /// The handler, from the moment it is added to a pipeline.
    let handler: LoopBoundHandler<YamuxChannelHandler>

    init(role: YamuxRole, eventLoop: any EventLoop) {
        self.role = role
        self.handler = LoopBoundHandler(eventLoop: eventLoop)
    }

    /// Called when the handler joins a pipeline. The box keeps the handler for as long as the application
    /// holds this connection or one of its streams, so late calls still see the final state.
    func attach(_ handler: YamuxChannelHandler) { self.handler.attach(handler) }

    // MARK: - Public API

    /// Opens a stream. Waits while `maxUnacknowledgedOutboundStreams` of our SYNs are un-ACKed (the peer
    /// decides when to ACK; a cancelled task stops waiting). Throws `YamuxOpenStreamError` otherwise.
    public func openStream() async throws -> YamuxStream {
        try await suspend(
            ifDetached: .failure(YamuxOpenStreamError.sessionClosed),
            { handler, waiter in handler.openStream(waiter) },
            onCancel: { handler, flag in handler.cancelOpen(flag) })
    }

    /// Streams opened by the peer, in arrival order. Taking one sends its ACK. At most
    /// `maxUnacknowledgedInboundStreams` wait here; beyond that the peer's SYNs are reset. Ends after Go Away
    /// or when the session closes.
    public var inboundStreams: YamuxInboundStreams { YamuxInboundStreams(connection: self) }

    /// Sends a yamux ping and returns its round-trip time (joins a ping already in flight).
    public func ping() async throws -> Duration {
        try await suspend(
            ifDetached: .failure(YamuxPingError.sessionClosed(.connectionLost)),
            { handler, waiter in handler.ping(waiter) },
            onCancel: { handler, flag in handler.cancelPing(flag) })
    }

    /// Sends Go Away (normal) and closes the connection now; open streams fail with `sessionClosed`.
    /// Returns once the channel is closed.
    public func close() async {
        let closed = await handler.query { $0.closeNow() }
        try? await closed?.get()
    }

    /// Sends Go Away (normal): no new streams either way; the connection closes once open streams finish.
    public func goAway() {
        handler.run { $0.goAway() }
    }

    /// The session's streams, recently closed streams and counters; nil once the handler left the pipeline.
    public func snapshot() async -> YamuxSessionSnapshot? {
        await handler.query { $0.session.snapshot }
    }

    /// `snapshot()` for a caller already on this connection's event loop, so one hop can read every
    /// session that lives on the loop.
    func snapshotOnEventLoop() -> YamuxSessionSnapshot? {
        eventLoop.preconditionInEventLoop()
        return handler.onEventLoop?.session.snapshot
    }

    // MARK: - Used by streams and the inbound sequence

    func accept() async throws -> YamuxStream? {
        try await suspend(
            ifDetached: .success(nil),
            { handler, waiter in handler.acceptStream(waiter) },
            onCancel: { handler, flag in handler.cancelAccept(flag) })
    }

    func streamInfo(_ id: YamuxStreamID) async -> YamuxStreamInfo? {
        await handler.query { $0.info(id) }
    }

    func run(_ body: @escaping @Sendable (YamuxChannelHandler) -> Void) {
        handler.run(body)
    }

    /// Parks the calling task until the event loop answers through the waiter passed to `body`.
    /// Cancellation of the task is forwarded to `onCancel` on the event loop (see `YamuxCancellationFlag`).
    func suspend<Value: Sendable>(
        ifDetached detached: Result<Value, any Error>,
        _ body: @escaping @Sendable (YamuxChannelHandler, YamuxWaiter<Value>) -> Void,
        onCancel: @escaping @Sendable (YamuxChannelHandler, YamuxCancellationFlag) -> Void
    ) async throws -> Value {
        try await handler.suspend(ifDetached: detached, body, onCancel: onCancel)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds a `YamuxChannelHandler` at the end of the pipeline and returns its connection. Call on the
    /// channel's event loop, once the layers below deliver plaintext.
    public func addYamuxHandler(
        role: YamuxRole, configuration: YamuxConfiguration = YamuxConfiguration(),
        onEvent: (@Sendable (YamuxConnectionEvent) -> Void)? = nil
    ) throws -> YamuxConnection {
        let handler = YamuxChannelHandler(
            role: role, configuration: configuration, eventLoop: eventLoop, onEvent: onEvent)
        try addHandler(handler)
        return handler.connection
    }
}
