import NIOCore

/// A muxer's channel handler as the application reaches it: every call hops to the handler's event loop,
/// where all of its state lives. Empty until the handler joins a pipeline; the handler may keep the box
/// filled after it left, so late calls still see its final state.
package struct LoopBoundHandler<Handler: AnyObject>: Sendable {
    package let eventLoop: any EventLoop
    private let box: NIOLoopBoundBox<Handler?>

    package init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.box = .makeEmptyBox(valueType: Handler.self, eventLoop: eventLoop)
    }

    /// Called on the event loop when the handler joins a pipeline.
    package func attach(_ handler: Handler) { box.value = handler }

    /// The handler, for a caller already on the event loop.
    package var onEventLoop: Handler? { box.value }

    /// Runs `body` on the event loop, if there is a handler.
    package func run(_ body: @escaping @Sendable (Handler) -> Void) {
        eventLoop.execute { [box] in
            if let handler = box.value { body(handler) }
        }
    }

    /// What `body` reads from the handler on the event loop; nil without a handler.
    package func query<Value: Sendable>(_ body: @escaping @Sendable (Handler) -> Value?) async -> Value? {
        try? await eventLoop.submit { [box] in box.value.flatMap(body) }.get()
    }

    /// Parks the calling task until the event loop answers through the waiter passed to `body`; without a
    /// handler the call completes with `detached`. Cancellation of the task is forwarded to `onCancel` on
    /// the event loop (see `WaiterCancellationFlag`).
    package func suspend<Value: Sendable>(
        ifDetached detached: Result<Value, any Error>,
        _ body: @escaping @Sendable (Handler, EventLoopWaiter<Value>) -> Void,
        onCancel: @escaping @Sendable (Handler, WaiterCancellationFlag) -> Void
    ) async throws -> Value {
        let flag = WaiterCancellationFlag()
        let box = self.box
        let eventLoop = self.eventLoop
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Value, any Error>) in
                let waiter = EventLoopWaiter(flag: flag, continuation: continuation)
                let register: @Sendable () -> Void = {
                    guard let handler = box.value else { return continuation.resume(with: detached) }
                    guard !flag.isCancelled else { return waiter.fail(CancellationError()) }
                    body(handler, waiter)
                }
                // A task running on this loop as its executor (ping) is never nested inside a channel
                // callout: its jobs are queued with `execute`. Registering at once saves a queued job.
                if eventLoop.inEventLoop { register() } else { eventLoop.execute(register) }
            }
        } onCancel: {
            flag.cancel()
            eventLoop.execute {
                if let handler = box.value { onCancel(handler, flag) }
            }
        }
    }
}

/// The stream commands a muxer's handler runs on its event loop: each answers its waiter at once or parks
/// it, and the matching `cancel…` answers a parked one with `CancellationError`.
package protocol MuxerStreamOperations: AnyObject, SendableMetatype {
    associatedtype StreamKey: Sendable

    func read(_ id: StreamKey, _ waiter: EventLoopWaiter<ByteBuffer?>)
    func cancelRead(_ id: StreamKey, _ flag: WaiterCancellationFlag)
    func write(_ id: StreamKey, _ data: ByteBuffer, _ waiter: EventLoopWaiter<Void>)
    func cancelWrite(_ id: StreamKey, _ flag: WaiterCancellationFlag)
    func closeWrite(_ id: StreamKey, _ waiter: EventLoopWaiter<Void>)
    func cancelCloseWrite(_ id: StreamKey, _ flag: WaiterCancellationFlag)
}

/// A stream's async API over its muxer's handler, the same for every muxer. `detached` is what the calls
/// throw once the handler is gone.
extension LoopBoundHandler where Handler: MuxerStreamOperations {
    package func read(_ id: Handler.StreamKey, ifDetached detached: any Error) async throws -> ByteBuffer? {
        try await suspend(
            ifDetached: .failure(detached),
            { handler, waiter in handler.read(id, waiter) },
            onCancel: { handler, flag in handler.cancelRead(id, flag) })
    }

    package func write(_ id: Handler.StreamKey, _ data: ByteBuffer, ifDetached detached: any Error) async throws {
        try await suspend(
            ifDetached: .failure(detached),
            { handler, waiter in handler.write(id, data, waiter) },
            onCancel: { handler, flag in handler.cancelWrite(id, flag) })
    }

    package func closeWrite(_ id: Handler.StreamKey, ifDetached detached: any Error) async throws {
        try await suspend(
            ifDetached: .failure(detached),
            { handler, waiter in handler.closeWrite(id, waiter) },
            onCancel: { handler, flag in handler.cancelCloseWrite(id, flag) })
    }
}
