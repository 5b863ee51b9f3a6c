import NIOCore
import NIOPosix
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

@Suite(.serialized, .timeLimit(.minutes(1))) struct HostLimitsAndShutdownTests {
    @Test func perPeerConnectionLimitRefusesTheExtraConnectionAndSaysWhy() async throws {
        let (listener, address) = try await HostTestSupport.echoListener { $0.maxConnectionsPerPeer = 1 }
        let events = listener.events(bufferLimit: 1000)
        let firstDialer = try HostTestSupport.makeHost()
        // Same identity on a second host: the listener sees a second connection from one peer.
        let secondDialer = Host(identity: firstDialer.identity)
        defer { Task { await listener.shutdown(); await firstDialer.shutdown(); await secondDialer.shutdown() } }

        _ = try await firstDialer.dial(address)
        _ = try? await secondDialer.dial(address)

        var rejection: LimitRejection?
        for await record in events {
            if case .connectionRejected(_, let peer, let limit) = record.event {
                #expect(peer == firstDialer.peerID)
                rejection = limit
                break
            }
        }
        #expect(rejection?.limit == "max connections per peer")
        #expect(rejection?.value == 1)
        #expect(rejection?.peer == firstDialer.peerID)
        #expect(listener.connections.count == 1)
    }

    @Test func perProtocolStreamLimitResetsTheExtraStream() async throws {
        let (listener, address) = try await HostTestSupport.echoListener {
            $0.maxStreamsPerProtocol[EchoProtocol.id] = 1
        }
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let events = listener.events(bufferLimit: 1000)
        let connection = try await dialer.dial(address)
        let (first, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
        try await first.write(ByteBuffer(string: "hold"))
        _ = try await first.read()
        let (second, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
        // The listener resets it after negotiating; the reset may already be here when we write.
        _ = try? await second.write(ByteBuffer(string: "x"))
        await #expect(throws: (any Error).self) { while try await second.read() != nil {} }

        var rejection: LimitRejection?
        for await record in events {
            if case .streamRejected(_, _, let limit) = record.event {
                rejection = limit
                break
            }
        }
        #expect(rejection?.limit == "max streams per protocol")
        #expect(rejection?.value == 1)
        try await first.closeWrite()
    }

    @Test func shutdownSendsGoAwayWaitsForOpenStreamsAndCancelsUpgrades() async throws {
        let (listener, address) = try await HostTestSupport.echoListener {
            $0.shutdownGracePeriod = .seconds(3)
            $0.upgrader.upgradeTimeout = .seconds(30)
        }
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        let (stream, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
        try await stream.write(ByteBuffer(string: "before"))
        _ = try await stream.read()

        // A silent TCP connection is mid-upgrade when the node stops.
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: Int(try #require(address.tcpEndpoint).port)).get()

        let clock = ContinuousClock()
        let start = clock.now
        async let stopped: Void = listener.shutdown()
        // The open stream still works during the grace period...
        try await stream.write(ByteBuffer(string: "after"))
        let echoed = try await stream.read()
        #expect(echoed.map { String(buffer: $0) } == "after")
        // ...and finishing it lets the shutdown complete before the grace period ends.
        try await stream.closeWrite()
        while try await stream.read() != nil {}
        await stopped
        #expect(clock.now - start < .seconds(3))
        try await withTimeout(.seconds(2), activity: "silent connection closed by shutdown") {
            try await silent.closeFuture.get()
        }
        #expect(listener.connections.isEmpty)
    }

    @Test func aStalledSubscriberDoesNotStallTraffic() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let stalled = dialer.events(bufferLimit: 2)  // never read until the end
        let connection = try await dialer.dial(address)
        for index in 0..<20 {
            let (stream, _) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
            let data = HostTestSupport.payload(seed: UInt64(index), count: 4096)
            #expect(try await HostTestSupport.echo(data, over: stream) == data)
        }
        var iterator = stalled.makeAsyncIterator()
        _ = await iterator.next()
        _ = await iterator.next()
        // Far more than two events happened; the next delivered one reports the loss.
        _ = try await dialer.ping(connection, count: 1)
        let afterGap = await iterator.next()
        #expect((afterGap?.droppedBefore ?? 0) > 20)
    }
}
