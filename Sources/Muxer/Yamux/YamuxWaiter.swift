import Atomics

/// Set by a suspended caller's task-cancellation handler, read on the event loop.
///
/// The event loop checks the flag when it registers a waiter; the cancellation handler sets the flag *before*
/// it enqueues the removal of the waiter on the loop. So either the registration sees the flag and fails at
/// once, or the removal runs after the registration and finds the waiter: a cancelled call never hangs.
final class YamuxCancellationFlag: Sendable {
    private let cancelled = ManagedAtomic(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
    func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// A caller suspended until the event loop has an answer. Only ever stored and resumed on the event loop,
/// and resumed exactly once: whoever resumes it first removes it from where it was stored.
struct YamuxWaiter<Value: Sendable>: Sendable {
    let flag: YamuxCancellationFlag
    /// Unsafe rather than checked: the checked kind allocates a canary per suspension, and every waiter
    /// is resumed exactly once by construction (see above).
    let continuation: UnsafeContinuation<Value, any Error>

    func succeed(_ value: Value) { continuation.resume(returning: value) }
    func fail(_ error: any Error) { continuation.resume(throwing: error) }

    func belongs(to flag: YamuxCancellationFlag) -> Bool { self.flag === flag }
}
