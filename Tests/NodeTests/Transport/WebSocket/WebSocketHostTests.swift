import NIOCore
import NIOPosix
import Testing

@testable import Core
@testable import Identity
@testable import Multiformats
@testable import Node
@testable import Protocols
@testable import TCP
@testable import WebSocket

/// Host to host over `/ws` and `/wss` on loopback, and a `/ws` dial or listener meeting the wrong peer.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebSocketHostTests {
    static let wsLoopback = try! Multiaddr("/ip4/127.0.0.1/tcp/0/ws")

    private func wsListener(
        _ address: Multiaddr = wsLoopback, configure: (inout HostConfiguration) -> Void = { _ in }
    ) async throws -> (Host, Multiaddr) {
        let host = try HostTestSupport.makeHost(configure: configure)
        host.setStreamHandler(EchoProtocol.id) { incoming in _ = try await EchoServer().serve(incoming.stream) }
        let bound = try await host.listen(address)
        return (host, host.dialableAddress(bound))
    }

    @Test func bothEndsShowTheHTTPUpgradeBeforeTheLibp2pUpgradeAndStreamsCarryData() async throws {
        let (listener, address) = try await wsListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        #expect(address.description.hasPrefix("/ip4/127.0.0.1/tcp/") && address.withoutPeerID.description.hasSuffix("/ws"))

        let connection = try await dialer.dial(address)
        #expect(connection.peer == listener.peerID)
        #expect(connection.upgraded.remoteAddress == address.withoutPeerID)
        let labels = connection.upgraded.steps.map(\.step.label)
        #expect(Array(labels.prefix(4)) == [
            "tcp connected", "ws → GET / (Upgrade: websocket)", "ws ← HTTP/1.1 101 Switching Protocols",
            "mss propose /noise (lazy)",
        ])
        #expect(labels.last == "connection ready")
        let offsets = connection.upgraded.steps.map(\.offset)
        #expect(offsets == offsets.sorted() && offsets.first == .zero, "offsets count from the TCP connect")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<4 {
                group.addTask {
                    let data = HostTestSupport.payload(seed: UInt64(index), count: 1 << 20)
                    let (stream, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
                    #expect(try await HostTestSupport.echo(data, over: stream) == data)
                }
            }
            try await group.waitForAll()
        }
        let rtts = try await dialer.ping(connection, count: 3, interval: .zero)
        #expect(rtts.count == 3)

        let inbound = try #require(listener.connections.first)
        #expect(Array(inbound.upgraded.steps.map(\.step.label).prefix(3)) == [
            "tcp connected", "ws ← GET / (Upgrade: websocket)", "ws → HTTP/1.1 101 Switching Protocols",
        ])
        #expect(inbound.upgraded.remoteAddress?.description.hasSuffix("/ws") == true)
    }

    @Test func theWholeStackChoiceWorksOverWebSocketToo() async throws {
        let (listener, address) = try await wsListener { try? $0.useStack(security: ["tls"], muxers: ["mplex"]) }
        let dialer = try HostTestSupport.makeHost { try? $0.useStack(security: ["tls"], muxers: ["mplex"]) }
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        #expect(connection.upgraded.security == "/tls/1.0.0" && connection.upgraded.muxer == "/mplex/6.7.0")
        let data = HostTestSupport.payload(seed: 9, count: 300_000)
        let (stream, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
        #expect(try await HostTestSupport.echo(data, over: stream) == data)
    }

    @Test func wssChecksTheServerCertificateAgainstTheName() async throws {
        let certificates = try WebSocketTestCertificates(serverName: "localhost")
        defer { certificates.remove() }
        let serverTLS = try WebSocketTLSConfiguration.load(trust: [], certificate: certificates.certificateFile, key: certificates.keyFile)
        let (listener, bound) = try await wsListener(try Multiaddr("/ip4/127.0.0.1/tcp/0/wss")) {
            $0.transports = [TCPTransport(), WebSocketTransport(tls: serverTLS)]
        }
        defer { Task { await listener.shutdown() } }
        #expect(bound.withoutPeerID.description.hasSuffix("/tls/ws"))
        let port = try #require(bound.withoutPeerID.tcpPrefixPort)
        let named = try Multiaddr("/dns4/localhost/tcp/\(port)/wss/p2p/\(listener.peerID)")

        let trusting = try HostTestSupport.makeHost {
            $0.transports = [TCPTransport(), WebSocketTransport(tls: try! WebSocketTLSConfiguration.load(trust: [certificates.caFile], certificate: nil, key: nil))]
        }
        defer { Task { await trusting.shutdown() } }
        let connection = try await trusting.dial(named)
        #expect(connection.upgraded.remoteAddress?.description == "/ip4/127.0.0.1/tcp/\(port)/tls/sni/localhost/ws")
        let labels = connection.upgraded.steps.map(\.step.label)
        #expect(Array(labels.prefix(4)) == [
            "tcp connected", "ws-tls ← certificate for localhost verified, TLS up",
            "ws → GET / (Upgrade: websocket)", "ws ← HTTP/1.1 101 Switching Protocols",
        ])
        let data = HostTestSupport.payload(seed: 3, count: 500_000)
        let (stream, _) = try await trusting.newStream(on: connection, protocols: [EchoProtocol.id])
        #expect(try await HostTestSupport.echo(data, over: stream) == data)

        // The system's roots do not know the test CA; another name is not on the certificate; an IP
        // address gives nothing to check against.
        let stranger = try HostTestSupport.makeHost()
        defer { Task { await stranger.shutdown() } }
        let untrusted = await HostTestSupport.dialFailure(stranger, named)
        #expect(untrusted?.step == "ws-tls")
        #expect(untrusted?.reason.contains("TLS handshake for /wss with localhost failed") == true, "\(String(describing: untrusted))")
        let wrongName = await HostTestSupport.dialFailure(trusting, try Multiaddr("/ip4/127.0.0.1/tcp/\(port)/tls/sni/peer.test/ws"))
        #expect(wrongName?.step == "ws-tls", "\(String(describing: wrongName))")
        let bareIP = await HostTestSupport.dialFailure(trusting, try Multiaddr("/ip4/127.0.0.1/tcp/\(port)/tls/ws"))
        #expect(bareIP?.reason.contains("checked against a name") == true)
    }

    @Test func listeningOnWssWithoutACertificateSaysWhatIsMissing() async throws {
        let host = try HostTestSupport.makeHost()
        defer { Task { await host.shutdown() } }
        await #expect { try await host.listen(try Multiaddr("/ip4/127.0.0.1/tcp/0/wss")) } throws: { error in
            "\(error)".contains("--wss-cert FILE --wss-key FILE")
        }
        #expect(throws: WebSocketTransportError.self) {
            try WebSocketTLSConfiguration.load(trust: [], certificate: "/nonexistent/cert.pem", key: "/nonexistent/key.pem")
        }
    }

    /// What a `/ws` dial meets when the other end is not a libp2p WebSocket listener, each named at its step.
    @Test func aDialNamesWhatCameInsteadOfTheUpgrade() async throws {
        let dialer = try HostTestSupport.makeHost { $0.connectTimeout = .milliseconds(500) }
        defer { Task { await dialer.shutdown() } }

        let (tcpOnly, tcpAddress) = try await HostTestSupport.echoListener()
        defer { Task { await tcpOnly.shutdown() } }
        let tcpAsWS = try Multiaddr(tcpAddress.withoutPeerID.description + "/ws")
        let notHTTP = await HostTestSupport.dialFailure(dialer, tcpAsWS)
        #expect(notHTTP?.step == "ws" && notHTTP?.reason.contains("do not parse as HTTP") == true, "\(String(describing: notHTTP))")

        let web = try await CannedHTTPServer(answer: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        defer { Task { await web.close() } }
        let refused = await HostTestSupport.dialFailure(dialer, try Multiaddr("/ip4/127.0.0.1/tcp/\(web.port)/ws"))
        #expect(refused?.step == "ws")
        #expect(refused?.reason == "WebSocket upgrade refused: expected HTTP/1.1 101 Switching Protocols; got HTTP/1.1 404 Not Found")

        let faker = try await CannedHTTPServer(answer: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n")
        defer { Task { await faker.close() } }
        let badAccept = await HostTestSupport.dialFailure(dialer, try Multiaddr("/ip4/127.0.0.1/tcp/\(faker.port)/ws"))
        #expect(badAccept?.reason.contains("Sec-WebSocket-Accept does not answer our Sec-WebSocket-Key") == true, "\(String(describing: badAccept))")

        let silent = try await CannedHTTPServer(answer: nil)
        defer { Task { await silent.close() } }
        let started = ContinuousClock.now
        let timedOut = await HostTestSupport.dialFailure(dialer, try Multiaddr("/ip4/127.0.0.1/tcp/\(silent.port)/ws"))
        #expect(timedOut?.reason == "WebSocket handshake timed out after 500.0 ms (last step: ws → GET / (Upgrade: websocket))")
        #expect(ContinuousClock.now - started < .seconds(3))

        let hangUp = try await CannedHTTPServer(answer: nil, closeAfter: true)
        defer { Task { await hangUp.close() } }
        let closed = await HostTestSupport.dialFailure(dialer, try Multiaddr("/ip4/127.0.0.1/tcp/\(hangUp.port)/ws"))
        #expect(closed?.reason.contains("closed the connection during the WebSocket handshake") == true, "\(String(describing: closed))")
    }

    /// A listener that speaks first (multistream-select's header right after `101`, in the same TCP segment)
    /// must not lose those bytes: they are in the HTTP decoder's buffer when the upgrade happens.
    @Test func bytesInTheSameSegmentAsThe101ReachTheUpgrade() async throws {
        // Sec-WebSocket-Accept for the key NIO sends is not known in advance: answer every key correctly.
        let server = try await UpgradingHTTPServer(thenSend: [0x82, 0x03, 0x61, 0x62, 0x63])
        defer { Task { await server.close() } }
        let collector = ByteCollector()
        let environment = TransportEnvironment(group: MultiThreadedEventLoopGroup.singleton, connectTimeout: .seconds(2),
                                               identity: try PrivateKey.generate(.ed25519))
        for _ in 0..<20 {
            let connection = try await WebSocketTransport().dial(
                try Multiaddr("/ip4/127.0.0.1/tcp/\(server.port)/ws"), request: TransportDialRequest(id: .next(), expectedPeer: nil),
                environment: environment
            ) { connection in
                guard case .raw(let channel, _, _) = connection else { return }
                try? channel.pipeline.syncOperations.addHandler(collector)
            }.get()
            guard case .raw(let channel, _, _) = connection else { return }
            let deadline = ContinuousClock.now + .seconds(2)
            while collector.bytes.count % 3 != 0 || collector.bytes.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await channel.close()
        }
        #expect(collector.bytes == Array(repeating: Array("abc".utf8), count: 20).flatMap { $0 })
    }

    /// What a `/ws` listener does with clients that are not libp2p WebSocket dialers.
    @Test func aListenerAnswersNonUpgradesAndDropsSilentAndBrokenClients() async throws {
        // A listener's WebSocket handshake is bounded by its upgrade deadline.
        let (listener, address) = try await wsListener { $0.upgrader.upgradeTimeout = .milliseconds(400) }
        defer { Task { await listener.shutdown() } }
        let port = try #require(address.withoutPeerID.tcpPrefixPort)

        let browser = try await RawTCPExchange.run(
            port: port, send: [Array("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".utf8)], within: .seconds(5))
        #expect(browser.text.hasPrefix("HTTP/1.1 426 Upgrade Required"), "\(browser.text)")
        #expect(browser.text.contains("this is a libp2p WebSocket endpoint"))
        #expect(browser.closedByPeer)

        let started = ContinuousClock.now
        let silent = try await RawTCPExchange.run(port: port, send: [], within: .seconds(5))
        #expect(silent.closedByPeer && silent.received.isEmpty)
        #expect(ContinuousClock.now - started < .seconds(3), "the handshake deadline closed it")

        let upgrade = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let unmasked = try await RawTCPExchange.run(
            port: port, send: [Array(upgrade.utf8), [0x82, 0x01, 0x13]], waitFor: [0, 100], within: .seconds(5))
        #expect(unmasked.text.hasPrefix("HTTP/1.1 101 Switching Protocols"))
        #expect(unmasked.text.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "RFC 6455's example key and answer")
        #expect(Array(unmasked.received.suffix(4)) == [0x88, 0x02, 0x03, 0xEA], "close 1002 (protocol error)")
        #expect(unmasked.closedByPeer)
    }
}

extension Multiaddr {
    /// The TCP port of an address that starts `/ip4|ip6/…/tcp/N`.
    var tcpPrefixPort: Int? {
        for component in components { if case .tcp(let port) = component { return Int(port) } }
        return nil
    }
}
