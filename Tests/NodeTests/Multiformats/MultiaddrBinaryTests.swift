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

/// Hostile binary input: every failure is a specific `MultiaddrError`, never a crash.
@Suite struct MultiaddrBinaryTests {
    @Test(arguments: [
        ("", MultiaddrError.empty),
        ("7f", .unknownCode(code: 0x7f, offset: 0)),
        ("047f000001ff01", .unknownCode(code: 0xff, offset: 5)),
        ("a5", .truncatedVarint(protocol: nil, offset: 0)),
        ("047f000001a503", .truncatedVarint(protocol: "p2p", offset: 7)),
        ("a50380", .truncatedVarint(protocol: "p2p", offset: 2)),
        ("8400", .invalidVarint(protocol: nil, offset: 0, .nonMinimal(byteCount: 2))),
        ("ffffffffffffffffffff", .invalidVarint(protocol: nil, offset: 0, .tooLong)),
        ("358100", .invalidVarint(protocol: "dns", offset: 1, .nonMinimal(byteCount: 2))),
        ("047f00", .truncated(protocol: "ip4", offset: 1, needed: 4, available: 2)),
        ("060f", .truncated(protocol: "tcp", offset: 1, needed: 2, available: 1)),
        ("29000000", .truncated(protocol: "ip6", offset: 1, needed: 16, available: 3)),
        ("8906000000", .truncated(protocol: "memory", offset: 2, needed: 8, available: 3)),
        ("350b6578", .truncated(protocol: "dns", offset: 2, needed: 11, available: 2)),
        ("35ffffffffffffffff7f", .truncated(protocol: "dns", offset: 10, needed: UVarint.maxValue, available: 0)),
        ("a503ff7f1220", .truncated(protocol: "p2p", offset: 4, needed: 16383, available: 2)),
        ("90030d2f746d702f7032702e736f636b060050", .componentAfterPath(pathProtocol: "unix", offset: 16)),
        ("90030d2f746d702f7032702e736f636ba202", .componentAfterPath(pathProtocol: "unix", offset: 16)),
    ])
    func rejects(binary: String, expected: MultiaddrError) {
        #expect(throws: expected) { try Multiaddr(bytes: hex(binary)) }
        #expect(!expected.description.isEmpty)
    }

    @Test(arguments: [
        // py-multiaddr 0.2.0 drops the leading slash of unix paths; go semantics keep it.
        ("90030c746d702f7032702e736f636b", "unix", "746d702f7032702e736f636b", 3, "start with '/'"),
        ("9003032f612f", "unix", "2f612f", 3, "end with '/'"),
        ("9003012f", "unix", "2f", 3, "empty"),
        ("3500", "dns", "", 2, "empty"),
        ("3503612f62", "dns", "612f62", 2, "'/'"),
        ("3601ff", "dns4", "ff", 2, "UTF-8"),
        ("2a00", "ip6zone", "", 2, "empty"),
        ("a50300", "p2p", "", 3, "empty multihash"),
        ("a50313d501103858f62230ac3c915f300c664312c63f", "p2p", "d501103858f62230ac3c915f300c664312c63f", 3, "neither identity nor sha2-256"),
        ("a503231221000000000000000000000000000000000000000000000000000000000000000000",
         "p2p", "1221000000000000000000000000000000000000000000000000000000000000000000", 3, "32-byte digest"),
        ("d2030112", "certhash", "12", 3, "ends inside"),
    ] as [(String, String, String, Int, String)])
    func rejectsBadValues(binary: String, proto: String, value: String, offset: Int, reason: String) {
        expectMultiaddrInvalidValue(
            try Multiaddr(bytes: hex(binary)), proto: proto, value: value, offset: offset, reason: reason)
    }

    /// Every prefix of a valid address either is itself a valid address with exactly those
    /// bytes (cut at a component boundary) or fails with a typed error.
    @Test(arguments: MultiaddrSpecTests.valid)
    func everyTruncationIsHandled(text: String, binary: String) {
        let bytes = hex(binary)
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            do {
                let parsed = try Multiaddr(bytes: prefix)
                #expect(parsed.bytes == prefix)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// Random bytes with a valid address at the front: decoding must terminate with a value that
    /// re-encodes to the same bytes, or with a typed error.
    @Test func randomInputNeverCrashes() {
        var generator = SplitMix(seed: 0x5eed)
        let seeds = MultiaddrSpecTests.valid.map { hex($0.1) }
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = round % 2 == 0 ? seeds[round % seeds.count] : []
            let extra = Int(generator.next() % 24)
            for _ in 0..<extra { bytes.append(UInt8(truncatingIfNeeded: generator.next())) }
            if !bytes.isEmpty, round % 3 == 0 {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                let parsed = try Multiaddr(bytes: bytes)
                #expect(parsed.bytes == bytes)
                #expect(try Multiaddr(parsed.description) == parsed)
                accepted += 1
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted > 0)
    }

    /// Random text assembled from protocol names and odd values never crashes either.
    @Test func randomTextNeverCrashes() {
        var generator = SplitMix(seed: 42)
        let names = MultiaddrProtocol.allCases.map(\.name) + ["ipfs", "", "foo"]
        let values = ["1", "65536", "::1", "1.2.3.4", "fe80::1", "x", "", "/", "é", "99999999999999999999",
                      "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "uEi", "b2uaraocy6yrdblb4sfptaddgimjmmpy"]
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 6) {
                text += "/" + names[Int(generator.next() % UInt64(names.count))]
                if generator.next() % 2 == 0 { text += "/" + values[Int(generator.next() % UInt64(values.count))] }
            }
            do {
                let parsed = try Multiaddr(text)
                #expect(try Multiaddr(parsed.description) == parsed)
                #expect(try Multiaddr(bytes: parsed.bytes) == parsed)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
