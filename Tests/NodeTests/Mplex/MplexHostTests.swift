import NIOCore
import Testing

@testable import Core
@testable import Mplex
@testable import Node
@testable import Protocols

/// Two hosts over real loopback sockets with mplex as their only muxer: ping, identify, a 1 MiB echo, and
/// the snapshots a windowless muxer gives.
@Suite("mplex: host to host", .serialized, .timeLimit(.minutes(1)))
struct MplexHostTests {
    @Sendable static func mplexOnly(_ configuration: inout HostConfiguration) {
        configuration.upgrader.muxers = [MplexMuxer()]
    }

    @Test func pingIdentifyAndAOneMebibyteEcho() async throws {
        let (listener, address) = try await HostTestSupport.echoListener(configure: Self.mplexOnly)
        let dialer = try HostTestSupport.makeHost(configure: Self.mplexOnly)
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        #expect(connection.upgraded.muxer == MplexMuxer.protocolID)

        let rtts = try await dialer.ping(connection, count: 3, interval: .milliseconds(5))
        #expect(rtts.count == 3 && rtts.allSatisfy { $0 > .zero })

        let identified = try await dialer.identify(connection)
        #expect(identified.info.agentVersion == PeerscopeVersion.agentVersion)
        #expect(identified.info.protocols.contains(EchoProtocol.id))

        try await HostTestSupport.expectEcho(over: connection, on: dialer, bytes: 1 << 20)
    }

    @Test func theListenerDialsBackOverTheSameMuxer() async throws {
        // Streams the accepting side opens use its own numbering, alongside the dialer's.
        let (listener, address) = try await HostTestSupport.echoListener(configure: Self.mplexOnly)
        let dialer = try HostTestSupport.makeHost(configure: Self.mplexOnly)
        dialer.setStreamHandler(EchoProtocol.id) { incoming in _ = try await EchoServer().serve(incoming.stream) }
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        try await HostTestSupport.expectEcho(over: connection, on: dialer, bytes: 64 * 1024)
        let inbound = try #require(await eventuallyConnection(on: listener))
        try await HostTestSupport.expectEcho(over: inbound, on: listener, bytes: 64 * 1024)
    }

    @Test func snapshotsShowTheBufferInPlaceOfWindows() async throws {
        let (listener, address) = try await HostTestSupport.echoListener(configure: Self.mplexOnly)
        let dialer = try HostTestSupport.makeHost(configure: Self.mplexOnly)
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        let stream = try await HostTestSupport.echoStreamWithTraffic(on: dialer, connection)

        let snapshot = await dialer.snapshot()
        let entry = try #require(snapshot.connections.first { $0.id == connection.id })
        #expect(entry.muxer == MplexMuxer.protocolID)
        let echoStream = try #require(entry.streams.first { $0.protocolID == EchoProtocol.id })
        #expect(echoStream.sendWindow == nil && echoStream.receiveWindow == nil)
        #expect(echoStream.bufferedBytes == 0)
        #expect(echoStream.bytesIn >= 1000 && echoStream.bytesOut >= 1000)
        try await stream.closeWrite()
    }

    /// The listener's side of the one connection, once it is registered.
    private func eventuallyConnection(on host: Host) async -> HostConnection? {
        for _ in 0..<500 {
            if let connection = host.connections.first { return connection }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
