import Foundation
import Node

/// One transport's figures, per run.
struct TransportRuns: Sendable {
    var connectP50: [Double] = []
    var upload: [Double] = []
    var download: [Double] = []
    /// Many perf downloads at once on one connection, aggregate MB/s.
    var aggregate: [Double] = []
}

/// Figure 11: the node over each transport (Noise and yamux over TCP and WebSocket; QUIC's own TLS and streams), same sizes, same minutes: one server
/// listens on all of them and the runs alternate, so a change in machine load hits every transport alike.
enum TransportBenchmarks {
    static let transports: [(name: String, listen: String)] = [
        ("tcp", "/ip4/127.0.0.1/tcp/0"), ("ws", "/ip4/127.0.0.1/tcp/0/ws"), ("quic", "/ip4/127.0.0.1/udp/0/quic-v1"),
    ]

    static func measure(_ context: BenchContext) async throws -> [String: TransportRuns] {
        let connects = max(context.sizes.connects / 4, 5)
        let bytes = context.sizes.perfBytes / 4
        let arguments = ["serve", "--security", "noise"] + transports.flatMap { ["--listen", $0.listen] }
        return try await withServer(context, arguments) { server in
            try await withClientHost(security: "noise") { host in
                var result: [String: TransportRuns] = [:]
                for _ in 0..<context.sizes.runs {
                    for (index, transport) in transports.enumerated() {
                        let address = try server.dialable(index)
                        _ = try await ConnectionBenchmarks.connectLatencies(host, address, count: 3, ping: false)
                        let latencies = try await ConnectionBenchmarks.connectLatencies(host, address, count: connects, ping: false)
                        let connection = try await host.dial(address)
                        _ = try await ThroughputBenchmarks.perfOnce(host, connection, upload: 1 << 20, download: 1 << 20)
                        let perf = try await ThroughputBenchmarks.perfOnce(host, connection, upload: bytes, download: bytes)
                        let streams = context.sizes.streamCount
                        let streamBytes = max(context.sizes.streamBytes / 8, 64 << 10)
                        let clock = ContinuousClock()
                        let start = clock.now
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for _ in 0..<streams {
                                group.addTask { _ = try await ThroughputBenchmarks.perfOnce(host, connection, upload: 0, download: streamBytes) }
                            }
                            try await group.waitForAll()
                        }
                        result[transport.name, default: TransportRuns()].aggregate.append(
                            megabytesPerSecond(UInt64(streams) * streamBytes, clock.now - start))
                        await host.close(connection: connection.id)
                        result[transport.name, default: TransportRuns()].connectP50.append(Percentile.of(latencies, 50))
                        result[transport.name, default: TransportRuns()].upload.append(megabytesPerSecond(bytes, perf.uploadDuration))
                        result[transport.name, default: TransportRuns()].download.append(megabytesPerSecond(bytes, perf.downloadDuration))
                    }
                }
                return result
            }
        }
    }
}
