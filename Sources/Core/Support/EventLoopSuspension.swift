import NIOCore

/// Parks the calling task until the event loop answers through the waiter passed to `body`; the shared
/// bridge between a muxer's async API and its state on the channel's event loop.
///
/// `target` is the muxer's handler while it is in a pipeline (nil afterwards: the call then completes
/// with `detached`). Cancellation of the task is forwarded to `onCancel` on the event loop (see
/// `WaiterCancellationFlag`).
package func suspendOnEventLoop<Target: AnyObject, Value: Sendable>(
    _ eventLoop: any EventLoop, target: NIOLoopBoundBox<Target?>,
    ifDetached detached: Result<Value, any Error>,
    _ body: @escaping @Sendable (Target, EventLoopWaiter<Value>) -> Void,
    onCancel: @escaping @Sendable (Target, WaiterCancellationFlag) -> Void
) async throws -> Value {
    let flag = WaiterCancellationFlag()
    return try await withTaskCancellationHandler {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Value, any Error>) in
            let waiter = EventLoopWaiter(flag: flag, continuation: continuation)
            let register: @Sendable () -> Void = {
                guard let value = target.value else { return continuation.resume(with: detached) }
                guard !flag.isCancelled else { return waiter.fail(CancellationError()) }
                body(value, waiter)
            }
            // A task running on this loop as its executor (ping) is never nested inside a channel
            // callout: its jobs are queued with `execute`. Registering at once saves a queued job.
            if eventLoop.inEventLoop { register() } else { eventLoop.execute(register) }
        }
    } onCancel: {
        flag.cancel()
        eventLoop.execute {
            if let value = target.value { onCancel(value, flag) }
        }
    }
}
