import Foundation
import NIOCore
import NIOPosix
import Testing

/// The `peerscope` executable against itself and against local sockets, no Python needed.
@Suite("CLI: peerscope against peerscope", .serialized)
struct CLILocalTests {
    @Test("listen prints its address first, serves every protocol, and exits 0 on SIGTERM", .timeLimit(.minutes(2)))
    func listenServesAndStops() async throws {
        let listener = try await PeerscopeListener.start(["--json"])
        #expect(listener.address.hasPrefix("/ip4/127.0.0.1/tcp/"))
        #expect(listener.address.contains("/p2p/12D3KooW"))

        let ping = try await PeerscopeCLI.run(["ping", listener.address, "--count", "5", "--json", "--ephemeral"])
        #expect(ping.exit?.isCleanExit == true, "\(ping.stderrText)")
        let samples = try PeerscopeCLI.jsonLines(ping)
        #expect(samples.map { $0["seq"] as? Int } == [1, 2, 3, 4, 5])
        let rtts = samples.compactMap { $0["rtt_ms"] as? Double }
        #expect(rtts.count == 5 && rtts.allSatisfy { $0 > 0 && $0 < 1000 })
        print("CLI ping Swift↔Swift RTT p50: \(median(rtts)) ms (\(rtts))")

        let identify = try await PeerscopeCLI.run(["identify", listener.address, "--json", "--ephemeral"])
        #expect(identify.exit?.isCleanExit == true, "\(identify.stderrText)")
        let info = try #require(try PeerscopeCLI.jsonLines(identify).first)
        #expect(info["peer_id"] as? String == listener.peerID)
        #expect((info["agent_version"] as? String)?.hasPrefix("peerscope/") == true)
        #expect(info["protocol_version"] as? String == "ipfs/0.1.0")
        let protocols = try #require(info["protocols"] as? [String])
        for name in ["/ipfs/ping/1.0.0", "/ipfs/id/1.0.0", "/perf/1.0.0", "/echo/1.0.0"] {
            #expect(protocols.contains(name))
        }
        #expect((info["listen_addrs"] as? [String])?.isEmpty == false)
        #expect((info["observed_addr"] as? String)?.hasPrefix("/ip4/127.0.0.1/tcp/") == true)

        let perf = try await PeerscopeCLI.run(
            ["perf", listener.address, "--upload", "1000000", "--download", "2000000", "--json", "--ephemeral"])
        #expect(perf.exit?.isCleanExit == true, "\(perf.stderrText)")
        let result = try #require(try PeerscopeCLI.jsonLines(perf).last)
        #expect(result["upload_bytes"] as? Int == 1_000_000)
        #expect(result["download_bytes"] as? Int == 2_000_000)
        #expect((result["upload_seconds"] as? Double).map { $0 > 0 } == true)
        #expect((result["download_seconds"] as? Double).map { $0 > 0 } == true)
        #expect(perf.stderrText.isEmpty, "no progress when stderr is not a terminal")

        let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let echo = try await PeerscopeCLI.run(["stream", listener.address, "/echo/1.0.0", "--ephemeral"], stdin: payload)
        #expect(echo.exit?.isCleanExit == true, "\(echo.stderrText)")
        #expect(echo.stdout == payload)

        let exit = await listener.child.stop(grace: .seconds(10))
        #expect(exit == ChildExit(cause: .exitCode, value: 0))
        let events = try PeerscopeCLI.jsonLines(listener.child.snapshot(), skipping: 1)
        let types = events.compactMap { $0["type"] as? String }
        #expect(types.first == "listening")
        #expect(types.contains("inbound_accepted"))
        #expect(types.contains("upgrade_step"))
        #expect(types.contains("connection_established"))
        #expect(types.contains("stream_protocol"))
        #expect(types.last == "shut_down")
        let connections = events.compactMap { $0["connection"] as? String }
        #expect(connections.allSatisfy { $0.hasPrefix("c") && Int($0.dropFirst()) != nil })
    }

    @Test("listen without --json prints readable lines and stops on SIGINT too", .timeLimit(.minutes(1)))
    func listenHumanAndSIGINT() async throws {
        let listener = try await PeerscopeListener.start()
        let ping = try await PeerscopeCLI.run(["ping", listener.address, "--count", "1", "--ephemeral"])
        #expect(ping.exit?.isCleanExit == true)
        #expect(ping.stdoutText.hasPrefix("ping 1: "))
        kill(listener.child.processIdentifier, SIGINT)
        let ended = await listener.child.wait(within: .seconds(10), until: \.isFinished)
        #expect(ended?.exit == ChildExit(cause: .exitCode, value: 0))
        #expect(ended?.stdoutText.contains("connection to") == true)
        #expect(ended?.stdoutText.contains("node shut down") == true)
    }

    @Test("diagnose of a working peer lists every step", .timeLimit(.minutes(1)))
    func diagnoseSuccess() async throws {
        let listener = try await PeerscopeListener.start()
        let output = try await PeerscopeCLI.run(["diagnose", listener.address, "--json", "--ephemeral"])
        #expect(output.exit?.isCleanExit == true, "\(output.stdoutText) \(output.stderrText)")
        let report = try #require(try PeerscopeCLI.jsonLines(output).first)
        #expect(report["ok"] as? Bool == true)
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["step"] as? String }
                == ["address", "tcp", "multistream", "noise", "peer_id", "muxer", "identify", "ping"])
        #expect(steps.allSatisfy { $0["ok"] as? Bool == true && $0["ms"] is Double && $0["detail"] is String })
        let muxer = try #require(steps.first { $0["step"] as? String == "muxer" })
        #expect((muxer["detail"] as? String)?.contains("early") == true, "two peerscope nodes agree on yamux inside Noise")
    }

    @Test("diagnose of a closed port fails at tcp: connection refused", .timeLimit(.minutes(1)))
    func diagnoseClosedPort() async throws {
        let closed = try Self.closedPort()
        let port = closed.port
        let output = try await PeerscopeCLI.run(["diagnose", "/ip4/127.0.0.1/tcp/\(port)", "--json", "--ephemeral"])
        #expect(output.exit == ChildExit(cause: .exitCode, value: 2))
        let steps = try Self.steps(output)
        #expect(steps.map { $0["step"] as? String } == ["address", "tcp"])
        #expect(steps.last?["ok"] as? Bool == false)
        #expect(steps.last?["detail"] as? String == "connection refused: nothing listens on 127.0.0.1:\(port)")
        withExtendedLifetime(closed) {}
    }

    @Test("diagnose of a TCP server that says nothing fails at multistream by timeout", .timeLimit(.minutes(1)))
    func diagnoseSilentPeer() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let started = ContinuousClock.now
        let output = try await PeerscopeCLI.run(
            ["diagnose", "/ip4/127.0.0.1/tcp/\(port)", "--json", "--ephemeral", "--timeout", "2"], within: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(10), "--timeout bounds the command")
        #expect(output.exit == ChildExit(cause: .exitCode, value: 2))
        let steps = try Self.steps(output)
        #expect(steps.map { $0["step"] as? String } == ["address", "tcp", "multistream"])
        let failed = try #require(steps.last)
        #expect(failed["ok"] as? Bool == false)
        #expect((failed["detail"] as? String)?.contains("timed out") == true, "\(failed)")
        #expect((failed["hint"] as? String)?.contains("sent nothing") == true, "\(failed)")
    }

    @Test("errors are one line on stderr with a non-zero exit", .timeLimit(.minutes(1)))
    func errorsAreOneLine() async throws {
        let closed = try Self.closedPort()
        let port = closed.port
        let refused = try await PeerscopeCLI.run(["ping", "/ip4/127.0.0.1/tcp/\(port)", "--ephemeral"])
        #expect(refused.exit?.value != 0)
        #expect(refused.stdoutText.isEmpty)
        let lines = refused.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.stderrText)")
        #expect(refused.stderrText.contains("connection refused: nothing listens on 127.0.0.1:\(port)"))
        withExtendedLifetime(closed) {}

        let invalid = try await PeerscopeCLI.run(["identify", "/ip4/not-an-ip/tcp/1", "--ephemeral"])
        #expect(invalid.exit?.value != 0)
        #expect(invalid.stderrText.split(separator: "\n").count == 1, "\(invalid.stderrText)")
        #expect(invalid.stderrText.contains("invalid multiaddr"))
    }

    /// A port that refuses connections and that no other test can take meanwhile: a socket bound
    /// to it without `listen`, kept open until the returned holder is released.
    static func closedPort() throws -> ClosedPort {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ClosedPort.BindFailed()
        }
        return ClosedPort(descriptor: descriptor, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    static func steps(_ output: ChildOutput) throws -> [[String: Any]] {
        let report = try #require(try PeerscopeCLI.jsonLines(output).first)
        #expect(report["ok"] as? Bool == false)
        return try #require(report["steps"] as? [[String: Any]])
    }
}

/// A bound, never-listening socket: its port refuses connections while this object lives.
final class ClosedPort: Sendable {
    struct BindFailed: Error {}
    let descriptor: Int32
    let port: Int
    init(descriptor: Int32, port: Int) {
        self.descriptor = descriptor
        self.port = port
    }
    deinit { close(descriptor) }
}
