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

/// The host keeps per-peer and inbound connection counts next to its connection table (so a limit check
/// does not scan every connection); these tests check that the counts go up and, after closes, down again.
@Suite("Host connection counts behind the limits")
struct HostConnectionCountTests {
    @Test("the per-peer limit refuses the third connection and admits a new one after a close")
    func perPeerLimit() async throws {
        let (listener, _) = try await HostTestSupport.echoListener()
        let bound = try #require(listener.listenAddresses.first)
        let dialer = try HostTestSupport.makeHost { $0.maxConnectionsPerPeer = 2 }

        let first = try await dialer.dial(peer: nil, addresses: [bound])
        _ = try await dialer.dial(peer: nil, addresses: [bound])
        await #expect(throws: HostError.self) { try await dialer.dial(peer: nil, addresses: [bound]) }
        #expect(dialer.connections(to: listener.peerID).count == 2)

        await dialer.close(connection: first.id)
        #expect(dialer.connections(to: listener.peerID).count == 1)
        _ = try await dialer.dial(peer: nil, addresses: [bound])
        #expect(dialer.connections(to: listener.peerID).count == 2)

        await dialer.shutdown()
        await listener.shutdown()
    }

    @Test("the inbound limit refuses a third inbound connection and admits one after a close")
    func inboundLimit() async throws {
        let (listener, _) = try await HostTestSupport.echoListener { $0.maxInboundConnections = 2 }
        let bound = try #require(listener.listenAddresses.first)
        let dialer = try HostTestSupport.makeHost()

        let first = try await dialer.dial(peer: nil, addresses: [bound])
        _ = try await dialer.dial(peer: nil, addresses: [bound])
        try await waitFor { listener.connections.count == 2 }
        await #expect(throws: HostError.self) { try await dialer.dial(peer: nil, addresses: [bound]) }

        await dialer.close(connection: first.id)
        try await waitFor { listener.connections.count == 1 }
        _ = try await dialer.dial(peer: nil, addresses: [bound])
        try await waitFor { listener.connections.count == 2 }

        await dialer.shutdown()
        await listener.shutdown()
    }

    private func waitFor(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            try #require(ContinuousClock.now < deadline, "condition not reached within 5 s")
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
