import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import Core
@testable import Multiformats
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

/// The Host works through the layer contracts only: transports picked by address (raw or already
/// upgraded), security protocols and muxers negotiated over the configured lists.
@Suite("Host: registered transports, security protocols and muxers")
struct LayerRegistrationTests {
    @Test func securityNegotiationWalksTheListUntilThePeerAccepts() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost {
            $0.upgrader.securityProtocols = [UnofferedSecurity(), NoiseSecurity()]
        }
        defer { Task { await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        #expect(connection.upgraded.security == NoiseProtocol.multistreamID)
        let steps = connection.upgraded.steps.map(\.step)
        #expect(steps.contains(.security(.proposed(["/tls/1.0.0", "/noise"], lazy: false))), "\(steps)")
        #expect(steps.contains(.security(.negotiated("/noise"))))
        try await HostTestSupport.expectEcho(over: connection, on: dialer, bytes: 64 * 1024)
    }

    @Test func earlyMuxerIsTheFirstOfOurListThePeerAlsoOffers() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost { $0.upgrader.muxers = [UnstartableMuxer(), YamuxMuxer()] }
        defer { Task { await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        #expect(connection.upgraded.muxer == YamuxMuxer.protocolID)
        #expect(connection.upgraded.earlyMuxerNegotiation)
        #expect(connection.upgraded.steps.map(\.step).contains(.muxer(.negotiated("/yamux/1.0.0", earlyIn: "noise"))))
    }

    /// Latency-bound protocols run on the stream's own event loop; a stream that lost it (behind
    /// negotiation, behind the muxer contract) would cost every ping two thread hops.
    @Test func negotiatedStreamsKeepTheirMuxersEventLoop() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        let (stream, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
        let loop = try #require(stream.owningEventLoop)
        #expect(loop === connection.muxed.eventLoop)
        let raw = try await connection.muxed.openStream()
        #expect(raw.owningEventLoop === connection.muxed.eventLoop)
        raw.reset()
    }

    @Test func anAddressNoTransportTakesIsRefusedByName() async throws {
        let host = try HostTestSupport.makeHost()
        defer { Task { await host.shutdown() } }
        let quic = try Multiaddr("/ip4/127.0.0.1/udp/4001/quic")
        let patterns = HostConfiguration().transports.map(\.addressPattern)
        #expect(patterns == ["/ip4|ip6/…/tcp/N", "/ip4|ip6/…/tcp/N/ws (or /wss, /tls/ws)", "/ip4|ip6/…/udp/N/quic-v1"])
        await #expect(throws: HostError.noTransport(quic, supported: patterns)) {
            try await host.listen(quic)
        }
        do {
            _ = try await host.dial(peer: nil, addresses: [quic])
            Issue.record("dialed an address no transport takes")
        } catch HostError.dialFailed(let failures) {
            #expect(failures.map(\.step) == ["address"])
            #expect(failures.first?.reason == "only /ip4|ip6/…/tcp/N or /ip4|ip6/…/tcp/N/ws (or /wss, /tls/ws) or /ip4|ip6/…/udp/N/quic-v1 addresses can be dialed")
        }
    }

    /// QUIC's shape: the transport hands the Host connections it secured and multiplexed itself.
    @Test func aTransportThatUpgradesByItselfDialsAndAccepts() async throws {
        let selfUpgrading: (inout HostConfiguration) -> Void = {
            $0.transports = [SelfUpgradingTransport(upgrader: $0.upgrader)]
        }
        let (listener, address) = try await HostTestSupport.echoListener(configure: selfUpgrading)
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost(configure: selfUpgrading)
        defer { Task { await dialer.shutdown() } }
        let dialerEvents = dialer.events()
        let listenerEvents = listener.events()

        let connection = try await dialer.dial(address)
        #expect(connection.peer == listener.peerID)
        try await HostTestSupport.expectEcho(over: connection, on: dialer, bytes: 256 * 1024)

        // The transport's steps carry the Host's connection ID; the listener saw the connection arrive.
        var sawReady = false
        for await record in dialerEvents {
            if case .upgradeStep(let id, .ready, _) = record.event, id == connection.id { sawReady = true }
            if case .dialSucceeded(_, let id, _) = record.event, id == connection.id { break }
        }
        #expect(sawReady)
        var accepted: ConnectionID?
        for await record in listenerEvents {
            if case .inboundAccepted(let id, _, _) = record.event { accepted = id }
            if case .connectionEstablished(let summary) = record.event {
                #expect(summary.id == accepted)
                #expect(summary.peer == dialer.peerID)
                break
            }
        }
    }
}

extension HostTestSupport {
    /// Opens `/echo/1.0.0` on `connection` and checks `bytes` come back unchanged.
    static func expectEcho(over connection: HostConnection, on host: Host, bytes: Int) async throws {
        let (stream, _) = try await host.newStream(on: connection, protocols: [EchoProtocol.id])
        let data = payload(seed: UInt64(bytes), count: bytes)
        #expect(try await echo(data, over: stream) == data)
    }
}

/// A security protocol listed first that the peer does not speak.
private struct UnofferedSecurity: SecurityProtocol {
    var protocolID: String { "/tls/1.0.0" }
    var name: String { "tls" }
    var negotiatesMuxerEarly: Bool { false }

    func secure(channel: any Channel, session: SecuritySession) -> EventLoopFuture<SecuredConnection> {
        channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
    }
}

/// A muxer offered early that the peer does not speak; starting it would be a bug.
private struct UnstartableMuxer: StreamMuxer {
    var protocolID: String { "/mplex/6.7.0" }

    func start(
        on channel: any Channel, direction: ConnectionDirection, onEvent: @escaping @Sendable (MuxerEvent) -> Void
    ) throws -> any MuxedConnection {
        throw ChannelError.operationUnsupported
    }
}

/// Claims TCP addresses but runs the standard upgrade on its own channels and yields `.upgraded`,
/// the way a QUIC transport does.
private struct SelfUpgradingTransport: Transport {
    let tcp = TCPTransport()
    let upgrader: UpgraderConfiguration

    var name: String { "tcp" }
    var addressPattern: String { tcp.addressPattern }
    func canDial(_ address: Multiaddr) -> Bool { tcp.canDial(address) }
    func canListen(_ address: Multiaddr) -> Bool { tcp.canListen(address) }
    func multiaddr(of socketAddress: SocketAddress) -> Multiaddr? { tcp.multiaddr(of: socketAddress) }

    func dial(
        _ address: Multiaddr, request: TransportDialRequest, environment: TransportEnvironment,
        prepare: @escaping @Sendable (TransportConnection) -> Void
    ) -> EventLoopFuture<TransportConnection> {
        let upgrade = NIOLockedValueBox<EventLoopFuture<UpgradedConnection>?>(nil)
        return tcp.dial(address, request: request, environment: environment) { connection in
            guard case .raw(let channel, _, _) = connection else { return }
            let context = context(request.id, .outbound, request.expectedPeer, environment)
            upgrade.withLockedValue { $0 = ConnectionUpgrade.start(on: channel, transport: self, context: context) }
        }.flatMap { connection in
            guard let upgrading = upgrade.withLockedValue({ $0 }) else {
                return environment.group.next().makeFailedFuture(ChannelError.inappropriateOperationForState)
            }
            return upgrading.map { .upgraded($0) }
        }
    }

    func listen(
        _ address: Multiaddr, environment: TransportEnvironment,
        accept: @escaping @Sendable (TransportConnection) -> Void
    ) async throws -> any TransportListener {
        try await tcp.listen(address, environment: environment) { connection in
            guard case .raw(let channel, _, _) = connection else { return }
            let context = context(ConnectionID.next(), .inbound, nil, environment)
            ConnectionUpgrade.start(on: channel, transport: self, context: context).whenSuccess { accept(.upgraded($0)) }
        }
    }

    private func context(
        _ id: ConnectionID, _ direction: ConnectionDirection, _ expectedPeer: PeerID?, _ environment: TransportEnvironment
    ) -> ConnectionUpgrade.Context {
        ConnectionUpgrade.Context(
            id: id, direction: direction, identity: environment.identity, expectedPeer: expectedPeer,
            configuration: upgrader, onStep: environment.onStep, onMuxerEvent: environment.onMuxerEvent,
            onFailure: { _, _, _ in })
    }
}
