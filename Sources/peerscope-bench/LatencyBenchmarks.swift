import Node

/// Per-run round-trip percentiles in microseconds.
struct RTTRuns: Sendable {
    var p50: [Double] = []
    var p99: [Double] = []
    /// CPU microseconds of both processes per round trip (node ping only).
    var cpuPerPing: [Double] = []

    mutating func add(_ samples: [Duration]) {
        let micros = samples.map(\.microseconds)
        p50.append(Percentile.of(micros, 50))
        p99.append(Percentile.of(micros, 99))
    }
}

enum LatencyBenchmarks {
    /// Figure 5: `/ipfs/ping/1.0.0` back to back on one stream of an open connection.
    static func ping(_ context: BenchContext) async throws -> RTTRuns {
        try await withServer(context) { server in
            try await withClientHost { host in
                let connection = try await host.dial(try server.dialable())
                var runs = RTTRuns()
                try await pingRun(host, connection, count: 100)
                for _ in 0..<context.sizes.runs {
                    let serverBefore = try await server.stats()
                    let clientBefore = ProcessStats.ownCPU()
                    runs.add(try await pingRun(host, connection, count: context.sizes.pings))
                    let clientCPU = ProcessStats.ownCPU() - clientBefore
                    let serverCPU = try await server.stats().cpu - serverBefore.cpu
                    runs.cpuPerPing.append((clientCPU.total + serverCPU.total) * 1e6 / Double(context.sizes.pings))
                }
                return runs
            }
        }
    }

    @discardableResult
    private static func pingRun(_ host: Node.Host, _ connection: HostConnection, count: Int) async throws -> [Duration] {
        let (stream, _) = try await host.newStream(on: connection, protocols: [PingProtocol.id])
        return try await PingClient.ping(stream, count: count, interval: .zero)
    }

    /// Baseline: 32-byte echoes over plain TCP through NIOAsyncChannel.
    static func rawPing(_ context: BenchContext) async throws -> RTTRuns {
        try await withServer(context, ["serve-raw"]) { server in
            _ = try await RawTCPClient.ping(port: server.port, count: 100)
            var runs = RTTRuns()
            for _ in 0..<context.sizes.runs {
                runs.add(try await RawTCPClient.ping(port: server.port, count: context.sizes.pings))
            }
            return runs
        }
    }
}
