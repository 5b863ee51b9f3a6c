import NIOCore
import Testing

@testable import Core
@testable import Identity
@testable import Multiformats
@testable import Node
@testable import Protocols
@testable import TLS
@testable import Yamux

/// Two nodes over real loopback sockets that speak only TLS.
@Suite("TLS: host to host over loopback")
struct TLSHostTests {
    static func tlsOnly(_ configuration: inout HostConfiguration) {
        configuration.upgrader.securityProtocols = [TLSSecurity()]
    }

    @Test("ping, identify and a 1 MiB echo; yamux chosen by ALPN", arguments: KeyType.allCases)
    func fullExchange(keyType: KeyType) async throws {
        let (listener, address) = try await HostTestSupport.echoListener(keyType: keyType, configure: Self.tlsOnly)
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost(keyType: keyType, configure: Self.tlsOnly)
        defer { Task { await dialer.shutdown() } }

        let connection = try await dialer.dial(address)
        #expect(connection.peer == listener.peerID)
        #expect(connection.upgraded.security == TLSSecurity.protocolID)
        #expect(connection.upgraded.muxer == YamuxMuxer.protocolID)
        #expect(connection.upgraded.earlyMuxerNegotiation, "the muxer comes from ALPN, without a multistream round")
        let steps = connection.upgraded.steps.map(\.step)
        #expect(steps.contains(.security(.peerVerified(listener.peerID, keyType: keyType))))
        #expect(steps.contains(.muxer(.negotiated(YamuxMuxer.protocolID, earlyIn: "tls"))))
        let contents = steps.compactMap { step -> String? in
            if case .security(.handshakeMessage(let message)) = step { return message.content }
            return nil
        }
        #expect(contents.first == "ClientHello", "\(contents)")
        #expect(contents.contains("ServerHello"), "\(contents)")

        let rtts = try await dialer.ping(connection, count: 2, interval: .milliseconds(10))
        #expect(rtts.count == 2)
        let identify = try await dialer.identify(connection)
        #expect(identify.info.publicKey.peerID == listener.peerID)
        try await HostTestSupport.expectEcho(over: connection, on: dialer, bytes: 1 << 20)
    }

    @Test func aWrongPeerIDInTheAddressIsAMismatch() async throws {
        let (listener, address) = try await HostTestSupport.echoListener(configure: Self.tlsOnly)
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost(configure: Self.tlsOnly)
        defer { Task { await dialer.shutdown() } }
        let impostor = try PrivateKey.generate(.ed25519).peerID
        let wrong = try address.withoutPeerID.encapsulate(.p2p(impostor))

        let error = await #expect(throws: HostError.self) { try await dialer.dial(wrong) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("peer ID mismatch"), "\(text)")
        #expect(text.contains(impostor.base58) && text.contains(listener.peerID.base58), "\(text)")
    }

    @Test("no muxer in common by ALPN: both settle on libp2p, then multistream names the missing muxer")
    func alpnFallsBackToMultistream() async throws {
        let (listener, address) = try await HostTestSupport.echoListener(configure: Self.tlsOnly)
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost { configuration in
            Self.tlsOnly(&configuration)
            configuration.upgrader.muxers = [RenamedYamux()]
        }
        defer { Task { await dialer.shutdown() } }
        let events = dialer.events()
        let error = await #expect(throws: HostError.self) { try await dialer.dial(address) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("muxer negotiation") && text.contains("/yamux-renamed/1.0.0"), "\(text)")
        var sawLibp2p = false
        for await record in events {
            if case .upgradeStep(_, .security(.handshakeMessage(let message)), _) = record.event,
               message.content.contains("ALPN libp2p") { sawLibp2p = true }
            if case .dialFailed = record.event { break }
        }
        #expect(sawLibp2p, "the handshake reported ALPN libp2p (no early muxer)")
    }

    @Test func aNoiseOnlyPeerRefusesTLSInMultistream() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost(configure: Self.tlsOnly)
        defer { Task { await dialer.shutdown() } }
        let error = await #expect(throws: HostError.self) { try await dialer.dial(address) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("security negotiation") && text.contains("/tls/1.0.0"), "\(text)")
    }
}

/// Yamux under another ID: a muxer the listener does not know, offered first.
private struct RenamedYamux: StreamMuxer {
    var protocolID: String { "/yamux-renamed/1.0.0" }

    func start(
        on channel: any Channel, direction: ConnectionDirection, onEvent: @escaping @Sendable (MuxerEvent) -> Void
    ) throws -> any MuxedConnection {
        try YamuxMuxer().start(on: channel, direction: direction, onEvent: onEvent)
    }
}
