import ArgumentParser
import Foundation
import NIOCore
import Node

#if canImport(Glibc)
import Glibc
#endif

/// The listening node of the two-process benchmarks: perf, ping, echo and a hold protocol, with
/// `stats` (CPU, RSS, connections, held streams) on its command channel.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run a benchmark node until stdin closes (started by `run`).")

    @Option(help: "Listen multiaddr; repeat for several.")
    var listen: [String] = [BenchNode.loopback]

    @Option(help: "The one security protocol to offer (noise or tls).")
    var security = "noise"

    func run() async throws {
        let host = try BenchNode.makeHost(security: security)
        let holding = Counter()
        host.setStreamHandler(PerfProtocol.id) { incoming in
            _ = try await EventLoopTaskExecutor.run(on: incoming.connection.muxed.eventLoop) {
                try await PerfServer().serve(incoming.stream)
            }
        }
        host.setStreamHandler(PingProtocol.id) { incoming in
            _ = try await EventLoopTaskExecutor.run(on: incoming.connection.muxed.eventLoop) {
                try await PingServer().serve(incoming.stream)
            }
        }
        host.setStreamHandler(EchoProtocol.id) { incoming in
            _ = try await EchoServer().serve(incoming.stream)
        }
        host.setStreamHandler(BenchNode.holdProtocol) { incoming in
            holding.add(1)
            defer { holding.add(-1) }
            while try await incoming.stream.read() != nil {}
            try await incoming.stream.closeWrite()
        }
        var ready = ServerReady(listenAddresses: [], dialableAddresses: [])
        for text in listen {
            let bound = try await host.listen(try Multiaddr(text))
            ready.listenAddresses.append(bound.description)
            ready.dialableAddresses.append(host.dialableAddress(bound).description)
        }
        await ControlLoop.run(ready: ControlLoop.json(ready)) { command in
            guard command == "stats" else { return nil }
            return ControlLoop.json(ServerStats.current(connections: host.connections.count, holding: holding.value))
        }
        // A benchmark child: the sockets die with the process, nothing needs a graceful close.
        Glibc.exit(0)
    }
}

/// The raw TCP server of the transport baseline: perf without security or muxing, and an echo mode.
struct ServeRawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-raw", abstract: "Run the plain SwiftNIO baseline server until stdin closes.")

    func run() async throws {
        let server = try await RawTCPServer.start()
        let ready = ServerReady(listenAddresses: ["/ip4/127.0.0.1/tcp/\(server.port)"], dialableAddresses: [])
        await ControlLoop.run(ready: ControlLoop.json(ready)) { command in
            guard command == "stats" else { return nil }
            return ControlLoop.json(ServerStats.current(connections: 0, holding: 0))
        }
        Glibc.exit(0)
    }
}

/// A counter shared by handler tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ delta: Int) { lock.withLock { count += delta } }
    var value: Int { lock.withLock { count } }
}
