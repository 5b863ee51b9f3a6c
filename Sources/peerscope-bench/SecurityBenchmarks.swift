import Foundation
import Node

/// One security protocol's figures, per run.
struct SecurityRuns: Sendable {
    var connectP50: [Double] = []
    /// CPU milliseconds per connection, from dial to close, of the listening and of the dialing process.
    var listenerCPUPerConnect: [Double] = []
    var dialerCPUPerConnect: [Double] = []
    var upload: [Double] = []
    var download: [Double] = []
}

/// Figure 9: TLS 1.3 against Noise, same sizes, same minutes: both processes offer only the protocol
/// measured (`serve --security`), yamux on top.
enum SecurityBenchmarks {
    static let protocols = ["noise", "tls"]

    static func measure(_ context: BenchContext) async throws -> [String: SecurityRuns] {
        var result: [String: SecurityRuns] = [:]
        // Alternating run by run, so a change in machine load hits both protocols alike.
        for _ in 0..<context.sizes.runs {
            for security in protocols {
                let run = try await oneRun(context, security: security)
                result[security, default: SecurityRuns()].append(run)
            }
        }
        return result
    }

    private static func oneRun(_ context: BenchContext, security: String) async throws -> SecurityRuns {
        let connects = max(context.sizes.connects / 4, 5)
        let bytes = context.sizes.perfBytes / 4
        return try await withServer(context, ["serve", "--security", security]) { server in
            try await withClientHost(security: security) { host in
                let address = try server.dialable()
                _ = try await ConnectionBenchmarks.connectLatencies(host, address, count: 5, ping: false)
                var run = SecurityRuns()
                let serverBefore = try await server.stats().cpu
                let clientBefore = ProcessStats.ownCPU()
                let latencies = try await ConnectionBenchmarks.connectLatencies(host, address, count: connects, ping: false)
                let clientCPU = ProcessStats.ownCPU() - clientBefore
                let serverCPU = try await server.stats().cpu - serverBefore
                run.connectP50 = [Percentile.of(latencies, 50)]
                run.listenerCPUPerConnect = [serverCPU.total * 1000 / Double(connects)]
                run.dialerCPUPerConnect = [clientCPU.total * 1000 / Double(connects)]
                let connection = try await host.dial(address)
                _ = try await ThroughputBenchmarks.perfOnce(host, connection, upload: 1 << 20, download: 1 << 20)
                let perf = try await ThroughputBenchmarks.perfOnce(host, connection, upload: bytes, download: bytes)
                run.upload = [megabytesPerSecond(bytes, perf.uploadDuration)]
                run.download = [megabytesPerSecond(bytes, perf.downloadDuration)]
                await host.close(connection: connection.id)
                return run
            }
        }
    }
}

extension SecurityRuns {
    mutating func append(_ other: SecurityRuns) {
        connectP50 += other.connectP50
        listenerCPUPerConnect += other.listenerCPUPerConnect
        dialerCPUPerConnect += other.dialerCPUPerConnect
        upload += other.upload
        download += other.download
    }
}
