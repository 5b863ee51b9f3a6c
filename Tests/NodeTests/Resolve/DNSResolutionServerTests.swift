import Foundation
import Glibc
import Testing

@testable import Core
@testable import Events
@testable import Multiformats
@testable import Node
@testable import Resolve

/// Names resolved by a real DNS server (dnsmasq on loopback): the resolver, the host's dial and
/// `diagnose`, including the zones a debugging tool meets in the wild: loops, bombs, missing names,
/// a server that never answers.
@Suite("DNS against dnsmasq", .serialized)
struct DNSResolutionServerTests {
    static let bombSize = 200

    static func bombRecords(_ name: String) -> [String] {
        (0..<bombSize).map { "txt-record=\(name),\"dnsaddr=/ip4/127.0.0.1/tcp/\($0 + 1)\"" }
    }

    @Test("A, AAAA, both, NXDOMAIN, no data, and a 200-record TXT answer (over TCP after truncation)", .timeLimit(.minutes(1)))
    func clientAnswers() async throws {
        let dns = try await DNSTestServer.start(records: [
            "host-record=peer.test,127.0.0.1", "host-record=six.test,::1", "host-record=both.test,127.0.0.1,::1",
        ] + Self.bombRecords("_dnsaddr.bomb.test"))
        defer { Task { await dns.stop() } }
        let client = DNSClient(server: dns.server, timeout: .seconds(2))
        #expect(await client.answer(.addresses(name: "peer.test", family: .ipv4)) == .success(.addresses([.v4(.init(127, 0, 0, 1))])))
        #expect(await client.answer(.addresses(name: "six.test", family: .ipv6)) == .success(.addresses([.v6(.init(high: 0, low: 1))])))
        #expect(await client.answer(.addresses(name: "both.test", family: .any))
            == .success(.addresses([.v4(.init(127, 0, 0, 1)), .v6(.init(high: 0, low: 1))])))
        #expect(await client.answer(.addresses(name: "gone.test", family: .any)) == .failure(.nameNotFound("gone.test")))
        #expect(await client.answer(.addresses(name: "peer.test", family: .ipv6)) == .failure(.noRecords("peer.test", type: "AAAA")))
        // 200 records do not fit a UDP answer: libresolv retries over TCP, and the limit names the count.
        #expect(await client.answer(.txt(name: "_dnsaddr.bomb.test"))
            == .failure(.tooManyRecords("_dnsaddr.bomb.test", type: "TXT", count: Self.bombSize, limit: 32)))
    }

    @Test("a server that never answers fails the question within its timeout, named", .timeLimit(.minutes(1)))
    func silentServer() async throws {
        let silent = try DNSTestServer.boundSocket(type: SOCK_DGRAM, port: 0)
        defer { close(silent.descriptor) }
        let client = DNSClient(server: .server(.init(127, 0, 0, 1), port: silent.port), timeout: .seconds(2))
        let start = ContinuousClock.now
        let answer = await client.answer(.txt(name: "_dnsaddr.any.test"))
        let elapsed = ContinuousClock.now - start
        guard case .failure(let error) = answer else {
            Issue.record("a silent server answered: \(answer)")
            return
        }
        #expect("\(error)".contains("no answer"), "\(error)")
        #expect(elapsed < .seconds(4), "took \(elapsed)")
    }

    @Test("a host dials through nested dnsaddr names to a listener, every hop an event before the attempt", .timeLimit(.minutes(1)))
    func hostDialsThroughDnsaddr() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let peer = try #require(address.peerID)
        let port = try #require(address.tcpEndpoint?.port)
        let dns = try await DNSTestServer.start(records: [
            "txt-record=_dnsaddr.cluster.test,\"dnsaddr=/dnsaddr/node.test\"",
            "txt-record=_dnsaddr.node.test,\"dnsaddr=/dns4/peer.test/tcp/\(port)/p2p/\(peer)\"",
            "txt-record=_dnsaddr.node.test,\"dnsaddr=/ip4/127.0.0.1/tcp/1/p2p/\(HostTestSupport.otherPeer())\"",
            "host-record=peer.test,127.0.0.1",
        ])
        let dialer = try HostTestSupport.makeHost {
            $0.resolver = MultiaddrResolver(client: DNSClient(server: dns.server, timeout: .seconds(2)))
        }
        let events = dialer.events()
        let connection = try await dialer.dial(try Multiaddr("/dnsaddr/cluster.test/p2p/\(peer)"))
        #expect(connection.peer == peer)
        let rtts = try await dialer.ping(connection, count: 1)
        #expect(rtts.count == 1)
        await dialer.shutdown()
        await listener.shutdown()
        await dns.stop()

        var hops: [NameResolutionHop] = []
        var attempts: [Multiaddr] = []
        for await record in events {
            switch record.event {
            case .dialNameResolved(_, let hop):
                #expect(attempts.isEmpty, "a hop after an attempt")
                hops.append(hop)
            case .dialAttempt(_, _, let attempted): attempts.append(attempted)
            default: break
            }
        }
        #expect(hops.map(\.question) == ["TXT _dnsaddr.cluster.test", "TXT _dnsaddr.node.test", "A peer.test"])
        #expect(hops.map(\.depth) == [0, 1, 2])
        #expect(hops.allSatisfy { $0.failure == nil && $0.server == dns.argument })
        // The record for another peer was dropped at the second hop; only the right one was dialed.
        #expect(attempts.map(\.description) == ["/ip4/127.0.0.1/tcp/\(port)/p2p/\(peer)"])
    }

    @Test("diagnose names a loop, a bomb, a missing name and a dead server, each at its hop", .timeLimit(.minutes(2)))
    func diagnoseNamesEachFailure() async throws {
        let peer = HostTestSupport.otherPeer()
        let dns = try await DNSTestServer.start(records: [
            "txt-record=_dnsaddr.loop.test,\"dnsaddr=/dnsaddr/loop2.test\"",
            "txt-record=_dnsaddr.loop2.test,\"dnsaddr=/dnsaddr/loop.test\"",
        ] + Self.bombRecords("_dnsaddr.bomb.test"))
        let silent = try DNSTestServer.boundSocket(type: SOCK_DGRAM, port: 0)
        defer { close(silent.descriptor) }
        let cases: [(address: String, server: String, step: String, detail: String)] = [
            ("/dnsaddr/loop.test/p2p/\(peer)", dns.argument, "dnsaddr",
             "dnsaddr loop: _dnsaddr.loop.test → _dnsaddr.loop2.test → _dnsaddr.loop.test"),
            ("/dnsaddr/bomb.test/p2p/\(peer)", dns.argument, "dnsaddr",
             "_dnsaddr.bomb.test has \(Self.bombSize) TXT records, over the limit of 32"),
            ("/dns4/gone.test/tcp/4001/p2p/\(peer)", dns.argument, "dns", "gone.test does not exist (NXDOMAIN)"),
            ("/dns/gone.test/tcp/4001/p2p/\(peer)", "127.0.0.1:\(silent.port)", "dns", "no answer"),
        ]
        for item in cases {
            let output = try await PeerscopeCLI.run(
                ["diagnose", item.address, "--json", "--ephemeral", "--dns-server", item.server, "--dns-timeout", "2"], within: .seconds(30))
            #expect(output.exit?.value == 2, "\(item.address): \(output.stderrText)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdoutText.utf8)) as? [String: Any])
            let steps = try #require(report["steps"] as? [[String: Any]])
            let failed = try #require(steps.first { $0["ok"] as? Bool == false }, "\(item.address): \(steps)")
            #expect(failed["step"] as? String == item.step, "\(item.address): \(failed)")
            #expect((failed["detail"] as? String)?.contains(item.detail) == true, "\(item.address): \(failed)")
            #expect(failed["hint"] is String, "\(item.address): no hint in \(failed)")
            print("diagnose \(item.address) → \(failed["step"] ?? "?"): \(failed["detail"] ?? "?")")
        }
        await dns.stop()
    }

    @Test("diagnose reports every address a name led to, in ranked order, and follows the winner", .timeLimit(.minutes(1)))
    func diagnoseReportsEveryAddress() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let peer = try #require(address.peerID)
        let port = try #require(address.tcpEndpoint?.port)
        let dns = try await DNSTestServer.start(records: [
            "txt-record=_dnsaddr.multi.test,\"dnsaddr=/ip4/127.0.0.1/udp/\(port)/quic-v1/p2p/\(peer)\"",
            "txt-record=_dnsaddr.multi.test,\"dnsaddr=/ip4/127.0.0.1/tcp/1/p2p/\(peer)\"",
            "txt-record=_dnsaddr.multi.test,\"dnsaddr=/ip4/127.0.0.1/tcp/\(port)/p2p/\(peer)\"",
        ])
        let output = try await PeerscopeCLI.run(
            ["diagnose", "/dnsaddr/multi.test/p2p/\(peer)", "--json", "--ephemeral", "--dns-server", dns.argument], within: .seconds(30))
        await dns.stop()
        await listener.shutdown()
        #expect(output.exit?.value == 0, "\(output.stdoutText) \(output.stderrText)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdoutText.utf8)) as? [String: Any])
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? String ?? "?" }.prefix(4) == ["address", "dnsaddr", "dial", "tcp"])
        let dial = try #require(steps.first { $0["step"] as? String == "dial" }?["detail"] as? String)
        #expect(dial.hasPrefix("3 addresses, in ranked order: +0 ms /ip4/127.0.0.1/udp/\(port)/quic-v1"), "\(dial)")
        #expect(dial.contains("/tcp/\(port)/p2p/\(peer) (loopback tcp) → connected"), "\(dial)")
        // Refused at once as a rule; on a starved machine the winner may come first and cancel it.
        #expect(dial.contains("/tcp/1/p2p/\(peer) (loopback tcp) → tcp: connection refused")
            || dial.contains("/tcp/1/p2p/\(peer) (loopback tcp) → cancelled: another address connected first"), "\(dial)")
        // Nothing listens on that UDP port: the QUIC attempt is still waiting for an answer when TCP wins.
        #expect(dial.contains("(loopback quic) → cancelled") || dial.contains("(loopback quic) → quic:"), "\(dial)")
        let tcp = try #require(steps.first { $0["step"] as? String == "tcp" }?["detail"] as? String)
        #expect(tcp.hasSuffix("→ /ip4/127.0.0.1/tcp/\(port)"), "the reported steps are not the winner's: \(tcp)")
    }
}
