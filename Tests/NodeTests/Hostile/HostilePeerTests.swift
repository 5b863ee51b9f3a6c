import Foundation
import XCTest

@testable import Core
@testable import Multiformats
@testable import Node

/// The hostile-peer suite: `Tests/Hostile/hostile_peer.py` (raw bytes, none of our code) plays each abuse
/// against a `peerscope listen --json` process while an honest host keeps pinging that process.
///
/// Each case passes when the attacker saw the expected answer on the wire, the node printed the named
/// error for it, the honest connections (one over TCP, one over QUIC) stayed up and had pings answered
/// after the case, and the listener's resident memory stayed under `rssBoundKiB`. The listener listens on
/// TCP, /ws and /quic-v1; `ws-*` and `quic-*` cases attack those ports.
final class HostilePeerTests: XCTestCase {
    /// Upgrade deadline of the listener under attack, so trickle cases end in seconds.
    static let upgradeTimeout = 3.0
    /// Peak resident memory allowed for the listener (a debug build idles at about 35 MB). `make sanitize`
    /// raises it: a sanitizer's shadow memory and quarantine make RSS say nothing about the node.
    static let rssBoundKiB = (ProcessInfo.processInfo.environment["PEERSCOPE_HOSTILE_RSS_BOUND_MB"].flatMap(Int.init) ?? 128) * 1024

    /// What the node must print (in its JSON event lines) for each case: a named error, not just a close.
    static let expectedEvents: [String: String] = [
        "upgrade-trickle-multistream": "security negotiation (multistream-select): timed out after 3.0 s",
        "upgrade-trickle-noise": "noise handshake: timed out after 3.0 s",
        "upgrade-trickle-tls": "tls handshake: timed out after 3.0 s",
        "upgrade-trickle-muxer": "muxer negotiation (multistream-select): timed out after 3.0 s",
        "upgrade-oversize-multistream-line": "expected a message of at most 1024 bytes; got a length prefix of 60000 bytes",
        "upgrade-unterminated-multistream-line": "expected a message ending in a newline; got a message without one",
        "upgrade-ten-thousand-proposals": "expected a proposal we support; got 16 unsupported proposals",
        "noise-bad-signature": "expected a valid identity signature in noise message 3; got a signature that does not verify",
        "noise-unknown-key-type": "got unknown key type 7",
        "noise-oversize-payload": "key data length 65000 exceeds the limit of 8192 bytes",
        "noise-garbage-after-handshake": "transport frame with nonce 0 failed authentication",
        "tls-certificate-without-extension": "certificate has no libp2p public key extension",
        "yamux-unknown-version": "protocol error: yamux header: version 1, expected 0",
        "yamux-unknown-type": "protocol error: yamux header: frame type 9",
        "yamux-window-overrun": "yamux Data frame on stream 1: 300000 bytes but only 262144 bytes of window granted",
        "yamux-data-after-fin": "aborted: 5 bytes of data after the peer's FIN",
        "yamux-stream-id-reuse": "protocol error: yamux SYN for stream 1, which is already open",
        "yamux-wrong-parity": "protocol error: yamux SYN for stream 2: expected odd IDs from the peer",
        "yamux-syn-flood": "yamux accept backlog (256) reached",
        "yamux-rst-flood": "\"cause\":\"reset by peer (code 0)\"",
        "yamux-ping-flood-without-reading": "\"cause\":\"peer not reading: ",
        "yamux-go-away-then-syn": "refused by yamux",
        "yamux-never-reading-peer": "\"type\":\"stream_window_exhausted\"",
        "yamux-window-update-overflow": "yamux Window Update on stream 1: 262144 + 4294967295 exceeds 2^32-1",
        "identify-oversize-answer": "identify stream carries more than 81940 bytes",
        "identify-garbage-answer": "identify message 0 is not a valid Identify protobuf",
        "ping-streams-over-the-limit": "max streams per protocol (2) reached",
        "mplex-oversize-frame": "length 2097152 exceeds the 1048576-byte maximum",
        "mplex-unknown-flag": "unknown flag 7 (flags are 0 to 6)",
        "mplex-data-after-close": "aborted: 5 bytes of data after the peer's Close",
        "mplex-stream-id-reuse": "mplex NewStream for stream 1, which the peer already has open",
        "mplex-new-stream-flood": "mplex max inbound streams (512) reached",
        "mplex-reset-flood": "\"cause\":\"reset by peer\"",
        "mplex-never-reading-peer": "aborted: receive buffer overrun",
        "ws-not-http": "expected an HTTP/1.1 upgrade request; got bytes that are not an HTTP/1.1 request",
        "ws-oversize-request-headers": "expected an HTTP/1.1 upgrade request; got request headers over 16 KiB",
        "ws-trickle-upgrade-request": "no WebSocket upgrade request within 3.0 s",
        "ws-plain-http-get": "got GET /metrics without Upgrade: websocket (answered 426 Upgrade Required)",
        "ws-unmasked-client-frame": "WebSocket: the client sent an unmasked frame",
        "ws-oversize-frame": "WebSocket: frame longer than the 256 KiB this node reads",
        "quic-certificate-without-extension":
            "quic handshake failed: expected one certificate with a valid libp2p public key extension; got tls: certificate has no libp2p public key extension",
        "quic-certificate-bad-signature":
            "quic handshake failed: expected one certificate with a valid libp2p public key extension; got tls: the ed25519 host key's signature over the certificate key does not verify",
        "quic-handshake-stall": "quic handshake failed: expected the QUIC handshake to finish; got handshake timeout",
        "quic-initial-flood": "Initial dropped: 8 QUIC handshakes from 127.0.0.1 already in progress",
        // Datagrams for no connection are dropped without a word (a report per packet would be the flood).
        "quic-garbage-datagrams": "",
    ]

    /// The listener's port each case attacks: `ws-*` its /ws port, `quic-*` its UDP port, the rest TCP.
    static func port(for name: String, tcp: UInt16, ws: UInt16, quic: UInt16) -> UInt16 {
        if name.hasPrefix("ws-") { return ws }
        if name.hasPrefix("quic-") { return quic }
        return tcp
    }

    func testEveryAbuseIsAnsweredByNameWhileAnHonestPeerIsServed() async throws {
        guard PythonInterop.shouldRun else { throw XCTSkip(PythonInterop.skipComment) }
        let python = try PythonInterop.peer()
        let script = try XCTUnwrap(PythonInterop.packageRoot()).appendingPathComponent("Tests/Hostile/hostile_peer.py")
        let cases = try await Self.runScript(python.interpreter, script, ["list"], within: .seconds(30))
            .split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
        XCTAssertEqual(Set(cases), Set(Self.expectedEvents.keys), "every case needs its expected event, and only those")

        let listener = try await PeerscopeListener.start([
            "--json", "--upgrade-timeout", "\(Self.upgradeTimeout)", "--listen", "/ip4/127.0.0.1/tcp/0",
            "--listen", "/ip4/127.0.0.1/tcp/0/ws", "--listen", "/ip4/127.0.0.1/udp/0/quic-v1",
        ])
        let pid = listener.child.processIdentifier
        // The bound addresses are the stdout lines that are multiaddrs, in the order given; each is printed
        // once its listener is up (seconds apart under a sanitizer).
        var addressLines: [Substring] = []
        let addressesDeadline = ContinuousClock.now + .seconds(30)
        while addressLines.count < 3, ContinuousClock.now < addressesDeadline {
            addressLines = Self.eventLines(listener).filter { $0.hasPrefix("/") }
            if addressLines.count < 3 { try await Task.sleep(for: .milliseconds(50)) }
        }
        let bound = try addressLines.prefix(3).map { try Multiaddr(String($0)) }
        guard bound.count == 3 else {
            return XCTFail("the listener printed \(bound) as its addresses within 30 s, expected TCP, /ws and /quic-v1")
        }
        let address = bound[0]
        let quicAddress = bound[2]
        func port(_ address: Multiaddr) throws -> UInt16 {
            try XCTUnwrap(address.components.compactMap { component -> UInt16? in
                switch component {
                case .tcp(let port), .udp(let port): return port
                default: return nil
                }
            }.first)
        }
        let (tcpPort, wsPort, quicPort) = (try port(address), try port(bound[1]), try port(quicAddress))

        // Honest peers over TCP and over QUIC: the QUIC cases share the listener's one UDP socket with it.
        let honest = Node.Host(identity: try PrivateKey.generate(.ed25519))
        let connection = try await honest.dial(address)
        let pinger = HonestPinger(host: honest, connection: connection)
        let pinging = Task { await pinger.run() }
        defer { pinging.cancel() }
        try await pinger.waitForAnswers(after: 0, count: 2, within: .seconds(10))
        let honestConnection = try await Self.listenerConnectionID(of: honest.peerID, in: listener)
        let honestQUIC = Node.Host(identity: try PrivateKey.generate(.ed25519))
        let quicConnection = try await honestQUIC.dial(quicAddress)
        let quicPinger = HonestPinger(host: honestQUIC, connection: quicConnection, label: "quic")
        let quicPinging = Task { await quicPinger.run() }
        defer { quicPinging.cancel() }
        try await quicPinger.waitForAnswers(after: 0, count: 2, within: .seconds(10))
        let honestQUICConnection = try await Self.listenerConnectionID(of: honestQUIC.peerID, in: listener)

        var passed = 0
        var peakRSS = 0
        for name in cases {
            if let exit = listener.child.snapshot().exit {
                let saved = FileManager.default.temporaryDirectory.appendingPathComponent("peerscope-hostile-listener.stderr")
                try? listener.child.snapshot().stderr.write(to: saved)
                XCTFail("the listener under attack exited (\(exit)) before \(name); its stderr is in \(saved.path) and ends: \(listener.child.snapshot().stderrText.suffix(1500))")
                break
            }
            let linesBefore = Self.eventLines(listener).count
            let answeredBefore = await pinger.answered
            let quicAnsweredBefore = await quicPinger.answered
            await pinger.running(name)
            await quicPinger.running(name)
            let target = Self.port(for: name, tcp: tcpPort, ws: wsPort, quic: quicPort)
            let output = try await Self.runScript(
                python.interpreter, script,
                ["run", name, "127.0.0.1", "\(target)", "--upgrade-timeout", "\(Self.upgradeTimeout)"], within: .seconds(90))
            let result = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            let attackerSaw = result?["ok"] as? Bool == true
            let observed = result?["observed"] as? String ?? output

            let expected = Self.expectedEvents[name] ?? "?"
            var named = expected.isEmpty
            let deadline = ContinuousClock.now + .seconds(5)
            while !named, ContinuousClock.now < deadline {
                named = Self.eventLines(listener).dropFirst(linesBefore).contains { $0.contains(expected) }
                if !named { try await Task.sleep(for: .milliseconds(50)) }
            }
            let tcpServed = (try? await pinger.waitForAnswers(after: answeredBefore, count: 1, within: .seconds(10))) != nil
            let quicServed = (try? await quicPinger.waitForAnswers(after: quicAnsweredBefore, count: 1, within: .seconds(10))) != nil
            // The QUIC peer is held to the cases that attack QUIC and WebSocket. Under the TCP cases its misses are
            // printed, not failed: a yamux ping flood on the event loop it shares can stall it for seconds (a
            // known fairness gap, open).
            let holdsQUIC = name.hasPrefix("quic-") || name.hasPrefix("ws-")
            if !quicServed, !holdsQUIC { print("hostile NOTE \(name): the honest QUIC peer's ping was not answered within 10 s") }
            let servedAfter = tcpServed && (quicServed || !holdsQUIC)
            let honestClosed = Self.eventLines(listener).contains { line in
                line.contains("\"type\":\"connection_closed\"")
                    && [honestConnection, honestQUICConnection].contains { line.contains("\"connection\":\"\($0)\"") }
            }
            let rss = Self.residentKiB(pid, field: "VmRSS") ?? Int.max
            peakRSS = max(peakRSS, rss)

            let ok = attackerSaw && named && servedAfter && !honestClosed && rss <= Self.rssBoundKiB
            if ok { passed += 1 }
            print("hostile \(ok ? "PASS" : "FAIL") \(name): \(observed); named event: \(expected.isEmpty ? "none expected" : "\(named)"); honest pings answered after: \(servedAfter); RSS \(rss / 1024) MB")
            XCTAssertTrue(attackerSaw, "\(name): the node's answer on the wire was not the expected one: \(observed)")
            XCTAssertTrue(named, "\(name): no event containing \(expected)")
            XCTAssertTrue(servedAfter, "\(name): the honest peer's pings were not answered after the case")
            XCTAssertFalse(honestClosed, "\(name): the honest connection \(honestConnection) was closed")
            XCTAssertLessThanOrEqual(rss, Self.rssBoundKiB, "\(name): listener RSS \(rss) KiB")
        }
        let peak = Self.residentKiB(pid, field: "VmHWM") ?? Int.max
        let quicFailures = await quicPinger.failures
        for failure in quicFailures { print("hostile NOTE \(failure)") }
        let failures = await pinger.failures + quicFailures.filter { $0.contains("during quic-") || $0.contains("during ws-") }
        print("hostile peers: \(cases.count) cases, \(passed) passed; honest pings answered \(await pinger.answered) over TCP, \(await quicPinger.answered) over QUIC, failed \(failures.count); listener RSS peak \(peak / 1024) MB (bound \(Self.rssBoundKiB / 1024) MB)")
        XCTAssertEqual(passed, cases.count)
        XCTAssertEqual(failures, [], "honest pings failed")
        XCTAssertLessThanOrEqual(peak, Self.rssBoundKiB, "listener peak RSS (VmHWM)")
        pinging.cancel()
        quicPinging.cancel()
        await honest.shutdown()
        await honestQUIC.shutdown()
    }

    // MARK: - Support

    static func eventLines(_ listener: PeerscopeListener) -> [Substring] {
        listener.child.snapshot().stdoutText.split(separator: "\n")
    }

    /// The listener's name for the honest host's connection, from its `connection_established` line.
    static func listenerConnectionID(of peer: PeerID, in listener: PeerscopeListener) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            for line in eventLines(listener) where line.contains("\"connection_established\"") && line.contains(peer.description) {
                if let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let id = object["connection"] as? String
                {
                    return id
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw XCTSkip("the listener never reported the honest connection")
    }

    /// A `/proc/PID/status` field in KiB.
    static func residentKiB(_ pid: Int32, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    struct ScriptFailed: Error, CustomStringConvertible {
        let description: String
    }

    static func runScript(_ interpreter: URL, _ script: URL, _ arguments: [String], within: Duration) async throws -> String {
        let child = ChildProcess(executable: interpreter, arguments: [script.path] + arguments)
        try await child.launch()
        guard let output = await child.wait(within: within, until: \.isFinished) else {
            await child.stop(grace: .seconds(2))
            throw ScriptFailed(description: "hostile_peer.py \(arguments.joined(separator: " ")) did not finish within \(within): \(child.snapshot().stderrText)")
        }
        guard output.exit?.isCleanExit == true else {
            throw ScriptFailed(description: "hostile_peer.py \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
        }
        return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Pings the listener every 200 ms over one connection and counts what was answered.
actor HonestPinger {
    let host: Node.Host
    let connection: HostConnection
    let label: String
    private(set) var answered = 0
    private(set) var failures: [String] = []
    /// The case running now, so a failure says when it happened.
    private var during = "setup"

    init(host: Node.Host, connection: HostConnection, label: String = "tcp") {
        self.host = host
        self.connection = connection
        self.label = label
    }

    func running(_ name: String) { during = name }

    func run() async {
        while !Task.isCancelled {
            do {
                _ = try await host.ping(connection, count: 1, interval: .zero, timeout: .seconds(5))
                answered += 1
            } catch {
                if Task.isCancelled { return }
                failures.append("\(label) ping during \(during): \(error)")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits until `count` more pings than `after` were answered.
    func waitForAnswers(after: Int, count: Int, within: Duration) async throws {
        let deadline = ContinuousClock.now + within
        while answered < after + count {
            guard ContinuousClock.now < deadline else {
                throw HostilePeerTests.ScriptFailed(description: "honest pings not answered within \(within); failures: \(failures)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
