import NIOCore
import Core

/// Runs `operation` on `stream`'s event loop as task executor when it has one (see
/// ``EventLoopTaskExecutor``), else as it is. For latency-bound protocols (ping), whose every read and
/// write would otherwise wake a thread of the global pool.
func withStreamEventLoopExecutor<Result: Sendable>(
    _ stream: some MuxedStream,
    operation: () async throws -> Result
) async throws -> Result {
    guard let eventLoop = stream.owningEventLoop else { return try await operation() }
    return try await withEventLoopTaskExecutor(eventLoop, operation: operation)
}
