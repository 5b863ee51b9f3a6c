import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    let limit: Duration
    var description: String { "\(what) did not finish within \(Int(limit.seconds)) s" }
}

/// Runs `operation` and returns its result, or throws `DeadlineExceeded` after `limit`. The operation is
/// cancelled then but not awaited: a benchmark stuck in I/O must not hold up the run.
func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.set(continuation)
        let work = Task {
            do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if once.resume(.failure(DeadlineExceeded(what: what, limit: limit))) { work.cancel() }
        }
        once.onResume { timer.cancel() }
    }
}

private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func onResume(_ action: @escaping @Sendable () -> Void) {
        let alreadyDone = lock.withLock { () -> Bool in
            if !done { cleanup = action }
            return done
        }
        if alreadyDone { action() }
    }

    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup) = lock.withLock { () -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !done else { return (nil, nil) }
            done = true
            defer { self.continuation = nil; self.cleanup = nil }
            return (self.continuation, self.cleanup)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        cleanup?()
        return true
    }
}

/// Ends the whole process (and every child) if the run as a whole overstays `limit`.
enum Watchdog {
    static func start(limit: Duration) {
        let thread = Thread {
            Thread.sleep(forTimeInterval: limit.seconds)
            FileHandle.standardError.write(Data(
                "peerscope-bench: the run exceeded its \(Int(limit.seconds)) s limit; stopping\n".utf8))
            ChildRegistry.shared.killAll()
            exit(3)
        }
        thread.start()
    }
}

/// Polls `condition` until it holds; throws `DeadlineExceeded` after `limit`.
func waitUntil(
    _ what: String, within limit: Duration, every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw DeadlineExceeded(what: what, limit: limit) }
        try await Task.sleep(for: interval)
    }
}
