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

/// The dialer proposes its only security protocol lazily (Noise message 1 rides behind the proposal);
/// a listener that refuses it must still produce a security-negotiation failure, not a Noise one.
@Suite struct LazySecurityNegotiationTests {
    /// A multistream listener that speaks only `supported`, on loopback.
    static func refusingListener(supported: Set<String>) async throws -> (any Channel, Int) {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let negotiated = channel.eventLoop.makePromise(of: String.self)
                    negotiated.futureResult.whenFailure { _ in }
                    try channel.pipeline.syncOperations.addHandler(MultistreamNegotiationHandler(
                        listener: MultistreamListener(supportedProtocols: supported), negotiated: negotiated))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (server, try #require(server.localAddress?.port))
    }

    @Test(arguments: [true, false])
    func refusalIsASecurityNegotiationFailure(lazy: Bool) async throws {
        let (server, port) = try await Self.refusingListener(supported: ["/plaintext/2.0.0"])
        defer { server.close(promise: nil) }
        let dialer = try HostTestSupport.makeHost { $0.upgrader.lazySecurityNegotiation = lazy }
        defer { Task { await dialer.shutdown() } }
        let events = dialer.events(bufferLimit: 1000)

        do {
            _ = try await dialer.dial(peer: nil, addresses: [try Multiaddr("/ip4/127.0.0.1/tcp/\(port)")])
            Issue.record("the dial succeeded against a listener without Noise")
        } catch HostError.dialFailed(let failures) {
            let failure = try #require(failures.first)
            #expect(failure.step == UpgradePhase.securityNegotiation.rawValue)
            #expect(failure.reason.contains("the peer does not speak /noise"), "\(failure.reason)")
        }
        var upgradeError: UpgradeError?
        var labels: [String] = []
        for await record in events {
            if case .upgradeStep(_, let step, _) = record.event { labels.append(step.label) }
            if case .upgradeFailed(_, _, let error, _) = record.event {
                upgradeError = error
                break
            }
        }
        let error = try #require(upgradeError)
        #expect(error.phase == .securityNegotiation)
        #expect(error.kind == .noCommonProtocol)
        #expect(error.got.contains("/noise → na"), "\(error.got)")
        #expect(!labels.contains("mss security /noise"), "never confirmed: \(labels)")
        #expect(labels.contains("noise → e") == lazy, "only a lazy dialer sends Noise message 1 unconfirmed")
    }

    @Test func lazyProposalNeedsExactlyOneSecurityProtocol() {
        var configuration = HostConfiguration().upgrader
        #expect(configuration.proposesSecurityLazily)
        configuration.securityProtocols = [NoiseSecurity(), UnusedSecurity()]
        #expect(!configuration.proposesSecurityLazily)
        configuration.securityProtocols = [NoiseSecurity()]
        configuration.lazySecurityNegotiation = false
        #expect(!configuration.proposesSecurityLazily)
    }

    @Test func silentListenerTimesOutInSecurityNegotiation() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let dialer = try HostTestSupport.makeHost { $0.upgrader.upgradeTimeout = .milliseconds(300) }
        defer { Task { await dialer.shutdown() } }
        do {
            _ = try await dialer.dial(peer: nil, addresses: [try Multiaddr("/ip4/127.0.0.1/tcp/\(port)")])
            Issue.record("the dial succeeded against a silent listener")
        } catch HostError.dialFailed(let failures) {
            let failure = try #require(failures.first)
            #expect(failure.step == UpgradePhase.securityNegotiation.rawValue, "\(failure)")
            #expect(failure.reason.contains("timed out"), "\(failure.reason)")
        }
    }
}

/// A second security protocol in the list, never negotiated by these tests.
private struct UnusedSecurity: SecurityProtocol {
    var protocolID: String { "/tls/1.0.0" }
    var name: String { "tls" }
    var negotiatesMuxerEarly: Bool { false }

    func secure(channel: any Channel, session: SecuritySession) -> EventLoopFuture<SecuredConnection> {
        channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
    }
}
