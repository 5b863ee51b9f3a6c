/// An IPv4 address (the `/ip4/` value): four octets in network order.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address as a big-endian integer (`127.0.0.1` = `0x7f00_0001`).
    public let value: UInt32

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public init(value: UInt32) {
        self.value = value
    }

    /// Four bytes in network order; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Strict dotted-quad text: four decimal octets 0–255, no leading zeros (as Go since 1.17,
    /// because some parsers read them as octal).
    public init?(_ text: some StringProtocol) {
        guard let parsed = Self.parse(Array(text.utf8)[...]) else { return nil }
        value = parsed
    }

    static func parse(_ text: ArraySlice<UInt8>) -> UInt32? {
        let octets = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var result: UInt32 = 0
        for octet in octets {
            guard (1...3).contains(octet.count),
                octet.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                octet.count == 1 || octet.first != UInt8(ascii: "0")
            else { return nil }
            let value = octet.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard value <= 255 else { return nil }
            result = result << 8 | value
        }
        return result
    }

    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public var description: String {
        bytes.map { String($0) }.joined(separator: ".")
    }

    /// 127.0.0.0/8.
    public var isLoopback: Bool { value >> 24 == 127 }
    /// 0.0.0.0.
    public var isUnspecified: Bool { value == 0 }
}
