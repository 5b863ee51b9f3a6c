import NIOCore
import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

@Suite(.serialized, .timeLimit(.minutes(1))) struct HostProtocolTests {
    @Test func identifyRunsOnConnectAndFillsThePeerstore() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let events = dialer.events(bufferLimit: 1000)
        let connection = try await dialer.dial(address)

        var summary: IdentifySummary?
        for await record in events {
            if case .identifyCompleted(let id, let peer, let info) = record.event {
                #expect(id == connection.id)
                #expect(peer == listener.peerID)
                summary = info
                break
            }
            if case .identifyFailed(_, _, let reason) = record.event {
                Issue.record("identify failed: \(reason)")
                break
            }
        }
        #expect(summary?.agentVersion == PeerscopeVersion.agentVersion)
        #expect(summary?.protocolVersion == "ipfs/0.1.0")
        #expect(summary?.protocols.contains(EchoProtocol.id) == true)
        #expect(summary?.protocols.contains(PingProtocol.id) == true)
        #expect(summary?.listenAddresses == [address.withoutPeerID])
        #expect(connection.identify == summary)
        #expect(dialer.peerstore.record(for: listener.peerID)?.agentVersion == PeerscopeVersion.agentVersion)
    }

    @Test func pingMeasuresRoundTripsAndReportsThem() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        let rtts = try await dialer.ping(connection, count: 5, interval: .milliseconds(5))
        #expect(rtts.count == 5)
        #expect(rtts.allSatisfy { $0 > .zero && $0 < .seconds(1) })
        #expect(connection.lastPingRTT == rtts.last)
        #expect(dialer.peerstore.record(for: listener.peerID)?.latency != nil)
    }

    @Test func addingAHandlerPushesIdentifyToConnectedPeers() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let events = dialer.events(bufferLimit: 1000)
        _ = try await dialer.dial(address)
        // Wait for the first identify, then add a protocol on the listener side.
        for await record in events {
            if case .identifyCompleted = record.event { break }
        }
        listener.setStreamHandler("/peerscope/test/1.0.0") { _ in }
        var added: [String] = []
        for await record in events {
            if case .peerProtocolsChanged(let peer, let newProtocols, _) = record.event, peer == listener.peerID {
                added = newProtocols
                break
            }
        }
        #expect(added == ["/peerscope/test/1.0.0"])
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct HostSnapshotTests {
    @Test func snapshotShowsConnectionsStreamsProtocolsAndCounters() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        let stream = try await HostTestSupport.echoStreamWithTraffic(on: dialer, connection)

        let snapshot = await dialer.snapshot()
        #expect(snapshot.peerID == dialer.peerID)
        let entry = try #require(snapshot.connections.first { $0.id == connection.id })
        #expect(entry.peer == listener.peerID)
        #expect(entry.direction == .outbound)
        #expect(entry.bytesOut > 1000 && entry.bytesIn > 1000)
        let echoStream = try #require(entry.streams.first { $0.protocolID == EchoProtocol.id })
        #expect(echoStream.direction == .outbound)
        #expect(echoStream.bytesOut >= 1000)
        #expect(echoStream.bytesIn >= 1000)
        #expect((echoStream.sendWindow ?? 0) > 0 && (echoStream.receiveWindow ?? 0) > 0)
        try await stream.closeWrite()
    }
}
