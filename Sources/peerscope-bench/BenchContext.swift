import Foundation
import Node

/// How much each benchmark moves. `full` is what `make bench` measures; `quick` only proves that every
/// benchmark still runs (the smoke test), in seconds, even in a debug build.
struct BenchSizes: Codable, Sendable {
    var runs: Int
    var chachaBytes: Int
    var handshakeCryptoIterations: Int
    var perfBytes: UInt64
    var streamCount: Int
    var streamBytes: UInt64
    var connects: Int
    var upgradeSeconds: Double
    var upgradeConcurrency: Int
    var upgradeListenAddresses: Int
    var pings: Int
    var idleConnections: Int
    var dialConcurrency: Int
    var openStreams: Int
    var pyPerfBytes: UInt64
    var pyStreamCount: Int
    var pyStreamBytes: UInt64
    var pyConnects: Int
    var pyPings: Int

    static let full = BenchSizes(
        runs: 5, chachaBytes: 512 << 20, handshakeCryptoIterations: 2000, perfBytes: 1 << 30, streamCount: 100, streamBytes: 10 << 20,
        connects: 1000, upgradeSeconds: 10, upgradeConcurrency: 32, upgradeListenAddresses: 4, pings: 10_000,
        idleConnections: 10_000, dialConcurrency: 32, openStreams: 10_000,
        pyPerfBytes: 128 << 20, pyStreamCount: 100, pyStreamBytes: 1 << 20, pyConnects: 50, pyPings: 2000)

    static let quick = BenchSizes(
        runs: 1, chachaBytes: 4 << 20, handshakeCryptoIterations: 20, perfBytes: 4 << 20, streamCount: 4, streamBytes: 256 << 10,
        connects: 10, upgradeSeconds: 0.5, upgradeConcurrency: 4, upgradeListenAddresses: 2, pings: 50,
        idleConnections: 20, dialConcurrency: 4, openStreams: 20,
        pyPerfBytes: 1 << 20, pyStreamCount: 2, pyStreamBytes: 64 << 10, pyConnects: 3, pyPings: 10)
}

/// Where the py-libp2p baseline comes from.
struct PythonSetup: Sendable {
    var interpreter: URL
    /// py_bench.py (it imports py_peer.py from the same directory).
    var benchScript: URL
}

/// What every benchmark needs: sizes, this executable (for server children), a log directory.
struct BenchContext: Sendable {
    var sizes: BenchSizes
    var quick: Bool
    var executable: URL
    var logDirectory: URL
    var python: PythonSetup?

    /// A deadline for one benchmark: generous for full sizes, short for the quick run.
    func limit(full seconds: Int) -> Duration {
        quick ? .seconds(90) : .seconds(seconds)
    }
}

/// A server child (`serve` or `serve-raw`) with its command channel.
struct ServerProcess: Sendable {
    let child: ChildProcess
    let ready: ServerReady

    /// `PEERSCOPE_BENCH_SERVER_WRAPPER` (e.g. `valgrind --tool=massif`) runs every server child under a
    /// profiler; the wrapper's words come first, then this executable and its arguments.
    static func start(_ context: BenchContext, _ arguments: [String]) async throws -> ServerProcess {
        let wrapper = (ProcessInfo.processInfo.environment["PEERSCOPE_BENCH_SERVER_WRAPPER"] ?? "")
            .split(separator: " ").map(String.init)
        let child = ChildProcess(
            name: "peerscope-bench \(arguments[0])",
            executable: wrapper.isEmpty ? context.executable : URL(fileURLWithPath: "/usr/bin/env"),
            arguments: wrapper.isEmpty ? arguments : wrapper + [context.executable.path] + arguments,
            logDirectory: context.logDirectory)
        try await child.launch()
        do {
            let line = try await child.readLine(within: .seconds(30), waitingFor: "listen addresses")
            guard let ready = try? JSONDecoder().decode(ServerReady.self, from: Data(line.utf8)) else {
                throw ChildError.badReply(child.name, line: line)
            }
            return ServerProcess(child: child, ready: ready)
        } catch {
            await child.stop()
            throw error
        }
    }

    func stats() async throws -> ServerStats {
        let line = try await child.request("stats")
        guard let stats = try? JSONDecoder().decode(ServerStats.self, from: Data(line.utf8)) else {
            throw ChildError.badReply(child.name, line: line)
        }
        return stats
    }

    func dialable(_ index: Int = 0) throws -> Multiaddr { try Multiaddr(ready.dialableAddresses[index]) }
    func listenAddress(_ index: Int = 0) throws -> Multiaddr { try Multiaddr(ready.listenAddresses[index]) }

    var port: Int {
        ready.listenAddresses.first.flatMap { $0.split(separator: "/").last.flatMap { Int($0) } } ?? 0
    }
}

/// Runs `body` with a fresh server child, stopping it afterwards whatever happens.
func withServer<T: Sendable>(
    _ context: BenchContext, _ arguments: [String] = ["serve"], _ body: (ServerProcess) async throws -> T
) async throws -> T {
    let server = try await ServerProcess.start(context, arguments)
    do {
        let result = try await body(server)
        await server.child.stop()
        return result
    } catch {
        await server.child.stop()
        throw error
    }
}

/// Runs `body` with a fresh dialing node in this process, shut down afterwards.
func withClientHost<T: Sendable>(security: String = "noise", _ body: (Node.Host) async throws -> T) async throws -> T {
    let host = try BenchNode.makeHost(security: security)
    do {
        let result = try await body(host)
        await host.shutdown()
        return result
    } catch {
        await host.shutdown()
        throw error
    }
}
