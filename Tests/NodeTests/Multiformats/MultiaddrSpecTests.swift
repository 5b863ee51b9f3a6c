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

private func hex(_ text: String) -> [UInt8] {
    (try? MultibaseEncoding.base16.decode(text)) ?? []
}

/// multiaddr.md §6 and §7, every row.
@Suite struct MultiaddrSpecTests {
    static let valid: [(String, String)] = [
        ("/ip4/192.0.2.42/tcp/443", "04c000022a0601bb"),
        ("/ip4/127.0.0.1/udp/1234", "047f000001910204d2"),
        ("/ip4/127.0.0.1/tcp/4321", "047f0000010610e1"),
        ("/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321", "047f000001910204d2047f0000010610e1"),
        ("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1"),
        ("/ip4/0.0.0.0/tcp/0", "0400000000060000"),
        ("/ip4/127.0.0.1/udp/1234/quic-v1", "047f000001910204d2cd03"),
        ("/ip6/::1/tcp/4001", "2900000000000000000000000000000001060fa1"),
        ("/ip6/2001:db8::1/udp/4001/quic-v1", "2920010db800000000000000000000000191020fa1cd03"),
        ("/ip6/::ffff:127.0.0.1/tcp/111", "2900000000000000000000ffff7f00000106006f"),
        ("/dns/example.com/tcp/443/wss", "350b6578616d706c652e636f6d0601bbde03"),
        ("/dns4/example.com/tcp/443/tls/ws", "360b6578616d706c652e636f6d0601bbc003dd03"),
        ("/dns6/example.com/tcp/80/ws", "370b6578616d706c652e636f6d060050dd03"),
        ("/dnsaddr/bootstrap.libp2p.io", "3813626f6f7473747261702e6c69627032702e696f"),
        ("/ip4/127.0.0.1/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
         "047f000001060fa1a5032212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9"),
        ("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
         "047f000001060fa1a503260024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b"),
        ("/ip4/192.0.2.0/tcp/5002/p2p/QmdPU7PfRyKehdrP5A3WqmjyD6bhVpU1mLGKppa2FjGDjZ/p2p-circuit/p2p/QmVT6GYwjeeAF5TR485Yc58S3xRF5EFsZ5YAF4VcP3URHt",
         "04c000020006138aa503221220df98100149311096b2d532b1dfa065a9835993b1e0accbb75c646aa70c31c8cca202a50322122069a831853dfca2f1bcc129355b213b4889439dbe7b2734d7b3ab6b2f4abd630b"),
        ("/p2p-circuit", "a202"),
        ("/memory/4", "89060000000000000004"),
        ("/unix/tmp/p2p.sock", "90030d2f746d702f7032702e736f636b"),
    ]

    @Test(arguments: valid)
    func textToBinaryAndBack(text: String, binary: String) throws {
        let fromText = try Multiaddr(text)
        #expect(fromText.bytes == hex(binary))
        #expect(fromText.description == text)
        let fromBinary = try Multiaddr(bytes: hex(binary))
        #expect(fromBinary == fromText)
        #expect(fromBinary.components == fromText.components)
        #expect(fromBinary.description == text)
    }

    /// Accepted by go-multiaddr, no hex in the spec: text, and how it prints back.
    static let validWithoutHex: [(String, String)] = [
        ("/ip4/1.2.3.4", "/ip4/1.2.3.4"),
        ("/ip6/::1", "/ip6/::1"),
        ("/udp/0", "/udp/0"),
        ("/tcp/65535", "/tcp/65535"),
        ("/ip6zone/x/ip6/fe80::1", "/ip6zone/x/ip6/fe80::1"),
        ("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"),
        ("/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"),
        ("/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"),
        ("/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"),
        ("/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV", "/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV"),
        ("/p2p/k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs", "/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV"),
        ("/ip4/127.0.0.1/tcp/127/tls/ws", "/ip4/127.0.0.1/tcp/127/tls/ws"),
        ("/ip4/127.0.0.1/tcp/127/wss", "/ip4/127.0.0.1/tcp/127/wss"),
        ("/ip4/127.0.0.1/tcp/127/noise", "/ip4/127.0.0.1/tcp/127/noise"),
        // The certhash value is kept as a multihash and printed in base64url, as go does.
        ("/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy",
         "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/u1QEQOFj2IjCsPJFfMAxmQxLGPw"),
        ("/unix/a/b/c/d/e", "/unix/a/b/c/d/e"),
        ("/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f", "/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f"),
        ("/ip4/127.0.0.1/tcp/1234/", "/ip4/127.0.0.1/tcp/1234"),
    ]

    @Test(arguments: validWithoutHex)
    func acceptsAndPrintsCanonically(text: String, printed: String) throws {
        let address = try Multiaddr(text)
        #expect(address.description == printed)
        #expect(try Multiaddr(printed) == address)
        #expect(try Multiaddr(bytes: address.bytes) == address)
    }

    @Test func legacyIPFSNameHasTheSameBytes() throws {
        let ipfs = try Multiaddr("/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")
        let p2p = try Multiaddr("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")
        #expect(ipfs.bytes == p2p.bytes)
        #expect(ipfs.bytes.prefix(2) == [0xa5, 0x03])
    }

    @Test func unixPathKeepsItsLeadingSlash() throws {
        let address = try Multiaddr("/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f")
        #expect(address.components.last == .unix(path: "/a/b/c/d/e/f"))
        #expect(try Multiaddr("/unix/a//b").components == [.unix(path: "/a//b")])
    }

    // MARK: §7, must fail

    @Test(arguments: [
        ("", MultiaddrError.empty),
        ("/", .empty),
        ("//", .empty),
        ("ip4/1.2.3.4", .missingLeadingSlash),
        ("/ip4", .missingValue(protocol: "ip4", offset: 1)),
        ("/ip6", .missingValue(protocol: "ip6", offset: 1)),
        ("/tcp", .missingValue(protocol: "tcp", offset: 1)),
        ("/udp", .missingValue(protocol: "udp", offset: 1)),
        ("/p2p", .missingValue(protocol: "p2p", offset: 1)),
        ("/unix", .missingValue(protocol: "unix", offset: 1)),
        ("/ip6zone", .missingValue(protocol: "ip6zone", offset: 1)),
        ("/ip6zone/", .missingValue(protocol: "ip6zone", offset: 1)),
        ("/ip4/1.2.3.4/tcp/80/unix", .missingValue(protocol: "unix", offset: 20)),
        ("/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash", .missingValue(protocol: "certhash", offset: 45)),
        ("/ip4/127.0.0.1/quic-v1/1234", .unknownProtocol(name: "1234", offset: 23)),
        ("/quic-v1/65536", .unknownProtocol(name: "65536", offset: 9)),
        ("/ip4/127.0.0.1/tcp/9090/http/p2p-webcrt-direct", .unknownProtocol(name: "p2p-webcrt-direct", offset: 29)),
        ("/tcp/1//ws", .unknownProtocol(name: "", offset: 7)),
    ])
    func rejectsStructurally(text: String, expected: MultiaddrError) {
        #expect(throws: expected) { try Multiaddr(text) }
    }

    @Test(arguments: [
        ("/ip4/::1", "ip4", "::1", 5, "IPv4"),
        ("/ip4/fdpsofodsajfdoisa", "ip4", "fdpsofodsajfdoisa", 5, "IPv4"),
        ("/ip4/198.51.100", "ip4", "198.51.100", 5, "IPv4"),
        ("/udp/65536", "udp", "65536", 5, "out of range"),
        ("/tcp/65536", "tcp", "65536", 5, "out of range"),
        ("/ip4/1.2.3.4/tcp/-1", "tcp", "-1", 17, "not a decimal"),
        ("/ip4/127.0.0.1/tcp/jfodsajfidosajfoidsa", "tcp", "jfodsajfidosajfoidsa", 19, "not a decimal"),
        ("/ip4/127.0.0.1/udp/jfodsajfidosajfoidsa", "udp", "jfodsajfidosajfoidsa", 19, "not a decimal"),
        ("/ip4/127.0.0.1/p2p/tcp", "p2p", "tcp", 19, "multibase"),
        ("/ip4/127.0.0.1/ipfs/tcp", "p2p", "tcp", 20, "multibase"),
        ("/ip6zone//ip6/fe80::1", "ip6zone", "", 9, "empty"),
        ("/p2p/QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY", "p2p", "QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY", 5, "33-byte digest"),
        ("/p2p/k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z", "p2p", "k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z", 5, "codec 0x70"),
        ("/p2p/?unknownmultibase", "p2p", "?unknownmultibase", 5, "unknown multibase prefix"),
    ] as [(String, String, String, Int, String)])
    func rejectsBadValues(text: String, proto: String, value: String, offset: Int, reason: String) {
        expectMultiaddrInvalidValue(try Multiaddr(text), proto: proto, value: value, offset: offset, reason: reason)
    }

    @Test func rejectsMalformedP2PMultihashInBinary() {
        // go TestInvalidP2PAddrBytes: digest length 0x21 declared, 32 bytes present.
        let value = "1221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6"
        expectMultiaddrInvalidValue(
            try Multiaddr(bytes: hex("a50322" + value)), proto: "p2p", value: value, offset: 3,
            reason: "declares a 33-byte digest")
    }
}

/// Checks the error is `.invalidValue` with these fields; the reason only has to mention `reason`.
func expectMultiaddrInvalidValue(
    _ body: @autoclosure () throws(MultiaddrError) -> Multiaddr,
    proto: String, value: String, offset: Int, reason: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let parsed = try body()
        Issue.record("parsed as \(parsed)", sourceLocation: sourceLocation)
    } catch {
        guard case .invalidValue(let gotProto, let gotValue, let gotOffset, let gotReason) = error else {
            Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(gotProto == proto, sourceLocation: sourceLocation)
        #expect(gotValue == value, sourceLocation: sourceLocation)
        #expect(gotOffset == offset, sourceLocation: sourceLocation)
        #expect(gotReason.contains(reason), "reason: \(gotReason)", sourceLocation: sourceLocation)
        #expect(error.description.contains(gotReason), sourceLocation: sourceLocation)
    }
}
