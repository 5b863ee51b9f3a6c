import Foundation
import Node

/// Per-run latency percentiles in milliseconds.
struct ConnectRuns: Sendable {
    var connectP50: [Double] = []
    var connectP99: [Double] = []
    var connectPingP50: [Double] = []
    var connectPingP99: [Double] = []
}

struct UpgradeRuns: Sendable {
    var perSecond: [Double] = []
    /// CPU milliseconds the listening process spent per inbound upgrade (accept to close).
    var serverCPUMillisecondsPerUpgrade: [Double] = []
    var failedDials = 0
}

enum ConnectionBenchmarks {
    /// Figure 3: fresh connections one after another (each closed before the next), timed from the dial
    /// call to the upgraded connection; then the same plus opening a ping stream and its first round trip.
    static func connect(_ context: BenchContext) async throws -> ConnectRuns {
        try await withServer(context) { server in
            try await withClientHost { host in
                let address = try server.dialable()
                _ = try await connectLatencies(host, address, count: 5, ping: true)
                var runs = ConnectRuns()
                for _ in 0..<context.sizes.runs {
                    let plain = try await connectLatencies(host, address, count: context.sizes.connects, ping: false)
                    runs.connectP50.append(Percentile.of(plain, 50))
                    runs.connectP99.append(Percentile.of(plain, 99))
                    let pinged = try await connectLatencies(host, address, count: context.sizes.connects, ping: true)
                    runs.connectPingP50.append(Percentile.of(pinged, 50))
                    runs.connectPingP99.append(Percentile.of(pinged, 99))
                }
                return runs
            }
        }
    }

    static func connectLatencies(_ host: Node.Host, _ address: Multiaddr, count: Int, ping: Bool) async throws -> [Double] {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        for _ in 0..<count {
            // A dial to a peer we are still connected to would reuse that connection.
            try await waitUntil("the previous connection to close", within: .seconds(5), every: .milliseconds(1)) {
                host.connections.isEmpty
            }
            let start = clock.now
            let connection = try await host.dial(address)
            if ping {
                let (stream, _) = try await host.newStream(on: connection, protocols: [PingProtocol.id])
                let firstEcho = FirstEcho()
                try await PingClient.ping(stream, count: 1, interval: .zero) { _ in firstEcho.record(clock.now) }
                latencies.append(((firstEcho.instant ?? clock.now) - start).milliseconds)
            } else {
                latencies.append((clock.now - start).milliseconds)
            }
            await host.close(connection: connection.id)
        }
        return latencies
    }

    /// Figure 4: `upgradeConcurrency` dial loops for `upgradeSeconds`, each dialing, waiting for the upgrade
    /// and closing again. The listener listens on several loopback addresses so the 4-tuples of
    /// connections in TIME_WAIT do not run out.
    static func upgrades(_ context: BenchContext) async throws -> UpgradeRuns {
        let sizes = context.sizes
        var listen: [String] = []
        for index in 1...sizes.upgradeListenAddresses { listen += ["--listen", "/ip4/127.0.0.\(index)/tcp/0"] }
        return try await withServer(context, ["serve"] + listen) { server in
            try await withClientHost { host in
                // Without /p2p: every dial is a new connection, never a reuse of another loop's.
                let addresses = try (0..<sizes.upgradeListenAddresses).map { try server.listenAddress($0) }
                var runs = UpgradeRuns()
                let clock = ContinuousClock()
                for _ in 0..<sizes.runs {
                    let before = try await server.stats()
                    let start = clock.now
                    let end = start + .milliseconds(Int(sizes.upgradeSeconds * 1000))
                    let (upgraded, failed) = await withTaskGroup(of: (Int, Int).self) { group in
                        for worker in 0..<sizes.upgradeConcurrency {
                            let address = addresses[worker % addresses.count]
                            group.addTask {
                                var upgraded = 0
                                var failed = 0
                                while clock.now < end {
                                    do {
                                        let connection = try await host.dial(peer: nil, addresses: [address])
                                        upgraded += 1
                                        await host.close(connection: connection.id)
                                    } catch {
                                        failed += 1
                                    }
                                }
                                return (upgraded, failed)
                            }
                        }
                        return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
                    }
                    let elapsed = clock.now - start
                    let after = try await server.stats()
                    runs.perSecond.append(Double(upgraded) / elapsed.seconds)
                    runs.serverCPUMillisecondsPerUpgrade.append((after.cpu - before.cpu).total * 1000 / Double(max(upgraded, 1)))
                    runs.failedDials += failed
                    // Let the listener finish closing before the next run starts.
                    try await waitUntil("the listener to drop the closed connections", within: .seconds(10)) {
                        try await server.stats().connections == 0
                    }
                }
                return runs
            }
        }
    }
}

/// When the first echo arrived; written by `PingClient`'s sample callback, which runs in its own task.
private final class FirstEcho: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: ContinuousClock.Instant?

    func record(_ instant: ContinuousClock.Instant) { lock.withLock { recorded = instant } }
    var instant: ContinuousClock.Instant? { lock.withLock { recorded } }
}
