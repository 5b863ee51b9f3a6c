import Foundation
import Testing

/// Every subcommand against an unmodified py-libp2p 0.8.1 peer, and py's clients against
/// `peerscope listen`.
@Suite("CLI: py-libp2p interop", .serialized)
struct CLIPyInteropTests {
    static let keyTypes: [PythonPeerStack.KeyType] = [.ed25519, .secp256k1]

    @Test("ping, identify, perf, stream and diagnose against a py listener", .pythonInterop,
          .timeLimit(.minutes(2)), arguments: keyTypes)
    func everyCommandAgainstPy(pyKey: PythonPeerStack.KeyType) async throws {
        let python = try PythonInterop.peer()
        var stack = PythonPeerStack()
        stack.keyType = pyKey
        let listener = try await python.listen(stack: stack)
        let address = listener.multiaddr

        let ping = try await PeerscopeCLI.run(["ping", address, "--count", "5", "--json", "--ephemeral"])
        #expect(ping.exit?.isCleanExit == true, "\(ping.stderrText)")
        let rtts = try PeerscopeCLI.jsonLines(ping).compactMap { $0["rtt_ms"] as? Double }
        #expect(rtts.count == 5)
        print("CLI ping Swift→py (\(pyKey)) RTT p50: \(median(rtts)) ms (\(rtts))")

        let identify = try await PeerscopeCLI.run(["identify", address, "--json", "--ephemeral"])
        #expect(identify.exit?.isCleanExit == true, "\(identify.stderrText)")
        let info = try #require(try PeerscopeCLI.jsonLines(identify).first)
        #expect(info["peer_id"] as? String == listener.peerID)
        #expect((info["agent_version"] as? String)?.isEmpty == false)
        #expect((info["protocols"] as? [String])?.contains("/ipfs/ping/1.0.0") == true)
        #expect((info["listen_addrs"] as? [String])?.isEmpty == false)
        #expect(info.keys.contains("observed_addr"))

        let perf = try await PeerscopeCLI.run(
            ["perf", address, "--upload", "500000", "--download", "700000", "--json", "--ephemeral"])
        #expect(perf.exit?.isCleanExit == true, "\(perf.stderrText)")
        let result = try #require(try PeerscopeCLI.jsonLines(perf).last)
        #expect(result["upload_bytes"] as? Int == 500_000)
        #expect(result["download_bytes"] as? Int == 700_000)

        let payload = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) })
        let echo = try await PeerscopeCLI.run(["stream", address, "/echo/1.0.0", "--ephemeral"], stdin: payload)
        #expect(echo.exit?.isCleanExit == true, "\(echo.stderrText)")
        #expect(echo.stdout == payload)

        let diagnose = try await PeerscopeCLI.run(["diagnose", address, "--json", "--ephemeral"])
        #expect(diagnose.exit?.isCleanExit == true, "\(diagnose.stdoutText) \(diagnose.stderrText)")
        let report = try #require(try PeerscopeCLI.jsonLines(diagnose).first)
        #expect(report["ok"] as? Bool == true)
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["step"] as? String }
                == ["address", "tcp", "multistream", "noise", "peer_id", "muxer", "identify", "ping"])
        let peerStep = try #require(steps.first { $0["step"] as? String == "peer_id" })
        #expect((peerStep["detail"] as? String)?.contains(pyKey.rawValue) == true)
        let muxer = try #require(steps.first { $0["step"] as? String == "muxer" })
        #expect((muxer["detail"] as? String)?.contains("multistream after Noise") == true,
                "py-libp2p 0.8.1 negotiates the muxer after Noise")
        _ = await listener.stop()
    }

    @Test("py-libp2p's ping and identify against peerscope listen", .pythonInterop,
          .timeLimit(.minutes(2)), arguments: keyTypes)
    func pyClientsAgainstListen(pyKey: PythonPeerStack.KeyType) async throws {
        let python = try PythonInterop.peer()
        let listener = try await PeerscopeListener.start(["--json"])
        var stack = PythonPeerStack()
        stack.keyType = pyKey

        let ping = try await python.dial(listener.address, .ping(count: 5), stack: stack)
        #expect(ping.connection.remotePeerID == listener.peerID)
        #expect(ping.report.count == 5)
        print("py ping py→CLI listen (\(pyKey)) RTT p50: \(ping.report.medianMilliseconds) ms")

        let identify = try await python.dial(listener.address, .identify, stack: stack)
        #expect(identify.report.agentVersion.hasPrefix("peerscope/"))
        #expect(identify.report.publicKeyMatchesPeer)
        for name in ["/ipfs/ping/1.0.0", "/ipfs/id/1.0.0", "/perf/1.0.0", "/echo/1.0.0"] {
            #expect(identify.report.protocols.contains(name))
        }

        let exit = await listener.child.stop(grace: .seconds(10))
        #expect(exit == ChildExit(cause: .exitCode, value: 0))
        let events = try PeerscopeCLI.jsonLines(listener.child.snapshot(), skipping: 1)
        let connections = events.filter { $0["type"] as? String == "connection_established" }
        #expect(connections.count >= 2, "both py dials show up as connections")
    }

    @Test("diagnose: wrong peer ID fails at peer_id, naming both IDs", .pythonInterop, .timeLimit(.minutes(1)))
    func diagnoseWrongPeerID() async throws {
        let python = try PythonInterop.peer()
        let listener = try await python.listen()
        let other = try await PeerscopeCLI.run(["id", "--ephemeral"])
        let wrongID = try #require(PeerscopeCLI.lines(other).first)
        let base = try #require(listener.multiaddr.range(of: "/p2p/")).lowerBound
        let address = listener.multiaddr[..<base] + "/p2p/" + wrongID

        let output = try await PeerscopeCLI.run(["diagnose", String(address), "--json", "--ephemeral"])
        #expect(output.exit == ChildExit(cause: .exitCode, value: 2))
        let steps = try CLILocalTests.steps(output)
        #expect(steps.map { $0["step"] as? String } == ["address", "tcp", "multistream", "noise", "peer_id"])
        let failed = try #require(steps.last)
        #expect(failed["ok"] as? Bool == false)
        #expect(failed["hint"] as? String == "peer ID mismatch: dialed \(wrongID), the key proves \(listener.peerID)")
        _ = await listener.stop()
    }

    @Test("diagnose --security noise: a py peer without Noise fails at multistream, saying what we proposed",
          .pythonInterop, .timeLimit(.minutes(1)), arguments: [PythonPeerStack.Security.plaintext, .tls])
    func diagnoseNoNoise(security: PythonPeerStack.Security) async throws {
        let python = try PythonInterop.peer()
        var stack = PythonPeerStack()
        stack.security = security
        let listener = try await python.listen(stack: stack)

        let output = try await PeerscopeCLI.run(["diagnose", listener.multiaddr, "--ephemeral", "--security", "noise"])
        #expect(output.exit == ChildExit(cause: .exitCode, value: 2))
        #expect(output.stdoutText.contains("FAIL multistream"), "\(output.stdoutText)")
        #expect(output.stdoutText.contains("the peer does not speak /noise"), "\(output.stdoutText)")

        let json = try await PeerscopeCLI.run(["diagnose", listener.multiaddr, "--json", "--ephemeral", "--security", "noise"])
        let steps = try CLILocalTests.steps(json)
        #expect(steps.map { $0["step"] as? String } == ["address", "tcp", "multistream"])
        #expect((steps.last?["got"] as? String)?.contains("na") == true, "\(steps.last ?? [:])")
        _ = await listener.stop()
    }

    @Test("diagnose with the default lists reaches a TLS-only py peer: Noise refused, TLS steps shown",
          .pythonInterop, .timeLimit(.minutes(1)))
    func diagnoseTLSOnlyPeer() async throws {
        let python = try PythonInterop.peer()
        var stack = PythonPeerStack()
        stack.security = .tls
        let listener = try await python.listen(stack: stack)

        let json = try await PeerscopeCLI.run(["diagnose", listener.multiaddr, "--json", "--ephemeral"])
        #expect(json.exit == ChildExit(cause: .exitCode, value: 0), "\(json.stdoutText)\(json.stderrText)")
        let report = try #require(try PeerscopeCLI.jsonLines(json).first)
        #expect(report["ok"] as? Bool == true)
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? String }
                == ["address", "tcp", "multistream", "tls", "peer_id", "muxer", "identify", "ping"])
        let multistream = steps.first { $0["step"] as? String == "multistream" }?["detail"] as? String ?? ""
        #expect(multistream.contains("proposed /noise, /tls/1.0.0") && multistream.contains("answered /tls/1.0.0"), "\(multistream)")
        let tls = steps.first { $0["step"] as? String == "tls" }?["detail"] as? String ?? ""
        #expect(tls.contains("ClientHello") && tls.contains("ServerHello"), "\(tls)")
        #expect(tls.contains("libp2p extension verified"), "\(tls)")
        let peer = steps.first { $0["step"] as? String == "peer_id" }?["detail"] as? String ?? ""
        #expect(peer.contains(listener.peerID), "\(peer)")
        _ = await listener.stop()
    }
}
