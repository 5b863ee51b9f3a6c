import Foundation
import NIOCore

@testable import Core
@testable import Identity
@testable import Node
@testable import Protocols

/// The matrix's exchanges run by our node on one connection: ping, identify, a 1 MiB echo checked
/// byte for byte, and 10 concurrent echo streams. Each has its own deadline and its own outcome.
struct OurSideChecks: Sendable {
    var echoProtocol = EchoProtocol.id
    var echoBytes = 1 << 20
    var streams = 10
    var streamBytes = 64 * 1024
    var limit: Duration = .seconds(30)
    /// False for peers that end the whole stream at our end of file (see `HostTestSupport.echo`).
    var halfCloseFirst = true
    /// The agent prefix identify must report (`kubo/0.22.0/`, `py-libp2p/`); nil accepts any.
    var expectedAgentPrefix: String?

    /// Runs the checks named in `only` (all when nil), in the matrix's order.
    func run(on connection: HostConnection, host: Node.Host, only: Set<String>? = nil) async -> [String: InteropCheckOutcome] {
        var outcomes: [String: InteropCheckOutcome] = [:]
        let wanted = only ?? Set(InteropCell.checks)
        if wanted.contains("ping") { outcomes["ping"] = await outcome("ping") {
            let rtts = try await host.ping(connection, count: 3, interval: .milliseconds(20), timeout: .seconds(10))
            guard rtts.count == 3 else { throw MatrixCheckError("3 pings sent, \(rtts.count) answered") }
            return "p50 \(rtts.sorted()[1])"
        } }
        if wanted.contains("identify") { outcomes["identify"] = await outcome("identify") {
            let result = try await host.identify(connection)
            guard result.info.publicKey.peerID == connection.peer else {
                throw MatrixCheckError("identify's key is \(result.info.publicKey.peerID), the connection's peer \(connection.peer)")
            }
            let agent = result.info.agentVersion ?? ""
            if let prefix = expectedAgentPrefix, !agent.hasPrefix(prefix) {
                throw MatrixCheckError("agent '\(agent)', expected it to start with '\(prefix)'")
            }
            return "\(agent), \(result.info.protocols.count) protocols"
        } }
        if wanted.contains("echo") { outcomes["echo"] = await outcome("echo") {
            try await echo(seed: 1, bytes: echoBytes, on: connection, host: host)
            return "\(echoBytes) B"
        } }
        if wanted.contains("streams") { outcomes["streams"] = await outcome("streams") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<streams {
                    group.addTask {
                        try await echo(seed: UInt64(100 + index), bytes: streamBytes, on: connection, host: host)
                    }
                }
                try await group.waitForAll()
            }
            return "\(streams) × \(streamBytes) B"
        } }
        return outcomes
    }

    private func echo(seed: UInt64, bytes: Int, on connection: HostConnection, host: Node.Host) async throws {
        let data = HostTestSupport.payload(seed: seed, count: bytes)
        let (stream, _) = try await host.newStream(on: connection, protocols: [echoProtocol])
        let back = try await HostTestSupport.echo(data, over: stream, halfCloseFirst: halfCloseFirst)
        guard back == data else {
            let firstDifference = zip(back, data).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(back.count, data.count)
            throw MatrixCheckError("sent \(data.count) bytes, \(back.count) came back, first difference at byte \(firstDifference)")
        }
    }

    private func outcome(_ name: String, _ body: @escaping @Sendable () async throws -> String) async -> InteropCheckOutcome {
        do {
            return .passed(detail: try await withTimeout(limit, activity: "matrix check \(name)", operation: body))
        } catch {
            return .failed(reason: "\(error)")
        }
    }
}

struct MatrixCheckError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
