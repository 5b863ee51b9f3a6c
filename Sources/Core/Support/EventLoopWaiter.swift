import Atomics

/// Set by a suspended caller's task-cancellation handler, read on the event loop.
///
/// The event loop checks the flag when it registers a waiter; the cancellation handler sets the flag *before*
/// it enqueues the removal of the waiter on the loop. So either the registration sees the flag and fails at
/// once, or the removal runs after the registration and finds the waiter: a cancelled call never hangs.
package final class WaiterCancellationFlag: Sendable {
    private let cancelled = ManagedAtomic(false)

    package init() {}

    package var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
    package func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// A caller suspended until the event loop has an answer (a muxer's read, write, accept…). Only ever stored
/// and resumed on the event loop, and resumed exactly once: whoever resumes it first removes it from where
/// it was stored.
package struct EventLoopWaiter<Value: Sendable>: Sendable {
    package let flag: WaiterCancellationFlag
    /// Unsafe rather than checked: the checked kind allocates a canary per suspension, and every waiter
    /// is resumed exactly once by construction (see above).
    package let continuation: UnsafeContinuation<Value, any Error>

    package init(flag: WaiterCancellationFlag, continuation: UnsafeContinuation<Value, any Error>) {
        self.flag = flag
        self.continuation = continuation
    }

    package func succeed(_ value: Value) { continuation.resume(returning: value) }
    package func fail(_ error: any Error) { continuation.resume(throwing: error) }

    package func belongs(to flag: WaiterCancellationFlag) -> Bool { self.flag === flag }
}
