import Foundation
import NIOCore

/// A task executor that runs jobs on a connection's event loop. A task that prefers it is resumed on the
/// thread that resumed its continuation (the event loop), instead of being handed to the global pool and
/// waking another thread; used to measure what those hand-offs cost (`PEERSCOPE_BENCH_LOOP_EXECUTOR=1`).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    static var enabled: Bool { ProcessInfo.processInfo.environment["PEERSCOPE_BENCH_LOOP_EXECUTOR"] == "1" }

    /// Runs `body` preferring `eventLoop` as its executor when the experiment is enabled.
    static func run<T: Sendable>(on eventLoop: any EventLoop, _ body: () async throws -> T) async throws -> T {
        guard enabled else { return try await body() }
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) { try await body() }
    }
}
