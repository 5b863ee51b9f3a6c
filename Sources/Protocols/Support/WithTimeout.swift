import Atomics
import NIOConcurrencyHelpers
import NIOCore
import Multistream

/// Runs `operation` and fails with ``ProtocolTimeoutError`` if it has not finished after `limit`.
///
/// On timeout `onTimeout` runs first (protocols pass `stream.reset()`, which unblocks a read or write
/// that ignores task cancellation), then the operation's task is cancelled and awaited, and the
/// timeout error is thrown whatever the operation ended with. If the operation finishes first its
/// result or error is returned unchanged.
public func withTimeout<Result: Sendable>(
    _ limit: Duration,
    activity: String,
    onTimeout: @escaping @Sendable () -> Void = {},
    operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await raceAgainstWatchdog(
        timeout: { ProtocolTimeoutError(activity: activity, limit: limit) },
        onTimeout: onTimeout,
        watchdog: { try await Task.sleep(for: limit) },
        operation: operation
    )
}

/// Runs `operation` in the calling task under a deadline kept by `eventLoop`, and fails with
/// ``ProtocolTimeoutError`` if the deadline passed first.
///
/// Unlike ``withTimeout(_:activity:onTimeout:operation:)`` this creates no task group and no child
/// tasks: the operation keeps running in the caller's task, and the deadline is one timer on the
/// event loop. The price is that nothing is cancelled: at the deadline `onTimeout` runs on the event
/// loop and must make the operation end by itself (protocols pass `stream.reset()`, which fails the
/// stream's pending read or write). Whatever the operation then ends with, the timeout error is
/// thrown. An operation that finished while the timer was firing also counts as timed out, because
/// `onTimeout` has already acted on its stream. `activity` is only evaluated for the error.
public func withEventLoopDeadline<Result>(
    _ limit: Duration,
    on eventLoop: any EventLoop,
    activity: @autoclosure () -> String,
    onTimeout: @escaping @Sendable () -> Void,
    operation: () async throws -> Result
) async throws -> Result {
    let deadline = EventLoopDeadline(limit, on: eventLoop, onTimeout: onTimeout)
    let result: Result
    do {
        result = try await operation()
    } catch {
        if deadline.disarm() { throw ProtocolTimeoutError(activity: activity(), limit: limit) }
        throw error
    }
    if deadline.disarm() { throw ProtocolTimeoutError(activity: activity(), limit: limit) }
    return result
}

/// One timer on an event loop that runs `onTimeout` unless disarmed first: the building block of
/// ``withEventLoopDeadline(_:on:activity:onTimeout:operation:)``, for callers that keep their async
/// frames flat (each closure level is another frame in the task's allocator).
package struct EventLoopDeadline: Sendable {
    private let trigger: EventLoopDeadlineTrigger
    private let timer: NIOScheduledCallback?

    /// Arms the timer. A loop that is shutting down refuses timers; its channels are closing, so
    /// whatever the deadline guards ends without one.
    package init(_ limit: Duration, on eventLoop: any EventLoop, onTimeout: @escaping @Sendable () -> Void) {
        trigger = EventLoopDeadlineTrigger(onTimeout: onTimeout)
        timer = try? eventLoop.scheduleCallback(in: TimeAmount(limit), handler: trigger)
    }

    /// Stops the timer; true if it had fired first (then `onTimeout` has run or is running).
    package func disarm() -> Bool {
        guard trigger.decide() else { return true }
        timer?.cancel()
        return false
    }
}

/// Firing and disarming race (one runs on the event loop, the other in the caller's task);
/// whichever flips `decided` first wins, so `onTimeout` runs at most once and only before the
/// caller has moved on.
private final class EventLoopDeadlineTrigger: NIOScheduledCallbackHandler, Sendable {
    private let decided = ManagedAtomic(false)
    private let onTimeout: @Sendable () -> Void

    init(onTimeout: @escaping @Sendable () -> Void) {
        self.onTimeout = onTimeout
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        if decide() { onTimeout() }
    }

    func decide() -> Bool {
        decided.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}

/// Runs `operation` and fails with ``ProtocolTimeoutError`` once it goes `idleLimit` without
/// calling ``IdleTimer/touch()`` (or ``IdleTimer/enter(_:)``) on the timer it is given.
///
/// For transfers of unknown length (perf, echo), where a total limit would be arbitrary but a
/// stalled peer must still be noticed; one watchdog task serves the whole transfer, so the cost per
/// chunk is a clock read. The timeout error names the phase last entered, `activity` at first.
public func withIdleTimeout<Result: Sendable>(
    _ idleLimit: Duration,
    activity: String,
    onTimeout: @escaping @Sendable () -> Void = {},
    operation: @escaping @Sendable (IdleTimer) async throws -> Result
) async throws -> Result {
    let timer = IdleTimer(activity: activity)
    return try await raceAgainstWatchdog(
        timeout: { ProtocolTimeoutError(activity: timer.activity, limit: idleLimit) },
        onTimeout: onTimeout,
        watchdog: { try await timer.waitUntilIdle(for: idleLimit) },
        operation: { try await operation(timer) }
    )
}

/// ``withIdleTimeout(_:activity:onTimeout:operation:)`` that also ends after `totalLimit` whatever the
/// progress, with `ProtocolTimeoutError(activity: totalActivity, limit: totalLimit)`: one watchdog task
/// for both bounds instead of two nested races (two task groups, four tasks per call).
public func withIdleTimeout<Result: Sendable>(
    _ idleLimit: Duration,
    totalLimit: Duration,
    totalActivity: String,
    activity: String,
    onTimeout: @escaping @Sendable () -> Void = {},
    operation: @escaping @Sendable (IdleTimer) async throws -> Result
) async throws -> Result {
    let timer = IdleTimer(activity: activity)
    let totalDeadline = ContinuousClock.now + totalLimit
    let firedOnTotal = NIOLockedValueBox(false)
    return try await raceAgainstWatchdog(
        timeout: {
            firedOnTotal.withLockedValue { $0 }
                ? ProtocolTimeoutError(activity: totalActivity, limit: totalLimit)
                : ProtocolTimeoutError(activity: timer.activity, limit: idleLimit)
        },
        onTimeout: onTimeout,
        watchdog: {
            let total = try await timer.waitUntilIdle(for: idleLimit, orUntil: totalDeadline)
            firedOnTotal.withLockedValue { $0 = total }
        },
        operation: { try await operation(timer) }
    )
}

/// Progress marks for ``withIdleTimeout(_:activity:onTimeout:operation:)``.
public struct IdleTimer: Sendable {
    private struct State {
        var lastProgress: ContinuousClock.Instant
        var activity: String
    }

    private let state: NIOLockedValueBox<State>

    init(activity: String) {
        state = NIOLockedValueBox(State(lastProgress: .now, activity: activity))
    }

    /// Marks progress now; the idle limit counts from here.
    public func touch() {
        let now = ContinuousClock.now
        state.withLockedValue { $0.lastProgress = now }
    }

    /// Starts a new phase: a timeout from here on is reported under `activity`.
    public func enter(_ activity: String) {
        let now = ContinuousClock.now
        state.withLockedValue { $0 = State(lastProgress: now, activity: activity) }
    }

    /// Starts a new phase whose idle limit counts from `delay` after now: for a planned pause (the
    /// interval between pings) that must not count as idleness. Enter the phase again when the pause
    /// ends to count from that moment exactly.
    public func enter(_ activity: String, after delay: Duration) {
        let start = ContinuousClock.now + delay
        state.withLockedValue { $0 = State(lastProgress: start, activity: activity) }
    }

    var activity: String {
        state.withLockedValue { $0.activity }
    }

    /// Returns once `limit` has passed without a touch.
    func waitUntilIdle(for limit: Duration) async throws {
        while true {
            let deadline = state.withLockedValue { $0.lastProgress } + limit
            if ContinuousClock.now >= deadline { return }
            try await Task.sleep(until: deadline, clock: .continuous)
        }
    }
}

extension IdleTimer {
    /// Returns once `limit` has passed without a touch (false) or `deadline` has come (true).
    func waitUntilIdle(for limit: Duration, orUntil deadline: ContinuousClock.Instant) async throws -> Bool {
        while true {
            let idleDeadline = state.withLockedValue { $0.lastProgress } + limit
            let now = ContinuousClock.now
            if now >= deadline { return true }
            if now >= idleDeadline { return false }
            try await Task.sleep(until: min(idleDeadline, deadline), clock: .continuous)
        }
    }
}

private enum RaceOutcome<Result: Sendable>: Sendable {
    case finished(Result)
    case watchdogFired
}

/// Shared core of the timeout helpers: whichever of `operation` and `watchdog` ends first decides.
private func raceAgainstWatchdog<Result: Sendable>(
    timeout: @Sendable () -> ProtocolTimeoutError,
    onTimeout: @escaping @Sendable () -> Void,
    watchdog: @escaping @Sendable () async throws -> Void,
    operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: RaceOutcome<Result>.self) { group in
        group.addTask { .finished(try await operation()) }
        group.addTask {
            try await watchdog()
            return .watchdogFired
        }
        // A child that throws (the operation failing, or cancellation of the caller) ends the race
        // here; leaving the closure by throwing cancels and awaits the other child.
        guard let first = try await group.next() else {
            preconditionFailure("the race group always holds two children")
        }
        switch first {
        case .finished(let result):
            group.cancelAll()
            return result
        case .watchdogFired:
            onTimeout()
            group.cancelAll()
            throw timeout()
        }
    }
}
