import Core
import NIOCore

/// The application's handle on an mplex session. `Sendable`; every call hops to the channel's event loop,
/// where all session state lives. Obtain one from `MplexChannelHandler.connection` or
/// `ChannelPipeline.SynchronousOperations.addMplexHandler(configuration:onEvent:)`.
public final class MplexConnection: Sendable {
    /// The handler, from the moment it is added to a pipeline. It stays reachable for as long as the
    /// application holds this connection or one of its streams, so late calls still see the final state.
    let handler: LoopBoundHandler<MplexChannelHandler>

    init(eventLoop: any EventLoop) {
        self.handler = LoopBoundHandler(eventLoop: eventLoop)
    }

    public var eventLoop: any EventLoop { handler.eventLoop }

    /// Opens a stream (NewStream is sent at once). Throws `MplexOpenStreamError`.
    public func openStream() async throws -> MplexStream {
        try await handler.suspend(
            ifDetached: .failure(MplexOpenStreamError.sessionClosed),
            { handler, waiter in handler.openStream(waiter) },
            onCancel: { _, _ in })  // answered at once: nothing parks
    }

    /// The next stream the peer opened, or nil once the session takes no more (closed, or `goAway`).
    public func accept() async throws -> MplexStream? {
        try await handler.suspend(
            ifDetached: .success(nil),
            { handler, waiter in handler.acceptStream(waiter) },
            onCancel: { handler, flag in handler.cancelAccept(flag) })
    }

    /// Closes the connection now (queued frames go out first); open streams fail with `sessionClosed`.
    /// Returns once the channel is closed.
    public func close() async {
        let closed = await handler.query { $0.closeNow() }
        try? await closed?.get()
    }

    /// No new streams either way; the connection closes once open streams end.
    public func goAway() {
        handler.run { $0.goAway() }
    }

    /// The session's streams, recently ended streams and counters; nil once the handler left the pipeline.
    public func snapshot() async -> MplexSessionSnapshot? {
        await handler.query { $0.session.snapshot }
    }

    /// `snapshot()` for a caller already on this connection's event loop.
    func snapshotOnEventLoop() -> MplexSessionSnapshot? {
        eventLoop.preconditionInEventLoop()
        return handler.onEventLoop?.session.snapshot
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds an `MplexChannelHandler` at the end of the pipeline and returns its connection. Call on the
    /// channel's event loop, once the layers below deliver plaintext.
    public func addMplexHandler(
        configuration: MplexConfiguration = MplexConfiguration(),
        onEvent: (@Sendable (MuxerEvent) -> Void)? = nil
    ) throws -> MplexConnection {
        let handler = MplexChannelHandler(configuration: configuration, eventLoop: eventLoop, onEvent: onEvent)
        try addHandler(handler)
        return handler.connection
    }
}
