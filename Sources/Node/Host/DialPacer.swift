import NIOConcurrencyHelpers

/// Starts a ranked dial's attempts on time, and earlier when there is nothing to wait for: once every
/// attempt planned before it has failed, an attempt starts at once instead of sleeping out its delay
/// (go-libp2p's dial worker does the same). Attempts are numbered in plan order.
final class DialPacer: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        /// Attempts that ended without winning.
        var failed: Set<Int> = []
        var waiting: [Int: Waiter] = [:]
        /// Attempts whose delay ran out (possibly before they started waiting).
        var due: Set<Int> = []
        var cancelled = false

        func allFailed(before index: Int) -> Bool { (0..<index).allSatisfy(failed.contains) }
    }

    private let state = NIOLockedValueBox(State())

    /// Waits until attempt `index` may start: after `delay`, or sooner when nothing is in flight.
    /// True when it may start, false when the dial was cancelled (another attempt won).
    func waitForTurn(_ index: Int, delay: Duration) async -> Bool {
        if delay <= .zero { return !isCancelled }
        let timer = Task {
            try? await Task.sleep(for: delay)
            self.release(index)
        }
        defer { timer.cancel() }
        let allowed = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLockedValue { state in
                    if state.cancelled || Task.isCancelled { return false }
                    // Everything planned earlier has failed already: no reason to wait.
                    if state.allFailed(before: index) || state.due.contains(index) { return true }
                    state.waiting[index] = Waiter(continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            cancelAll()
        }
        return allowed && !isCancelled
    }

    /// Attempt `index` ended without winning: the next waiting attempt starts if everything before it
    /// has failed too.
    func attemptFailed(_ index: Int) {
        let next: Waiter? = state.withLockedValue { state in
            state.failed.insert(index)
            guard let first = state.waiting.keys.min(), state.allFailed(before: first) else { return nil }
            return state.waiting.removeValue(forKey: first)
        }
        next?.continuation.resume(returning: true)
    }

    /// The dial is over: every waiting attempt is told not to start.
    func cancelAll() {
        let waiters: [Waiter] = state.withLockedValue { state in
            state.cancelled = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.continuation.resume(returning: false) }
    }

    private var isCancelled: Bool { state.withLockedValue { $0.cancelled } }

    private func release(_ index: Int) {
        let waiter = state.withLockedValue { state in
            state.due.insert(index)
            return state.waiting.removeValue(forKey: index)
        }
        waiter?.continuation.resume(returning: true)
    }
}
