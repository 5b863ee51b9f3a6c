import NIOCore

/// Runs one multistream-select negotiation (dialer or listener) on a channel, then leaves the pipeline.
///
/// The promise succeeds with the chosen protocol ID. Configure the next layer in a callback on the
/// promise's future: callbacks run synchronously on the event loop when the promise completes, so the
/// next handler is in place when this handler forwards the leftover bytes (data that arrived behind
/// the last multistream message, e.g. the first Noise message) and removes itself.
///
/// A lazy dialer succeeds the promise right after sending its proposal, keeps reading until the
/// listener's header and echo are verified, then forwards the leftover and leaves. A refusal after
/// that point is reported with `fireErrorCaught` and closes the channel. The optional `confirmed`
/// promise tells the two apart: it succeeds once the listener really accepted the protocol (for a
/// non-lazy negotiation, together with `negotiated`) and fails with the `MultistreamError` (refusal,
/// malformed answer, connection closed) before the error is fired and the channel closed.
///
/// On failure the promise fails with a `MultistreamError` and the channel is closed.
public final class MultistreamNegotiationHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum Machine {
        case dialer(MultistreamDialer)
        case listener(MultistreamListener)
    }

    private enum State {
        case notStarted
        case negotiating(promiseCompleted: Bool)
        case finished
    }

    private var machine: Machine
    private var state: State = .notStarted
    private let promise: EventLoopPromise<String>
    /// Cleared once completed.
    private var confirmed: EventLoopPromise<String>?

    public init(
        dialer: MultistreamDialer,
        negotiated promise: EventLoopPromise<String>,
        confirmed: EventLoopPromise<String>? = nil
    ) {
        self.machine = .dialer(dialer)
        self.promise = promise
        self.confirmed = confirmed
    }

    public init(listener: MultistreamListener, negotiated promise: EventLoopPromise<String>) {
        self.machine = .listener(listener)
        self.promise = promise
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            start(context: context)
        }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .negotiating = state else {
            context.fireChannelRead(data)
            return
        }
        let bytes = unwrapInboundIn(data)
        let actions: [MultistreamAction]
        switch machine {
        case .dialer(var dialer):
            actions = dialer.receive(bytes)
            machine = .dialer(dialer)
        case .listener(var listener):
            actions = listener.receive(bytes)
            machine = .listener(listener)
        }
        perform(actions, context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .negotiating = state {
            fail(.closedDuringNegotiation(phase: currentPhase), context: context)
        }
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        if case .negotiating(let promiseCompleted) = state {
            state = .finished
            failConfirmation(error)
            if !promiseCompleted {
                promise.fail(error)
            }
        }
        context.fireErrorCaught(error)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        switch state {
        case .notStarted, .negotiating(promiseCompleted: false):
            state = .finished
            let error = MultistreamError.closedDuringNegotiation(phase: currentPhase)
            failConfirmation(error)
            promise.fail(error)
        case .negotiating(promiseCompleted: true):
            state = .finished
            failConfirmation(MultistreamError.closedDuringNegotiation(phase: currentPhase))
        case .finished:
            break
        }
    }

    // MARK: - Driving the state machine

    private var currentPhase: MultistreamPhase {
        switch machine {
        case .dialer(let dialer): return dialer.phase ?? .awaitingHeader
        case .listener(let listener): return listener.phase ?? .awaitingHeader
        }
    }

    private func start(context: ChannelHandlerContext) {
        guard case .notStarted = state else { return }
        state = .negotiating(promiseCompleted: false)
        let actions: [MultistreamAction]
        switch machine {
        case .dialer(var dialer):
            actions = dialer.start()
            machine = .dialer(dialer)
        case .listener(var listener):
            actions = listener.start()
            machine = .listener(listener)
        }
        perform(actions, context: context)
    }

    private func perform(_ actions: [MultistreamAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let bytes):
                context.write(wrapOutboundOut(bytes), promise: nil)
                wrote = true
            case .optimisticallySelected(let chosen):
                // Flush first so the proposal precedes anything the next layer writes and flushes.
                if wrote {
                    context.flush()
                    wrote = false
                }
                state = .negotiating(promiseCompleted: true)
                promise.succeed(chosen)
            case .negotiated(let chosen, let leftover):
                if wrote {
                    context.flush()
                    wrote = false
                }
                finish(chosen, leftover: leftover, context: context)
            case .failed(let error):
                if wrote {
                    context.flush()
                    wrote = false
                }
                fail(error, context: context)
            }
        }
        if wrote {
            context.flush()
        }
    }

    private func finish(_ chosen: String, leftover: ByteBuffer, context: ChannelHandlerContext) {
        let promiseCompleted: Bool
        if case .negotiating(let completed) = state {
            promiseCompleted = completed
        } else {
            promiseCompleted = true
        }
        state = .finished
        if !promiseCompleted {
            promise.succeed(chosen)
        }
        confirmed?.succeed(chosen)
        confirmed = nil
        if leftover.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(leftover))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func fail(_ error: MultistreamError, context: ChannelHandlerContext) {
        guard case .negotiating(let promiseCompleted) = state else { return }
        state = .finished
        // Before the error travels on and the channel closes, so the owner reports this refusal
        // rather than the next layer's "connection closed".
        failConfirmation(error)
        if promiseCompleted {
            context.fireErrorCaught(error)
        } else {
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}

extension MultistreamNegotiationHandler {
    private func failConfirmation(_ error: any Error) {
        confirmed?.fail(error)
        confirmed = nil
    }
}

@available(*, unavailable)
extension MultistreamNegotiationHandler: Sendable {}
