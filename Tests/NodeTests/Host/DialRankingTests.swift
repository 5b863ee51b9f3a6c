import Multiformats
@testable import Node
import Testing

@Suite("Dial ranking")
struct DialRankingTests {
    static func plan(_ texts: [String]) throws -> [(String, Int)] {
        try DialRanking().plan(texts.map { try Multiaddr($0) }).map { entry in
            (entry.address.description, Int(entry.delay.components.seconds * 1000 + entry.delay.components.attoseconds / 1_000_000_000_000_000))
        }
    }

    @Test("public: QUIC at once, TCP and WS 250 ms later, more of the same kind 250 ms apart")
    func publicAddresses() throws {
        let plan = try Self.plan([
            "/ip4/1.2.3.4/tcp/4001", "/ip4/1.2.3.4/tcp/4002/ws", "/ip4/1.2.3.4/udp/4001/quic-v1", "/ip4/5.6.7.8/udp/4001/quic-v1",
        ])
        #expect(plan.map(\.0) == ["/ip4/1.2.3.4/udp/4001/quic-v1", "/ip4/5.6.7.8/udp/4001/quic-v1", "/ip4/1.2.3.4/tcp/4001", "/ip4/1.2.3.4/tcp/4002/ws"])
        #expect(plan.map(\.1) == [0, 250, 250, 250])
    }

    @Test("without QUIC, TCP does not wait")
    func tcpAloneStartsAtOnce() throws {
        #expect(try Self.plan(["/ip4/1.2.3.4/tcp/4001"]).map(\.1) == [0])
        #expect(try Self.plan(["/ip4/1.2.3.4/tcp/4001", "/ip4/1.2.3.5/tcp/4001"]).map(\.1) == [0, 250])
    }

    @Test("loopback and private before public; private TCP 30 ms after private QUIC; relays last")
    func scopes() throws {
        let plan = try Self.plan([
            "/ip4/8.8.8.8/tcp/1", "/ip4/192.168.1.2/tcp/1", "/ip4/192.168.1.2/udp/1/quic-v1",
            "/ip4/127.0.0.1/tcp/1", "/ip6/::1/tcp/1", "/ip4/8.8.8.8/tcp/2/p2p-circuit", "/ip6/fe80::1/tcp/1",
        ])
        #expect(plan.map(\.0) == [
            "/ip4/127.0.0.1/tcp/1", "/ip6/::1/tcp/1", "/ip4/192.168.1.2/udp/1/quic-v1", "/ip4/8.8.8.8/tcp/1",
            "/ip4/192.168.1.2/tcp/1", "/ip6/fe80::1/tcp/1", "/ip4/8.8.8.8/tcp/2/p2p-circuit",
        ])
        #expect(plan.map(\.1) == [0, 0, 0, 0, 30, 30, 500])
    }

    @Test("address scopes", arguments: [
        ("/ip4/10.1.2.3/tcp/1", DialRanking.Scope.privateNetwork), ("/ip4/172.16.0.1/tcp/1", .privateNetwork),
        ("/ip4/172.32.0.1/tcp/1", .publicInternet), ("/ip4/100.64.0.1/tcp/1", .privateNetwork),
        ("/ip4/100.128.0.1/tcp/1", .publicInternet), ("/ip6/fd00::1/tcp/1", .privateNetwork),
        ("/ip6/2001:db8::1/tcp/1", .publicInternet), ("/ip6/::ffff:127.0.0.1/tcp/1", .loopback),
    ])
    func scopeOf(text: String, scope: DialRanking.Scope) throws {
        #expect(DialRanking.scope(of: try Multiaddr(text)) == scope)
    }
}
