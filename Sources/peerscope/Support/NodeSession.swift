import Foundation
import Node

/// Runs one command's work on a fresh host and always shuts the host down afterwards. Errors
/// leave as `CLIError`: one line, no stack trace.
enum NodeSession {
    static func run<Result: Sendable>(
        identityOptions: IdentityOptions,
        configuration: HostConfiguration,
        timeLimit: Duration?,
        _ body: @escaping @Sendable (Node.Host) async throws -> Result
    ) async throws -> Result {
        let identity: LoadedIdentity
        do {
            identity = try identityOptions.resolve()
        } catch {
            throw CLIError("\(error)")
        }
        let host = Node.Host(identity: identity.privateKey, configuration: configuration)
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await bounded(timeLimit) { try await body(host) })
        } catch {
            outcome = .failure(error)
        }
        await host.shutdown()
        switch outcome {
        case .success(let value): return value
        case .failure(let error as CLIError): throw error
        case .failure(let error): throw CLIError("\(error)")
        }
    }

    /// `body`, or `CLIError` once `limit` passed (the body is cancelled).
    static func bounded<Result: Sendable>(
        _ limit: Duration?, _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        guard let limit else { return try await body() }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CLIError("timed out after \(limit.formattedShort) (--timeout)")
            }
            return value
        }
    }
}
