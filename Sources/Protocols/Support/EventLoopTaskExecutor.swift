import NIOCore

/// A task executor that runs jobs on one event loop.
///
/// A task that prefers it is resumed on the loop that resumed its continuation instead of being handed
/// to the global pool, which wakes another thread for every read and write of a stream. That hand-off
/// dominates round-trip latency for small request/response protocols such as ping (measured: ~13
/// context switches per ping on the pool, ~2 on the loop). It is a latency tool, not a throughput
/// one: bulk transfers lose the overlap of a second thread, so only latency-bound protocols use it
/// (``withEventLoopTaskExecutor(_:operation:)``).
///
/// Jobs run on the loop's thread, so the work done between two suspensions must stay short: whatever
/// runs here delays the loop's I/O.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `execute` only enqueues, also when called on the loop itself, so a job enqueued by a task
        // running here runs after the current one returns.
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs `operation` preferring `eventLoop` as its task executor (see ``EventLoopTaskExecutor``); child
/// tasks inherit the preference. Where task executors are unavailable it simply runs `operation`.
public func withEventLoopTaskExecutor<Result: Sendable>(
    _ eventLoop: any EventLoop,
    operation: () async throws -> Result
) async throws -> Result {
    if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop), operation: operation)
    }
    return try await operation()
}
