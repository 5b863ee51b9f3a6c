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

/// Inbound upgrades run concurrently, each under a deadline, with per-IP and total caps: silent or
/// trickling peers cost a slot until the timeout and never delay anyone else.
@Suite(.serialized, .timeLimit(.minutes(1))) struct InboundUpgradeTests {
    /// Opens `count` raw TCP connections from `sourceIP` that never send a byte.
    static func silentConnections(to port: Int, count: Int, from sourceIP: String) async throws -> [any Channel] {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: sourceIP, port: 0))
        var channels: [any Channel] = []
        for _ in 0..<count {
            channels.append(try await bootstrap.connect(host: "127.0.0.1", port: port).get())
        }
        return channels
    }

    @Test(.timeLimit(.minutes(1)))
    func silentPeersDoNotDelayAnHonestUpgradeAndAreClosedAtTheTimeout() async throws {
        let (listener, address) = try await HostTestSupport.echoListener { configuration in
            configuration.upgrader.upgradeTimeout = .seconds(2)
            configuration.upgrader.maxInboundUpgradesPerIP = 100
            configuration.upgrader.maxInboundUpgrades = 200
        }
        defer { Task { await listener.shutdown() } }
        let port = try #require(address.tcpEndpoint).port

        // Baseline: an honest upgrade with nobody else around.
        let warmup = try HostTestSupport.makeHost()
        let clock = ContinuousClock()
        var start = clock.now
        _ = try await warmup.dial(address)
        let alone = clock.now - start
        await warmup.shutdown()

        let silent = try await Self.silentConnections(to: Int(port), count: 100, from: "127.0.0.2")
        let honest = try HostTestSupport.makeHost()
        defer { Task { await honest.shutdown() } }
        start = clock.now
        let connection = try await honest.dial(address)
        let crowded = clock.now - start
        #expect(connection.peer == listener.peerID)
        // Generous bound for a loaded 2-core CI machine; an accept loop blocked by the silent peers
        // would take the full 2 s upgrade timeout instead.
        #expect(crowded < alone + .milliseconds(500), "honest upgrade took \(crowded) with 100 silent peers (alone: \(alone))")

        // Every silent connection is closed by the listener when its upgrade deadline passes.
        let closedBy = clock.now + .seconds(6)
        for channel in silent {
            try await withTimeout(closedBy - clock.now, activity: "silent connection close") {
                try await channel.closeFuture.get()
            }
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(1900), "silent connections were closed before their 2 s deadline")
    }

    @Test(.timeLimit(.minutes(1)))
    func perIPLimitRejectsAtOnceAndSaysWhich() async throws {
        let (listener, address) = try await HostTestSupport.echoListener { configuration in
            configuration.upgrader.upgradeTimeout = .seconds(10)
            configuration.upgrader.maxInboundUpgradesPerIP = 3
        }
        defer { Task { await listener.shutdown() } }
        let events = listener.events(bufferLimit: 1000)
        let port = try #require(address.tcpEndpoint).port

        let silent = try await Self.silentConnections(to: Int(port), count: 4, from: "127.0.0.3")
        // One of the four is over the limit and is closed at once, long before the 10 s deadline. Which one
        // is not fixed: accepted sockets are spread over event loops, so they take their slots in any order.
        let clock = ContinuousClock()
        let start = clock.now
        while silent.allSatisfy(\.isActive), clock.now - start < .seconds(5) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(silent.filter { !$0.isActive }.count == 1, "exactly the connection over the limit is closed at once")
        var rejection: LimitRejection?
        for await record in events {
            if case .inboundRejected(_, let limit) = record.event {
                rejection = limit
                break
            }
        }
        #expect(rejection?.limit == "max inbound upgrades in flight per IP")
        #expect(rejection?.value == 3)
        for channel in silent { try? await channel.close() }
    }

    /// Lazy (default, one security protocol): Noise message 1 leaves right behind the proposal, so it
    /// precedes the listener's confirmation in the timeline; non-lazy waits for the echo first.
    @Test(arguments: [true, false])
    func upgradeStepsArriveInOrderWithTheConnectionID(lazy: Bool) async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        defer { Task { await listener.shutdown() } }
        let dialer = try HostTestSupport.makeHost { $0.upgrader.lazySecurityNegotiation = lazy }
        defer { Task { await dialer.shutdown() } }
        let events = dialer.events(bufferLimit: 1000)

        let connection = try await dialer.dial(address)
        var labels: [String] = []
        var established = false
        for await record in events {
            switch record.event {
            case .upgradeStep(let id, let step, _):
                #expect(id == connection.id)
                labels.append(step.label)
            case .connectionEstablished(let summary):
                #expect(summary.id == connection.id)
                established = true
            default:
                break
            }
            if established { break }
        }
        let security = lazy
            ? ["mss propose /noise (lazy)", "noise → e", "mss security /noise"]
            : ["mss propose /noise", "mss security /noise", "noise → e"]
        #expect(labels == ["tcp connected"] + security + [
            "noise ← e, ee, s, es", "peer \(listener.peerID.shortDescription) (ed25519) verified",
            "noise → s, se", "muxer /yamux/1.0.0 (early, in noise)", "connection ready",
        ])
        #expect(connection.upgraded.security == NoiseProtocol.multistreamID)
    }
}
