@testable import Events
@testable import Node
@testable import TermUI

/// A deterministic UI state built only from synthetic events: fixed keys, fixed times from `base`.
enum AppFixture {
    static let base = ContinuousClock.now

    static func peer(_ seed: UInt8) -> PeerID {
        // A fixed ed25519 key per seed, so peer IDs (and snapshots) never change.
        let key = try? PrivateKey(keyType: .ed25519, rawData: Array(repeating: seed, count: 32))
        guard let key else { preconditionFailure("fixed test key rejected") }
        return key.peerID
    }

    static func address(_ text: String) -> Multiaddr {
        guard let address = try? Multiaddr(text) else { preconditionFailure("bad test address \(text)") }
        return address
    }

    static func at(_ milliseconds: Int) -> ContinuousClock.Instant { base + .milliseconds(milliseconds) }

    static func record(_ event: NodeEvent, at milliseconds: Int, dropped: Int = 0, sequence: UInt64 = 0) -> AppEvent {
        .node(EventRecord(sequence: sequence, time: at(milliseconds), event: event, droppedBefore: dropped))
    }

    static let local = peer(1)
    static let goPeer = peer(2)
    static let demoPeer = peer(3)
    static let c1 = ConnectionID(rawValue: 1)
    static let c2 = ConnectionID(rawValue: 2)
    static let c3 = ConnectionID(rawValue: 3)

    static func upgradeEvents(_ id: ConnectionID, peer: PeerID, remote: String, startMs: Int, early: Bool) -> [AppEvent] {
        let steps: [(UpgradeStep, Int)] = [
            (.transport(.connected(transport: "tcp", local: address("/ip4/127.0.0.1/tcp/4001"), remote: address(remote))), 0),
            (.security(.proposed(["/noise"], lazy: false)), 1), (.security(.negotiated("/noise")), 2),
            (noise(.sent, 1, "e", 32), 3), (noise(.received, 2, "e, ee, s, es", 96), 9),
            (noise(.sent, 3, "s, se", 64), 10), (.security(.peerVerified(peer, keyType: .ed25519)), 10),
            (.muxer(.negotiated("/yamux/1.0.0", earlyIn: early ? "noise" : nil)), 11), (.ready, 11),
        ]
        return steps.map { step, ms in record(.upgradeStep(id, step, offset: .milliseconds(ms)), at: startMs + ms) }
    }

    static func noise(_ direction: SecurityHandshakeMessage.Direction, _ number: Int, _ content: String, _ bytes: Int) -> UpgradeStep {
        .security(.handshakeMessage(SecurityHandshakeMessage(
            protocolName: "noise", direction: direction, number: number, content: content, bytes: bytes)))
    }

    static func stream(_ id: UInt64, _ protocolID: String?, _ state: MuxedStreamState, send: UInt32 = 262_144, bytes: UInt64 = 1200, ageSeconds: Int64 = 4) -> StreamSnapshot {
        StreamSnapshot(
            id: id, direction: id % 2 == 1 ? .outbound : .inbound, protocolID: protocolID, state: state, sendWindow: send,
            receiveWindow: 262_144, bufferedBytes: 0, bytesIn: bytes, bytesOut: bytes / 2, framesIn: 3, framesOut: 3,
            age: .seconds(ageSeconds))
    }

    static func connectionSnapshot(_ id: ConnectionID, peer: PeerID, remote: String, direction: ConnectionDirection, agent: String?, streams: [StreamSnapshot], ageSeconds: Int64, bytes: UInt64) -> ConnectionSnapshot {
        ConnectionSnapshot(
            id: id, peer: peer, direction: direction, localAddress: address("/ip4/127.0.0.1/tcp/4001"), remoteAddress: address(remote),
            security: "/noise", muxer: "/yamux/1.0.0", earlyMuxerNegotiation: id == c1, age: .seconds(ageSeconds), rtt: .microseconds(830),
            agentVersion: agent, framesIn: 10, framesOut: 10, bytesIn: bytes, bytesOut: bytes / 3, streams: streams,
            recentlyClosedStreams: [], closing: false)
    }

    static func snapshot(atMs milliseconds: Int, bytes: UInt64) -> AppEvent {
        .snapshot(HostSnapshot(
            takenAt: at(milliseconds), peerID: local, listenAddresses: [address("/ip4/127.0.0.1/tcp/4001")],
            connections: [
                connectionSnapshot(c1, peer: goPeer, remote: "/ip4/10.0.0.7/tcp/4001", direction: .outbound, agent: "go-libp2p/0.36.0",
                                   streams: [stream(1, "/echo/1.0.0", .open), stream(3, "/ipfs/ping/1.0.0", .localClosed),
                                             stream(5, "/perf/1.0.0", .open, send: 0, bytes: 3_000_000), stream(7, nil, .reset)],
                                   ageSeconds: 12, bytes: bytes),
                connectionSnapshot(c2, peer: demoPeer, remote: "/ip4/127.0.0.1/tcp/51234", direction: .inbound, agent: "peerscope-demo/alice",
                                   streams: [stream(2, "/echo/1.0.0", .remoteClosed)], ageSeconds: 5, bytes: bytes / 10),
            ],
            upgrading: [], eventSubscribers: 1))
    }

    /// Two open connections (one go peer, one demo), one failed dial, log lines, a zero-window stream.
    static func state(size: TerminalSize) -> AppState {
        var state = AppState(size: size, now: base)
        var events: [AppEvent] = [record(.listening(address("/ip4/127.0.0.1/tcp/4001")), at: 0)]
        events.append(record(.dialStarted(DialID(rawValue: 1), peer: nil, addresses: [address("/ip4/10.0.0.7/tcp/4001")]), at: 100))
        events.append(record(.dialAttempt(DialID(rawValue: 1), c1, address: address("/ip4/10.0.0.7/tcp/4001")), at: 100))
        events += upgradeEvents(c1, peer: goPeer, remote: "/ip4/10.0.0.7/tcp/4001", startMs: 100, early: true)
        events.append(record(.inboundAccepted(c2, remote: address("/ip4/127.0.0.1/tcp/51234"), local: nil), at: 200))
        events += upgradeEvents(c2, peer: demoPeer, remote: "/ip4/127.0.0.1/tcp/51234", startMs: 200, early: false)
        events.append(record(.identifyCompleted(c1, peer: goPeer, IdentifySummary(agentVersion: "go-libp2p/0.36.0", protocolVersion: "ipfs/0.1.0", protocols: ["/echo/1.0.0"], listenAddresses: [], observedAddress: nil)), at: 300))
        events.append(record(.pingRTT(c1, peer: goPeer, rtt: .microseconds(830)), at: 400))
        events.append(record(.dialAttempt(DialID(rawValue: 2), c3, address: address("/ip4/127.0.0.1/tcp/1")), at: 500))
        events.append(record(.dialFailed(DialID(rawValue: 2), peer: nil, failures: [DialFailure(address: address("/ip4/127.0.0.1/tcp/1"), connectionID: c3, step: "tcp", reason: "connection refused")]), at: 501))
        events.append(record(.streamSendWindowExhausted(c1, streamID: 5), at: 600, dropped: 7))
        events.append(snapshot(atMs: 1000, bytes: 40_000))
        events.append(snapshot(atMs: 2000, bytes: 140_000))
        events.append(.tick(at(12_000)))
        for event in events { _ = update(&state, event) }
        return state
    }
}
