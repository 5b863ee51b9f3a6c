import NIOConcurrencyHelpers

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
