import NIOCore
import NIOPosix
import Testing

@testable import Core
@testable import Identity
@testable import Multiformats
@testable import Node
@testable import Protocols
@testable import QUIC

/// Host to host over `/quic-v1` on loopback: QUIC's own TLS and streams under the node's protocols, and the
/// failures a dial can meet, each named.
@Suite(.serialized, .timeLimit(.minutes(2))) struct QUICHostTests {
    static let quicLoopback = try! Multiaddr("/ip4/127.0.0.1/udp/0/quic-v1")

    private func quicListener(configure: (inout HostConfiguration) -> Void = { _ in }) async throws -> (Host, Multiaddr) {
        let host = try HostTestSupport.makeHost(configure: configure)
        host.setStreamHandler(EchoProtocol.id) { incoming in _ = try await EchoServer().serve(incoming.stream) }
        let bound = try await host.listen(Self.quicLoopback)
        return (host, host.dialableAddress(bound))
    }

    @Test func theHandshakeIsTheTimelineAndStreamsCarryData() async throws {
        let (listener, address) = try await quicListener()
        let dialer = try HostTestSupport.makeHost(keyType: .secp256k1)
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        #expect(address.withoutPeerID.description.hasSuffix("/quic-v1"))

        let connection = try await dialer.dial(address)
        #expect(connection.peer == listener.peerID)
        #expect(connection.upgraded.security == QUICTransport.securityName && connection.upgraded.muxer == "quic")
        #expect(connection.upgraded.remoteAddress == address.withoutPeerID)
        let labels = connection.upgraded.steps.map(\.step.label)
        #expect(labels.first == "quic → Initial (ClientHello)")
        #expect(labels.contains("quic ← Initial (ServerHello)"))
        #expect(labels.contains("quic ← Handshake (certificate, Finished)"))
        #expect(labels.contains { $0.hasPrefix("peer \(listener.peerID.shortDescription) (ed25519) verified") })
        #expect(labels.last == "connection ready")
        let offsets = connection.upgraded.steps.map(\.offset)
        #expect(offsets == offsets.sorted())

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let data = HostTestSupport.payload(seed: UInt64(index), count: 1 << 20)
                    let (stream, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
                    #expect(try await HostTestSupport.echo(data, over: stream) == data)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await dialer.ping(connection, count: 3, interval: .zero).count == 3)

        // The streams pane reads QUIC's flow-control credit like yamux windows.
        let open = try await HostTestSupport.echoStreamWithTraffic(on: dialer, connection)
        let snapshot = await connection.muxed.snapshot()
        #expect(snapshot?.streams.isEmpty == false)
        #expect(snapshot?.streams.allSatisfy { ($0.sendWindow ?? 0) > 0 && ($0.receiveWindow ?? 0) > 0 } == true)
        // ... and the smoothed RTT of QUIC's recovery as the connection's RTT (a loopback RTT, under a second).
        let rtt = try #require(snapshot?.lastRTT)
        #expect(rtt > .zero && rtt < .seconds(1))
        open.reset()

        let inbound = try #require(listener.connections.first)
        #expect(inbound.upgraded.steps.first?.step.label == "quic ← Initial (ClientHello)")
        #expect(inbound.peer == dialer.peerID)
    }

    @Test func aWrongPeerIDIsRejectedInsideTheHandshake() async throws {
        let (listener, address) = try await quicListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let impostor = HostTestSupport.otherPeer()
        let failure = await HostTestSupport.dialFailure(dialer, try address.withoutPeerID.encapsulate(.p2p(impostor)))
        #expect(failure?.step == "quic")
        #expect(failure?.reason.contains("peer ID mismatch: dialed \(impostor)") == true, "\(String(describing: failure))")
    }

    @Test func nothingListeningIsAHandshakeTimeoutWithTheLastStep() async throws {
        let dialer = try HostTestSupport.makeHost { $0.connectTimeout = .milliseconds(600) }
        defer { Task { await dialer.shutdown() } }
        // A bound UDP socket that never answers.
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let started = ContinuousClock.now
        let failure = await HostTestSupport.dialFailure(dialer, try Multiaddr("/ip4/127.0.0.1/udp/\(port)/quic-v1"))
        #expect(failure?.step == "quic")
        #expect(failure?.reason.contains("timed out after 600.0 ms (last step: quic → Initial (ClientHello))") == true
                || failure?.reason.contains("handshake") == true, "\(String(describing: failure))")
        #expect(ContinuousClock.now - started < .seconds(4))
    }
}
