import Node

/// Per-run figures of a one-stream transfer.
struct TransferRuns: Sendable {
    var upload: [Double] = []
    var download: [Double] = []
    /// CPU seconds of both processes per 10^9 bytes moved (upload + download).
    var cpuPerGB: [Double] = []
    var clientCPUPerGB: [Double] = []
    var serverCPUPerGB: [Double] = []

    mutating func add(upload: Double, download: Double, client: CPUTime, server: CPUTime, bytes: UInt64) {
        let gigabytes = Double(bytes) / 1e9
        self.upload.append(upload)
        self.download.append(download)
        cpuPerGB.append((client.total + server.total) / gigabytes)
        clientCPUPerGB.append(client.total / gigabytes)
        serverCPUPerGB.append(server.total / gigabytes)
    }
}

struct ChaChaRuns: Sendable {
    var seal: [Double] = []
    var open: [Double] = []
    var sealAndOpen: [Double] = []
}

enum ThroughputBenchmarks {
    static func chacha(_ context: BenchContext) throws -> ChaChaRuns {
        var runs = ChaChaRuns()
        for _ in 0..<context.sizes.runs {
            let result = try ChaChaBaseline.measure(bytes: context.sizes.chachaBytes)
            runs.seal.append(result.seal)
            runs.open.append(result.open)
            runs.sealAndOpen.append(result.sealAndOpen)
        }
        return runs
    }

    /// Baseline: microseconds of Noise XX crypto for one side of an upgrade, per run.
    static func handshakeCrypto(_ context: BenchContext) throws -> [Double] {
        try (0..<context.sizes.runs).map { _ in
            try HandshakeCryptoBaseline.measure(iterations: context.sizes.handshakeCryptoIterations)
        }
    }

    /// Baseline: the same perf exchange over plain loopback TCP, two processes.
    static func rawTCP(_ context: BenchContext) async throws -> TransferRuns {
        let bytes = context.sizes.perfBytes
        return try await withServer(context, ["serve-raw"]) { server in
            _ = try await RawTCPClient.perf(port: server.port, upload: 1 << 20, download: 1 << 20)
            var runs = TransferRuns()
            for _ in 0..<context.sizes.runs {
                let serverBefore = try await server.stats()
                let clientBefore = ProcessStats.ownCPU()
                let result = try await RawTCPClient.perf(port: server.port, upload: bytes, download: bytes)
                let clientCPU = ProcessStats.ownCPU() - clientBefore
                let serverCPU = try await server.stats().cpu - serverBefore.cpu
                runs.add(upload: megabytesPerSecond(bytes, result.uploadDuration),
                         download: megabytesPerSecond(bytes, result.downloadDuration),
                         client: clientCPU, server: serverCPU, bytes: 2 * bytes)
            }
            return runs
        }
    }

    /// Figure 1: one `/perf/1.0.0` stream, upload then download, on a connection opened beforehand.
    static func perf(_ context: BenchContext) async throws -> TransferRuns {
        let bytes = context.sizes.perfBytes
        return try await withServer(context) { server in
            try await withClientHost { host in
                let connection = try await host.dial(try server.dialable())
                _ = try await perfOnce(host, connection, upload: 1 << 20, download: 1 << 20)
                var runs = TransferRuns()
                for _ in 0..<context.sizes.runs {
                    let serverBefore = try await server.stats()
                    let clientBefore = ProcessStats.ownCPU()
                    let result = try await perfOnce(host, connection, upload: bytes, download: bytes)
                    let clientCPU = ProcessStats.ownCPU() - clientBefore
                    let serverCPU = try await server.stats().cpu - serverBefore.cpu
                    runs.add(upload: megabytesPerSecond(bytes, result.uploadDuration),
                             download: megabytesPerSecond(bytes, result.downloadDuration),
                             client: clientCPU, server: serverCPU, bytes: 2 * bytes)
                }
                return runs
            }
        }
    }

    static func perfOnce(_ host: Node.Host, _ connection: HostConnection, upload: UInt64, download: UInt64) async throws -> PerfResult {
        let (stream, _) = try await host.newStream(on: connection, protocols: [PerfProtocol.id])
        return try await EventLoopTaskExecutor.run(on: connection.muxed.eventLoop) {
            try await PerfClient.run(stream, upload: upload, download: download)
        }
    }

    /// Figure 2: `streamCount` perf downloads at once on one connection; aggregate MB/s from the first
    /// stream opened to the last byte of the last stream.
    static func concurrentStreams(_ context: BenchContext) async throws -> [Double] {
        let count = context.sizes.streamCount
        let bytes = context.sizes.streamBytes
        return try await withServer(context) { server in
            try await withClientHost { host in
                let connection = try await host.dial(try server.dialable())
                _ = try await perfOnce(host, connection, upload: 0, download: 1 << 20)
                var rates: [Double] = []
                let clock = ContinuousClock()
                for _ in 0..<context.sizes.runs {
                    let start = clock.now
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in 0..<count {
                            group.addTask { _ = try await perfOnce(host, connection, upload: 0, download: bytes) }
                        }
                        try await group.waitForAll()
                    }
                    rates.append(megabytesPerSecond(UInt64(count) * bytes, clock.now - start))
                }
                return rates
            }
        }
    }
}
