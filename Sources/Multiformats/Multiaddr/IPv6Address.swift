/// An IPv6 address (the `/ip6/` value): 16 bytes in network order.
///
/// Text output is canonical RFC 5952 (lower-case hex, no leading zeros, the longest run of two
/// or more zero groups — the first on a tie — written as `::`), except that IPv4-mapped
/// addresses print as `::ffff:a.b.c.d`, as go-multiaddr does.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 and 8–15 as big-endian integers.
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Sixteen bytes in network order; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        high = bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes.dropFirst(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// RFC 4291 text: eight hex groups, at most one `::`, optionally a dotted IPv4 tail.
    /// Zones (`%eth0`) are not part of an address; multiaddr carries them in `/ip6zone/`.
    public init?(_ text: some StringProtocol) {
        guard let groups = Self.parseGroups(Array(text.utf8)) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for group in groups {
            bytes.append(UInt8(truncatingIfNeeded: group >> 8))
            bytes.append(UInt8(truncatingIfNeeded: group))
        }
        self.init(bytes: bytes)
    }

    /// The `::ffff:a.b.c.d` form of `address`.
    public init(ipv4Mapped address: IPv4Address) {
        high = 0
        low = 0xffff_0000_0000 | UInt64(address.value)
    }

    public static let loopback = IPv6Address(high: 0, low: 1)
    public static let unspecified = IPv6Address(high: 0, low: 0)

    public var bytes: [UInt8] {
        (0..<16).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> UInt64(8 * (7 - index % 8)))
        }
    }

    /// The embedded IPv4 address of an IPv4-mapped address (`::ffff:0:0/96`).
    public var ipv4Mapped: IPv4Address? {
        guard high == 0, low >> 32 == 0xffff else { return nil }
        return IPv4Address(value: UInt32(truncatingIfNeeded: low))
    }

    public var isLoopback: Bool { self == .loopback }
    public var isUnspecified: Bool { self == .unspecified }
    /// fe80::/10.
    public var isLinkLocal: Bool { high >> 54 == 0b1111_1110_10 }

    private var groups: [UInt16] {
        (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(16 * (3 - index % 4)))
        }
    }

    public var description: String {
        if let mapped = ipv4Mapped { return "::ffff:\(mapped)" }
        let groups = self.groups
        // Longest run of zero groups; RFC 5952 §4.2.2 forbids compressing a single one.
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8, groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// The eight 16-bit groups of `text`, or `nil` if it is not an IPv6 address.
    private static func parseGroups(_ text: [UInt8]) -> [UInt16]? {
        let colon = UInt8(ascii: ":")
        // Longest valid text: 8 groups of 4 digits + 7 colons, or 6 groups + IPv4 tail.
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        var index = 0
        if text.starts(with: [colon, colon]) {
            compressed = true
            index = 2
        }
        while index < text.count {
            let start = index
            while index < text.count, hexValue(text[index]) != nil { index += 1 }
            if index < text.count, text[index] == UInt8(ascii: ".") {
                // Dotted IPv4 tail: fills the last two groups and must end the text.
                guard let ipv4 = IPv4Address.parse(text[start...]) else { return nil }
                let groupsSoFar = head.count + tail.count
                guard groupsSoFar <= 6 else { return nil }
                if compressed {
                    tail += [UInt16(ipv4 >> 16), UInt16(truncatingIfNeeded: ipv4)]
                } else {
                    head += [UInt16(ipv4 >> 16), UInt16(truncatingIfNeeded: ipv4)]
                }
                index = text.count
                break
            }
            let digits = index - start
            guard (1...4).contains(digits) else { return nil }
            let group = text[start..<index].reduce(UInt16(0)) { $0 << 4 | UInt16(hexValue($1) ?? 0) }
            if compressed { tail.append(group) } else { head.append(group) }
            guard index < text.count else { break }
            guard text[index] == colon else { return nil }
            index += 1
            if index < text.count, text[index] == colon {
                guard !compressed else { return nil }
                compressed = true
                index += 1
            } else if index == text.count {
                return nil  // a single trailing colon
            }
        }
        let count = head.count + tail.count
        if compressed {
            // `::` stands for at least one zero group.
            guard count <= 7 else { return nil }
            return head + [UInt16](repeating: 0, count: 8 - count) + tail
        }
        guard count == 8 else { return nil }
        return head
    }

    private static func hexValue(_ ascii: UInt8) -> UInt8? {
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): ascii - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): ascii - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): ascii - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
