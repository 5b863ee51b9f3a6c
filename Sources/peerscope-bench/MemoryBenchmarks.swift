import Node

struct StreamRuns: Sendable {
    var kibPerStream: [Double] = []
    var openClosePerSecond: [Double] = []
}

/// `count` connections from `host` to `address`, `concurrency` dials in flight; kept open by the caller.
func dialMany(_ host: Node.Host, _ address: Multiaddr, count: Int, concurrency: Int) async throws -> [HostConnection] {
    try await withThrowingTaskGroup(of: [HostConnection].self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var mine: [HostConnection] = []
                for _ in stride(from: worker, to: count, by: concurrency) {
                    mine.append(try await host.dial(peer: nil, addresses: [address]))
                }
                return mine
            }
        }
        var all: [HostConnection] = []
        all.reserveCapacity(count)
        for try await batch in group { all += batch }
        return all
    }
}

enum MemoryBenchmarks {
    /// Figure 6: `idleConnections` upgraded connections into a fresh listening process; its RSS growth per
    /// connection once they are all up.
    static func idleConnections(_ context: BenchContext) async throws -> [Double] {
        let count = context.sizes.idleConnections
        let workers = context.sizes.dialConcurrency
        var perConnection: [Double] = []
        for _ in 0..<context.sizes.runs {
            let kib = try await withServer(context) { server in
                try await withClientHost { host in
                    let address = try server.listenAddress()
                    let before = try await server.stats()
                    let held = try await dialMany(host, address, count: count, concurrency: workers)
                    try await waitUntil("the listener to register \(count) connections", within: .seconds(30)) {
                        try await server.stats().connections >= before.connections + count
                    }
                    // Give the event loops a moment to drop per-upgrade temporaries.
                    try await Task.sleep(for: .milliseconds(300))
                    let after = try await server.stats()
                    withExtendedLifetime(held) {}
                    return Double(after.residentBytes - before.residentBytes) / 1024 / Double(count)
                }
            }
            perConnection.append(kib)
        }
        return perConnection
    }

    /// Figure 7: `openStreams` streams of a protocol whose handler holds them open, on one connection to a
    /// fresh listening process. Memory per stream is that process's RSS growth; the rate counts opening
    /// all of them (until the listener's handlers hold every one) plus closing all of them both ways.
    static func openStreams(_ context: BenchContext) async throws -> StreamRuns {
        let count = context.sizes.openStreams
        var runs = StreamRuns()
        let clock = ContinuousClock()
        for _ in 0..<context.sizes.runs {
            let (kib, rate) = try await withServer(context) { server in
                try await withClientHost { host in
                    let connection = try await host.dial(try server.dialable())
                    let before = try await server.stats()
                    let start = clock.now
                    var streams: [NegotiatedStream] = []
                    streams.reserveCapacity(count)
                    for _ in 0..<count {
                        streams.append(try await host.newStream(on: connection, protocols: [BenchNode.holdProtocol]).0)
                    }
                    try await waitUntil("the listener to hold \(count) streams", within: .seconds(60), every: .milliseconds(5)) {
                        try await server.stats().holding >= count
                    }
                    let opened = clock.now - start
                    let after = try await server.stats()
                    let closeStart = clock.now
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for stream in streams {
                            group.addTask {
                                try await stream.closeWrite()
                                while try await stream.read() != nil {}
                            }
                        }
                        try await group.waitForAll()
                    }
                    let closed = clock.now - closeStart
                    let kib = Double(after.residentBytes - before.residentBytes) / 1024 / Double(count)
                    return (kib, Double(count) / (opened + closed).seconds)
                }
            }
            runs.kibPerStream.append(kib)
            runs.openClosePerSecond.append(rate)
        }
        return runs
    }
}
