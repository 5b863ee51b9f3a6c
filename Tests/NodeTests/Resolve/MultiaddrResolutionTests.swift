import Core
import Identity
import Multiformats
@testable import Resolve
import Testing

/// The resolution state machine, driven with scripted answers: no DNS server involved.
@Suite("MultiaddrResolution: names to dialable addresses")
struct MultiaddrResolutionTests {
    static let peer = freshPeer()
    static let other = freshPeer()

    static func freshPeer() -> PeerID {
        guard let key = try? PrivateKey.generate(.ed25519) else { fatalError("ed25519 key generation failed") }
        return key.peerID
    }

    /// Runs a resolution, answering each question from `answers` (missing → NXDOMAIN); returns the
    /// resolution, the questions in order and every hop.
    static func run(
        _ text: String, limits: NameResolutionLimits = NameResolutionLimits(),
        _ answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>]
    ) throws -> (MultiaddrResolution, [DNSQuestion], [NameResolutionHop]) {
        var resolution = MultiaddrResolution(try Multiaddr(text), limits: limits)
        var questions: [DNSQuestion] = []
        var hops: [NameResolutionHop] = []
        for _ in 0..<1000 {
            switch resolution.next() {
            case .finished:
                return (resolution, questions, hops)
            case .skipped(let hop):
                hops.append(hop)
            case .ask(let question):
                questions.append(question)
                let answer = answers[question] ?? .failure(.nameNotFound(question.name))
                hops.append(resolution.receive(answer, server: "test", duration: .milliseconds(1)))
            }
        }
        Issue.record("resolution did not finish")
        return (resolution, questions, hops)
    }

    @Test("an address without names is itself, with no question asked")
    func plainAddressPassesThrough() throws {
        let (resolution, questions, hops) = try Self.run("/ip4/10.0.0.1/tcp/4001", [:])
        #expect(questions.isEmpty && hops.isEmpty)
        #expect(resolution.resolved.map(\.description) == ["/ip4/10.0.0.1/tcp/4001"])
    }

    @Test("/dns4 asks A only and keeps the rest of the address, /p2p/ included")
    func dns4KeepsTheRest() throws {
        let v4 = try #require(IPv4Address("127.0.0.1"))
        let (resolution, questions, hops) = try Self.run(
            "/dns4/peer.test/tcp/4001/p2p/\(Self.peer)", [.addresses(name: "peer.test", family: .ipv4): .success(.addresses([.v4(v4)]))])
        #expect(questions == [.addresses(name: "peer.test", family: .ipv4)])
        #expect(resolution.resolved.map(\.description) == ["/ip4/127.0.0.1/tcp/4001/p2p/\(Self.peer)"])
        #expect(hops.count == 1 && hops[0].failure == nil && hops[0].answers == ["127.0.0.1"] && hops[0].question == "A peer.test")
    }

    @Test("/dns gives one address per family, deduplicated; /dns4 drops an AAAA that slipped in")
    func dnsBothFamilies() throws {
        let v4 = try #require(IPv4Address("127.0.0.1"))
        let v6 = try #require(IPv6Address("::1"))
        let (resolution, _, _) = try Self.run(
            "/dns/peer.test/tcp/1", [.addresses(name: "peer.test", family: .any): .success(.addresses([.v4(v4), .v6(v6), .v4(v4)]))])
        #expect(resolution.resolved.map(\.description) == ["/ip4/127.0.0.1/tcp/1", "/ip6/::1/tcp/1"])
        let (only4, _, _) = try Self.run(
            "/dns4/peer.test/tcp/1", [.addresses(name: "peer.test", family: .ipv4): .success(.addresses([.v6(v6), .v4(v4)]))])
        #expect(only4.resolved.map(\.description) == ["/ip4/127.0.0.1/tcp/1"])
    }

    @Test("a name under /wss or /tls is kept as /sni for the certificate check")
    func tlsNamesBecomeSNI() throws {
        let v4 = try #require(IPv4Address("192.0.2.1"))
        let answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>] = [
            .addresses(name: "example.test", family: .ipv4): .success(.addresses([.v4(v4)]))]
        let (wss, _, _) = try Self.run("/dns4/example.test/tcp/443/wss", answers)
        #expect(wss.resolved.map(\.description) == ["/ip4/192.0.2.1/tcp/443/tls/sni/example.test/ws"])
        let (tls, _, _) = try Self.run("/dns4/example.test/tcp/443/tls/ws", answers)
        #expect(tls.resolved.map(\.description) == ["/ip4/192.0.2.1/tcp/443/tls/sni/example.test/ws"])
    }

    @Test("dnsaddr keeps only the records of the wanted peer and says how many were for others")
    func dnsaddrFiltersByPeer() throws {
        let records = [
            "dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/\(Self.peer)",
            "dnsaddr=/ip4/10.0.0.2/tcp/4001/p2p/\(Self.other)",
            "some-other=txt",
        ]
        let (resolution, questions, hops) = try Self.run(
            "/dnsaddr/boot.test/p2p/\(Self.peer)", [.txt(name: "_dnsaddr.boot.test"): .success(.txt(records))])
        #expect(questions == [.txt(name: "_dnsaddr.boot.test")])
        #expect(resolution.resolved.map(\.description) == ["/ip4/10.0.0.1/tcp/4001/p2p/\(Self.peer)"])
        #expect(hops[0].answers == records)

        let (none, _, noneHops) = try Self.run(
            "/dnsaddr/boot.test/p2p/\(Self.peer)", [.txt(name: "_dnsaddr.boot.test"): .success(.txt([records[1]]))])
        #expect(none.resolved.isEmpty)
        #expect(noneHops[0].failure == "no usable dnsaddr record at _dnsaddr.boot.test: 1 for other peers than \(Self.peer)")
    }

    @Test("without /p2p/ every record is kept; nested names are followed with the depth counted")
    func nestedDnsaddr() throws {
        let v4 = try #require(IPv4Address("10.0.0.9"))
        let answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>] = [
            .txt(name: "_dnsaddr.top.test"): .success(.txt(["dnsaddr=/dnsaddr/inner.test", "dnsaddr=/ip4/10.0.0.1/tcp/1/p2p/\(Self.peer)"])),
            .txt(name: "_dnsaddr.inner.test"): .success(.txt(["dnsaddr=/dns4/host.test/tcp/2/p2p/\(Self.other)"])),
            .addresses(name: "host.test", family: .ipv4): .success(.addresses([.v4(v4)])),
        ]
        let (resolution, questions, hops) = try Self.run("/dnsaddr/top.test", answers)
        #expect(questions.count == 3)
        #expect(Set(resolution.resolved.map(\.description)) == [
            "/ip4/10.0.0.1/tcp/1/p2p/\(Self.peer)", "/ip4/10.0.0.9/tcp/2/p2p/\(Self.other)"])
        #expect(hops.map(\.depth) == [0, 1, 2])
        #expect(hops.allSatisfy { $0.failure == nil })
    }

    @Test("a nested name without /p2p/ is followed for the wanted peer")
    func nestedNameIsNarrowedToThePeer() throws {
        let answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>] = [
            .txt(name: "_dnsaddr.top.test"): .success(.txt(["dnsaddr=/dnsaddr/inner.test"])),
            .txt(name: "_dnsaddr.inner.test"): .success(.txt([
                "dnsaddr=/ip4/10.0.0.1/tcp/1/p2p/\(Self.other)", "dnsaddr=/ip4/10.0.0.2/tcp/1/p2p/\(Self.peer)"])),
        ]
        let (resolution, _, _) = try Self.run("/dnsaddr/top.test/p2p/\(Self.peer)", answers)
        #expect(resolution.resolved.map(\.description) == ["/ip4/10.0.0.2/tcp/1/p2p/\(Self.peer)"])
    }

    @Test("a dnsaddr loop is named with its chain and not asked again")
    func loopIsNamed() throws {
        let answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>] = [
            .txt(name: "_dnsaddr.a.test"): .success(.txt(["dnsaddr=/dnsaddr/b.test"])),
            .txt(name: "_dnsaddr.b.test"): .success(.txt(["dnsaddr=/dnsaddr/a.test"])),
        ]
        let (resolution, questions, hops) = try Self.run("/dnsaddr/a.test", answers)
        #expect(questions.count == 2)
        #expect(resolution.resolved.isEmpty)
        #expect(hops.last?.failure == "dnsaddr loop: _dnsaddr.a.test → _dnsaddr.b.test → _dnsaddr.a.test")
    }

    @Test("a chain deeper than the limit stops there, named")
    func depthLimit() throws {
        var answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>] = [:]
        for level in 0..<10 {
            answers[.txt(name: "_dnsaddr.n\(level).test")] = .success(.txt(["dnsaddr=/dnsaddr/n\(level + 1).test"]))
        }
        var limits = NameResolutionLimits()
        limits.maxDepth = 3
        let (resolution, questions, hops) = try Self.run("/dnsaddr/n0.test", limits: limits, answers)
        #expect(questions.count == 4)
        #expect(resolution.resolved.isEmpty)
        #expect(hops.last?.failure == "nested deeper than 3 dnsaddr names; not followed")
    }

    @Test("a fan-out beyond the question limit is cut, and the cut is named")
    func questionLimit() throws {
        let fanOut = (0..<30).map { "dnsaddr=/dns4/h\($0).test/tcp/1" }
        var answers: [DNSQuestion: Result<DNSAnswer, DNSQueryError>] = [.txt(name: "_dnsaddr.fan.test"): .success(.txt(fanOut))]
        for index in 0..<30 {
            answers[.addresses(name: "h\(index).test", family: .ipv4)] = .success(.addresses([.v4(IPv4Address(value: 0x0a00_0000 + UInt32(index)))]))
        }
        let (resolution, questions, hops) = try Self.run("/dnsaddr/fan.test", answers)
        #expect(questions.count == 16)
        #expect(resolution.resolved.count == 15)
        #expect(hops.filter { $0.failure?.contains("(limit); not asked") == true }.count == 15)
    }

    @Test("a TXT bomb fails its question as a whole, with the count and the limit")
    func txtBomb() throws {
        let bomb = (0..<200).map { "dnsaddr=/ip4/10.0.0.1/tcp/\($0 + 1)" }
        let (resolution, _, hops) = try Self.run("/dnsaddr/bomb.test", [.txt(name: "_dnsaddr.bomb.test"): .success(.txt(bomb))])
        #expect(resolution.resolved.isEmpty)
        #expect(hops[0].failure == "_dnsaddr.bomb.test has 200 TXT records, over the limit of 32")
    }

    @Test("records that are not multiaddrs are named, the good ones used")
    func unparsableRecords() throws {
        let records = ["dnsaddr=/ip4/999.0.0.1/tcp/1", "dnsaddr=garbage", "dnsaddr=/ip4/10.0.0.1/tcp/1"]
        let (resolution, _, _) = try Self.run("/dnsaddr/mixed.test", [.txt(name: "_dnsaddr.mixed.test"): .success(.txt(records))])
        #expect(resolution.resolved.map(\.description) == ["/ip4/10.0.0.1/tcp/1"])
        let (bad, _, hops) = try Self.run("/dnsaddr/mixed.test", [.txt(name: "_dnsaddr.mixed.test"): .success(.txt(Array(records.prefix(2))))])
        #expect(bad.resolved.isEmpty)
        #expect(hops[0].failure == "no usable dnsaddr record at _dnsaddr.mixed.test; not multiaddrs: /ip4/999.0.0.1/tcp/1, garbage")
    }

    @Test("a resolver error is the hop's failure, word for word")
    func errorsAreCarried() throws {
        let (resolution, _, hops) = try Self.run("/dns6/gone.test/tcp/1", [
            .addresses(name: "gone.test", family: .ipv6): .failure(.timedOut("gone.test", after: .seconds(2)))])
        #expect(resolution.resolved.isEmpty)
        #expect(hops[0].failure == "no answer for gone.test within 2 s")
        #expect(resolution.failures == ["no answer for gone.test within 2 s"])
    }

    @Test("no more than maxAddresses come out, and the drop is said")
    func addressLimit() throws {
        var limits = NameResolutionLimits()
        limits.maxAddresses = 2
        let records = (1...5).map { "dnsaddr=/ip4/10.0.0.\($0)/tcp/1" }
        let (resolution, _, _) = try Self.run("/dnsaddr/many.test", limits: limits, [.txt(name: "_dnsaddr.many.test"): .success(.txt(records))])
        #expect(resolution.resolved.count == 2)
        #expect(resolution.failures == ["more than 2 addresses; the rest were dropped"])
    }
}

@Suite("TXT record data")
struct TXTRecordDataTests {
    @Test("character strings are joined; a length past the end is an error")
    func joinsAndBounds() throws {
        let data: [UInt8] = [3] + Array("abc".utf8) + [2] + Array("de".utf8) + [0]
        #expect(try TXTRecordData.text(of: data, maxBytes: 100).get() == "abcde")
        #expect(try TXTRecordData.text(of: data, maxBytes: 4).get() == "abcd")
        #expect(try TXTRecordData.text(of: [UInt8](), maxBytes: 4).get() == "")
        let short: [UInt8] = [5] + Array("ab".utf8)
        #expect(throws: TXTRecordDataError.self) { try TXTRecordData.text(of: short, maxBytes: 100).get() }
    }
}
