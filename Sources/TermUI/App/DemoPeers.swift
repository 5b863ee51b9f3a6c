import NIOCore
import Node

/// Two extra nodes in this process, labelled `peerscope-demo/…` in their agent version, that dial
/// the UI's node and keep every pane busy: streams, pings and echo traffic every few seconds.
final class DemoPeers: Sendable {
    private let hosts: [Host]
    private let tasks: [Task<Void, Never>]

    private init(hosts: [Host], tasks: [Task<Void, Never>]) {
        self.hosts = hosts
        self.tasks = tasks
    }

    static func start(dialing target: Multiaddr) async throws -> DemoPeers {
        var hosts: [Host] = []
        var tasks: [Task<Void, Never>] = []
        // One peer on each stack, so the timeline shows a Noise and a TLS handshake and the streams pane
        // both a yamux table (windows) and an mplex one (buffered bytes).
        let stacks = [("alice", ["noise"], ["yamux"]), ("bob", ["tls"], ["mplex"])]
        for (index, (name, security, muxers)) in stacks.enumerated() {
            var configuration = HostConfiguration()
            try configuration.useStack(security: security, muxers: muxers)
            configuration.agentVersion = "peerscope-demo/\(name)"
            configuration.serveEcho = true
            configuration.servePerf = true
            let host = Host(identity: try PrivateKey.generate(.ed25519), configuration: configuration)
            try await host.listen(Multiaddr("/ip4/127.0.0.1/tcp/0"))
            hosts.append(host)
            let before = hosts.dropLast().last
            tasks.append(Task {
                // One after the other, so the first connection (the one selected at start) is alice's.
                if let before { await waitForAConnection(of: before, within: .seconds(3)) }
                await chatter(host, target: target, period: .seconds(3 + index))
            })
        }
        return DemoPeers(hosts: hosts, tasks: tasks)
    }

    func stop() async {
        for task in tasks { task.cancel() }
        for host in hosts { await host.shutdown() }
    }

    private static func waitForAConnection(of host: Host, within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while host.connections.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func chatter(_ host: Host, target: Multiaddr, period: Duration) async {
        var round = 0
        var echo: NegotiatedStream?
        while !Task.isCancelled {
            round += 1
            do {
                let connection = try await host.dial(target)
                try await host.ping(connection, count: 1)
                // One long-lived stream that carries a line each round, so the streams table keeps a row.
                if echo == nil { echo = try await host.newStream(on: connection, protocols: ["/echo/1.0.0"]).0 }
                if let echo {
                    try await echo.write(ByteBuffer(string: "demo line \(round)\n"))
                    _ = try await echo.read()
                }
                if round % 3 == 0 {
                    // And a short burst that comes and goes.
                    let (burst, _) = try await host.newStream(on: connection, protocols: ["/echo/1.0.0"])
                    try await burst.write(ByteBuffer(repeating: UInt8(ascii: "x"), count: 16 * 1024 * round % 256 * 1024 + 1))
                    try await burst.closeWrite()
                    while try await burst.read() != nil {}
                }
            } catch {
                // The UI node may be closing, or the user hung up on us: start over next round.
                echo?.reset()
                echo = nil
            }
            try? await Task.sleep(for: period)
        }
    }
}
