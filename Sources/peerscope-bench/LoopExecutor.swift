import Foundation
import NIOCore
import Node

@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
extension EventLoopTaskExecutor {
    /// Whether the throughput experiment runs perf on the connection's event loop too
    /// (`PEERSCOPE_BENCH_LOOP_EXECUTOR=1`). Ping always does: `PingClient` and `PingServer` choose it
    /// themselves.
    static var enabled: Bool { ProcessInfo.processInfo.environment["PEERSCOPE_BENCH_LOOP_EXECUTOR"] == "1" }

    /// Runs `body` preferring `eventLoop` as its executor when the experiment is enabled.
    static func run<T: Sendable>(on eventLoop: any EventLoop, _ body: () async throws -> T) async throws -> T {
        guard enabled else { return try await body() }
        return try await withEventLoopTaskExecutor(eventLoop, operation: body)
    }
}
