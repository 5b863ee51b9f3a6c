import Foundation
import Testing

@testable import Core
@testable import Events
@testable import Multiformats
@testable import Node
@testable import Resolve

/// Names that lead to peers nobody here wrote: py-libp2p 0.8.1 and kubo 0.22 reached through `/dnsaddr`
/// and `/dns4` records served by dnsmasq. (Resolution is the dialer's business only; the peers just
/// have to be where the records say.)
@Suite("DNS: dialing py-libp2p and kubo by name", .serialized)
struct DNSInteropTests {
    /// Dials `name` with the test server and returns the connection's peer and the questions asked.
    static func dialByName(_ name: String, dns: DNSTestServer) async throws -> (PeerID, [String], [Multiaddr], Multiaddr?) {
        let dialer = try HostTestSupport.makeHost {
            $0.resolver = MultiaddrResolver(client: DNSClient(server: dns.server, timeout: .seconds(2)))
            $0.identifyOnConnect = false
        }
        let events = dialer.events()
        let connection = try await dialer.dial(try Multiaddr(name))
        let rtts = try await dialer.ping(connection, count: 2, interval: .milliseconds(50))
        #expect(rtts.count == 2)
        await dialer.shutdown()
        var questions: [String] = []
        var attempts: [Multiaddr] = []
        for await record in events {
            if case .dialNameResolved(_, let hop) = record.event {
                #expect(hop.failure == nil, "\(hop)")
                questions.append(hop.question)
            }
            if case .dialAttempt(_, _, let address) = record.event { attempts.append(address) }
        }
        return (connection.peer, questions, attempts, connection.upgraded.remoteAddress)
    }

    @Test("py-libp2p through /dnsaddr and through /dns4", .pythonInterop, .timeLimit(.minutes(2)))
    func pyLibp2pByName() async throws {
        let py = try await PythonInterop.peer().listen()
        let address = try Multiaddr(py.multiaddr)
        let port = try #require(address.tcpEndpoint?.port)
        let dns = try await DNSTestServer.start(records: [
            "txt-record=_dnsaddr.py.test,\"dnsaddr=/dns4/py-host.test/tcp/\(port)/p2p/\(py.peerID)\"",
            "host-record=py-host.test,127.0.0.1",
        ])
        let (peer, questions, attempts, _) = try await Self.dialByName("/dnsaddr/py.test/p2p/\(py.peerID)", dns: dns)
        #expect(peer.description == py.peerID)
        #expect(questions == ["TXT _dnsaddr.py.test", "A py-host.test"])
        #expect(attempts.map(\.description) == [py.multiaddr])
        let (direct, directQuestions, _, _) = try await Self.dialByName("/dns4/py-host.test/tcp/\(port)/p2p/\(py.peerID)", dns: dns)
        #expect(direct.description == py.peerID)
        #expect(directQuestions == ["A py-host.test"])
        await dns.stop()
        await py.stop()
    }

    @Test("kubo through /dnsaddr listing every address it announces", .pythonInterop, .timeLimit(.minutes(3)))
    func kuboByName() async throws {
        let kubo = try await KuboControl.launch(python: try PythonInterop.peer())
        let node = try await kubo.start(key: "ed25519")
        // All of kubo's addresses, as `ipfs id` prints them and a dnsaddr publisher would list them.
        let dns = try await DNSTestServer.start(records: node.addrs.map { "txt-record=_dnsaddr.kubo.test,\"dnsaddr=\($0)\"" })
        let (peer, questions, attempts, winner) = try await Self.dialByName("/dnsaddr/kubo.test/p2p/\(node.id)", dns: dns)
        #expect(peer.description == node.id)
        #expect(questions == ["TXT _dnsaddr.kubo.test"])
        #expect(Set(node.addrs).isSuperset(of: attempts.map(\.description)), "\(attempts) vs \(node.addrs)")
        // QUIC is ranked first and every kind kubo announces is dialable: the first attempt is QUIC's, and
        // whichever attempt won is one of kubo's addresses.
        #expect(attempts.first?.description == node.quicAddress, "\(attempts)")
        #expect(winner.map { w in node.addrs.contains { $0.hasPrefix(w.description + "/p2p/") } } == true, "\(String(describing: winner))")
        print("kubo by /dnsaddr: \(node.addrs.count) records, attempts \(attempts.map(\.description))")
        await dns.stop()
        await kubo.stop()
    }
}
