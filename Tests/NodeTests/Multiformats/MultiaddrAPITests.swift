import Foundation
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

@Suite struct MultiaddrAPITests {
    static let relayText =
        "/ip4/192.0.2.0/tcp/5002/p2p/QmdPU7PfRyKehdrP5A3WqmjyD6bhVpU1mLGKppa2FjGDjZ/p2p-circuit/p2p/QmVT6GYwjeeAF5TR485Yc58S3xRF5EFsZ5YAF4VcP3URHt"

    @Test func componentsAreTyped() throws {
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        let peer = try PeerID("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        #expect(address.components == [.ip4(IPv4Address(127, 0, 0, 1)), .tcp(4001), .p2p(peer)])
        #expect(try Multiaddr(components: address.components) == address)
        #expect(address.components.map(\.protocol) == [.ip4, .tcp, .p2p])
        #expect(address.components[1].valueText == "4001")
        #expect(address.components[1].valueBytes == [0x0f, 0xa1])
        #expect(MultiaddrComponent.quicV1.valueText == nil)
        #expect(MultiaddrComponent.quicV1.description == "/quic-v1")
    }

    @Test func protocolTableLookups() {
        for proto in MultiaddrProtocol.allCases {
            #expect(MultiaddrProtocol(name: proto.name) == proto)
            #expect(MultiaddrProtocol(code: proto.code) == proto)
        }
        #expect(MultiaddrProtocol(name: "ipfs") == .p2p)
        #expect(MultiaddrProtocol(name: "foo") == nil)
        #expect(MultiaddrProtocol(code: 0x7f) == nil)
        #expect(MultiaddrProtocol.udp.code == 273 && MultiaddrProtocol.memory.code == 777)
    }

    @Test func encapsulateAppends() throws {
        let base = try Multiaddr("/ip4/1.2.3.4")
        #expect(try base.encapsulate(Multiaddr("/tcp/80/ws")).description == "/ip4/1.2.3.4/tcp/80/ws")
        #expect(try base.encapsulate(.udp(53)).description == "/ip4/1.2.3.4/udp/53")
        #expect(try Multiaddr.empty.encapsulate(base) == base)
    }

    @Test func nothingMayFollowAUnixPath() throws {
        let unix = try Multiaddr("/unix/tmp/a.sock")
        #expect(throws: MultiaddrError.componentAfterPath(pathProtocol: "unix", offset: 14)) {
            try unix.encapsulate(.tcp(1))
        }
        #expect(throws: MultiaddrError.componentAfterPath(pathProtocol: "unix", offset: 5)) {
            try Multiaddr(components: [.unix(path: "/a"), .ws])
        }
        // Text cannot express it at all: the path swallows the rest.
        #expect(try Multiaddr("/unix/tmp/a.sock/tcp/1").components == [.unix(path: "/tmp/a.sock/tcp/1")])
    }

    @Test func decapsulateRemovesFromTheLastOccurrence() throws {
        let relay = try Multiaddr(Self.relayText)
        let relayOnly = "/ip4/192.0.2.0/tcp/5002/p2p/QmdPU7PfRyKehdrP5A3WqmjyD6bhVpU1mLGKppa2FjGDjZ"
        #expect(relay.decapsulate("p2p").description == relayOnly + "/p2p-circuit")
        #expect(relay.decapsulate("ipfs").description == relayOnly + "/p2p-circuit")
        #expect(relay.decapsulate(protocol: .p2pCircuit).description == relayOnly)
        #expect(relay.decapsulate(try Multiaddr("/p2p-circuit")).description == relayOnly)
        #expect(relay.decapsulate(.tcp(5002)).description == "/ip4/192.0.2.0")
        #expect(relay.decapsulate(.tcp(5003)) == relay, "absent component: unchanged")
        #expect(relay.decapsulate("udp") == relay)
        #expect(relay.decapsulate("nonsense") == relay)
        #expect(relay.decapsulate("ip4").isEmpty)
        #expect(relay.decapsulate(relay).isEmpty)

        let doubled = try Multiaddr("/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321")
        #expect(doubled.decapsulate("ip4").description == "/ip4/127.0.0.1/udp/1234")
        #expect(doubled.decapsulate(try Multiaddr("/ip4/127.0.0.1")).description == "/ip4/127.0.0.1/udp/1234")
        #expect(doubled.decapsulate(try Multiaddr("/udp/1234/ip4/127.0.0.1")).description == "/ip4/127.0.0.1")
    }

    @Test func peerIDIsTheFinalP2PComponent() throws {
        let relay = try Multiaddr(Self.relayText)
        #expect(relay.peerID == (try PeerID("QmVT6GYwjeeAF5TR485Yc58S3xRF5EFsZ5YAF4VcP3URHt")))
        #expect(relay.withoutPeerID.description.hasSuffix("/p2p-circuit"))
        let circuitOnly = relay.withoutPeerID
        #expect(circuitOnly.peerID == nil, "a relay address without target names no peer")
        #expect(circuitOnly.withoutPeerID == circuitOnly)
        let plain = try Multiaddr("/ip4/1.2.3.4/tcp/1")
        #expect(plain.peerID == nil && plain.withoutPeerID == plain)
    }

    @Test func tcpEndpoints() throws {
        let v4 = try Multiaddr("/ip4/127.0.0.1/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").tcpEndpoint
        #expect(v4 == TCPEndpoint(host: "127.0.0.1", port: 4001, isIPv6: false, zone: nil))
        let v6 = try Multiaddr("/ip6/2001:DB8:0:0:0:0:0:1/tcp/0").tcpEndpoint
        #expect(v6 == TCPEndpoint(host: "2001:db8::1", port: 0, isIPv6: true, zone: nil))
        let zoned = try Multiaddr("/ip6zone/eth0/ip6/fe80::1/tcp/80").tcpEndpoint
        #expect(zoned == TCPEndpoint(host: "fe80::1", port: 80, isIPv6: true, zone: "eth0"))
        for other in [
            "/dns4/example.com/tcp/443", "/ip4/1.2.3.4/udp/1", "/ip4/1.2.3.4/tcp/80/ws", "/ip4/1.2.3.4",
            "/tcp/80", "/ip6zone/eth0/ip4/1.2.3.4/tcp/1", Self.relayText, "/unix/a",
        ] {
            #expect(try Multiaddr(other).tcpEndpoint == nil, "\(other)")
        }
    }

    @Test func equalityAndHashingFollowTheBytes() throws {
        let a = try Multiaddr("/ip6/0:0:0:0:0:0:0:1/tcp/0080")
        let b = try Multiaddr("/ip6/::1/tcp/80")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(try Multiaddr("/tls/ws") != (try Multiaddr("/wss")), "same meaning, different bytes")
        // Canonically equivalent but differently encoded names are different addresses.
        let composed = try Multiaddr("/dns/caf\u{e9}.example")
        let decomposed = try Multiaddr("/dns/cafe\u{301}.example")
        #expect(composed != decomposed)
        #expect(composed.components[0] != decomposed.components[0])
    }

    @Test func codableAsText() throws {
        let addresses = [try Multiaddr("/ip4/127.0.0.1/tcp/4001"), try Multiaddr("/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")]
        let json = try JSONEncoder().encode(addresses)
        #expect(String(decoding: json, as: UTF8.self)
            == #"["\/ip4\/127.0.0.1\/tcp\/4001","\/p2p\/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"]"#)
        #expect(try JSONDecoder().decode([Multiaddr].self, from: json) == addresses)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Multiaddr].self, from: Data(#"["/tcp/99999"]"#.utf8))
        }
    }

    @Test func errorDescriptionsSayWhatAndWhere() {
        #expect(MultiaddrError.unknownProtocol(name: "foo", offset: 12).description
            == "unknown multiaddr protocol \"foo\" at offset 12")
        #expect(MultiaddrError.invalidValue(protocol: "tcp", value: "99999", offset: 5, reason: "port is out of range 0–65535").description
            == "invalid /tcp value \"99999\" at offset 5: port is out of range 0–65535")
        #expect(MultiaddrError.missingValue(protocol: "ip4", offset: 1).description == "/ip4 at offset 1 needs a value")
        #expect(MultiaddrError.unknownCode(code: 0x7f, offset: 0).description.contains("0x7f at byte 0"))
        #expect(MultiaddrError.truncated(protocol: "dns", offset: 2, needed: 11, available: 2).description
            == "/dns value at byte 2 needs 11 bytes, only 2 left")
    }
}

@Suite struct MultiaddrFromSocketTests {
    @Test(arguments: [
        ("127.0.0.1", UInt16(4001), "/ip4/127.0.0.1/tcp/4001"),
        ("::1", 80, "/ip6/::1/tcp/80"),
        ("0:0:0:0:0:ffff:7f00:1", 111, "/ip6/::ffff:127.0.0.1/tcp/111"),
        ("fe80::1%eth0", 9, "/ip6zone/eth0/ip6/fe80::1/tcp/9"),
    ])
    func buildsFromNumericHosts(host: String, port: UInt16, expected: String) throws {
        let address = try #require(Multiaddr(tcpHost: host, port: port))
        #expect(address.description == expected)
        let endpoint = try #require(address.tcpEndpoint)
        #expect(endpoint.port == port)
        #expect(Multiaddr(tcpHost: endpoint.host + (endpoint.zone.map { "%" + $0 } ?? ""), port: port) == address)
    }

    @Test(arguments: ["example.com", "", "fe80::1%", "1.2.3.4%eth0", "::1%a/b", "localhost"])
    func refusesNonNumericHosts(host: String) {
        #expect(Multiaddr(tcpHost: host, port: 1) == nil)
    }
}
