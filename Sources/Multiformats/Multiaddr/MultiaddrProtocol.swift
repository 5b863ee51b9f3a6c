/// The multiaddr protocols this node understands (multiaddr.md §2): name, code and value shape.
public enum MultiaddrProtocol: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ip4
    case tcp
    case udp
    case ip6
    case ip6zone
    case dns
    case dns4
    case dns6
    case dnsaddr
    case p2pCircuit
    case unix
    case p2p
    case tls
    case sni
    case noise
    case quic
    case quicV1
    case webtransport
    case certhash
    case ws
    case wss
    case http
    case memory

    /// How a protocol's value is written in binary.
    enum ValueShape: Equatable {
        /// No value.
        case none
        /// Exactly this many bytes, no length prefix.
        case fixed(Int)
        /// A uvarint byte length, then the bytes.
        case lengthPrefixed
        /// Length-prefixed in binary; in text it takes the whole rest of the string.
        case path
    }

    /// The multicodec code.
    public var code: UInt64 {
        switch self {
        case .ip4: 0x04
        case .tcp: 0x06
        case .udp: 0x0111
        case .ip6: 0x29
        case .ip6zone: 0x2a
        case .dns: 0x35
        case .dns4: 0x36
        case .dns6: 0x37
        case .dnsaddr: 0x38
        case .p2pCircuit: 0x0122
        case .unix: 0x0190
        case .p2p: 0x01a5
        case .tls: 0x01c0
        case .sni: 0x01c1
        case .noise: 0x01c6
        case .quic: 0x01cc
        case .quicV1: 0x01cd
        case .webtransport: 0x01d1
        case .certhash: 0x01d2
        case .ws: 0x01dd
        case .wss: 0x01de
        case .http: 0x01e0
        case .memory: 0x0309
        }
    }

    /// The text name (what appears between slashes).
    public var name: String {
        switch self {
        case .ip4: "ip4"
        case .tcp: "tcp"
        case .udp: "udp"
        case .ip6: "ip6"
        case .ip6zone: "ip6zone"
        case .dns: "dns"
        case .dns4: "dns4"
        case .dns6: "dns6"
        case .dnsaddr: "dnsaddr"
        case .p2pCircuit: "p2p-circuit"
        case .unix: "unix"
        case .p2p: "p2p"
        case .tls: "tls"
        case .sni: "sni"
        case .noise: "noise"
        case .quic: "quic"
        case .quicV1: "quic-v1"
        case .webtransport: "webtransport"
        case .certhash: "certhash"
        case .ws: "ws"
        case .wss: "wss"
        case .http: "http"
        case .memory: "memory"
        }
    }

    public var description: String { name }

    var valueShape: ValueShape {
        switch self {
        case .ip4: .fixed(4)
        case .tcp, .udp: .fixed(2)
        case .ip6: .fixed(16)
        case .memory: .fixed(8)
        case .ip6zone, .dns, .dns4, .dns6, .dnsaddr, .p2p, .sni, .certhash: .lengthPrefixed
        case .unix: .path
        case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http: .none
        }
    }

    /// Whether the protocol carries a value.
    public var hasValue: Bool { valueShape != .none }

    /// Looks up a text name; `ipfs` is the legacy name of `p2p`.
    public init?(name: some StringProtocol) {
        if name == "ipfs" {
            self = .p2p
            return
        }
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public init?(code: UInt64) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}
