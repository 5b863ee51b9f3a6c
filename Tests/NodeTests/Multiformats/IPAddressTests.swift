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

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  // first of two equal runs
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),  // the longer run wins
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group stays
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("fe80::1", "fe80::1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("::FFFF:1.2.3.4", "::ffff:1.2.3.4"),
        ("::1.2.3.4", "::102:304"),  // IPv4-compatible (deprecated) prints as hex, like Go
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("0:0:0:0:0:0:0:0", "::"),
    ])
    func printsIPv6Canonically(input: String, canonical: String) throws {
        let address = try #require(IPv6Address(input))
        #expect(address.description == canonical)
        #expect(IPv6Address(canonical) == address)
        #expect(IPv6Address(bytes: address.bytes) == address)
    }

    @Test(arguments: [
        "", ":", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", "12345::", "1:", ":1",
        "fe80::1%eth0", "::ffff:1.2.3", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "g::1", "1.2.3.4",
        "1:2:3:4:5:6:7:8::", " ::1", "::1 ",
    ])
    func rejectsBadIPv6(input: String) {
        #expect(IPv6Address(input) == nil)
    }

    @Test func ipv6Classification() throws {
        #expect(try #require(IPv6Address("::1")).isLoopback)
        #expect(try #require(IPv6Address("::")).isUnspecified)
        #expect(try #require(IPv6Address("fe80::abcd")).isLinkLocal)
        #expect(try #require(IPv6Address("febf::1")).isLinkLocal)
        #expect(try #require(IPv6Address("fec0::1")).isLinkLocal == false)
        #expect(IPv6Address(ipv4Mapped: IPv4Address(127, 0, 0, 1)).description == "::ffff:127.0.0.1")
        #expect(try #require(IPv6Address("::ffff:10.0.0.1")).ipv4Mapped == IPv4Address(10, 0, 0, 1))
        #expect(try #require(IPv6Address("::1")).ipv4Mapped == nil)
    }

    @Test func parsesAndPrintsIPv4() throws {
        let address = try #require(IPv4Address("192.0.2.42"))
        #expect(address.bytes == [192, 0, 2, 42])
        #expect(address.value == 0xc000_022a)
        #expect(address.description == "192.0.2.42")
        #expect(IPv4Address(bytes: [127, 0, 0, 1])?.isLoopback == true)
        #expect(IPv4Address("0.0.0.0")?.isUnspecified == true)
        #expect(IPv4Address("255.255.255.255")?.value == .max)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4", "1..2.3", " 1.2.3.4", "1.2.3.4 ",
        "1.2.3.-4", "a.b.c.d", "1234.1.1.1", "::1", "1.2.3.4/8",
    ])
    func rejectsBadIPv4(input: String) {
        #expect(IPv4Address(input) == nil)
    }
}
