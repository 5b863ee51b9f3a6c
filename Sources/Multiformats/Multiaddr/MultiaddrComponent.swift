/// One `/<protocol>[/<value>]` step of a multiaddr, with its value already parsed.
public enum MultiaddrComponent: Sendable, Hashable, CustomStringConvertible {
    case ip4(IPv4Address)
    case ip6(IPv6Address)
    /// IPv6 zone (interface) for the following `/ip6/`; non-empty, no `/`.
    case ip6zone(String)
    case tcp(UInt16)
    case udp(UInt16)
    case dns(String)
    case dns4(String)
    case dns6(String)
    case dnsaddr(String)
    /// Peer identity; text `/p2p/<base58>` (legacy `/ipfs/` is read as this too).
    case p2p(PeerID)
    /// QUIC draft-29 (obsolete, kept so such addresses still parse).
    case quic
    case quicV1
    case webtransport
    /// A certificate hash (a multihash); printed as base64url multibase, as go does.
    case certhash(Multihash)
    case ws
    /// Deprecated spelling of `/tls/ws`; different bytes, same meaning.
    case wss
    case tls
    /// TLS server name indication host name; non-empty, no `/`.
    case sni(String)
    case noise
    case http
    case p2pCircuit
    /// A filesystem path including its leading `/` (go semantics: `/unix/tmp/a.sock` holds
    /// `/tmp/a.sock`). Nothing may follow it.
    case unix(path: String)
    case memory(UInt64)

    public var `protocol`: MultiaddrProtocol {
        switch self {
        case .ip4: .ip4
        case .ip6: .ip6
        case .ip6zone: .ip6zone
        case .tcp: .tcp
        case .udp: .udp
        case .dns: .dns
        case .dns4: .dns4
        case .dns6: .dns6
        case .dnsaddr: .dnsaddr
        case .p2p: .p2p
        case .quic: .quic
        case .quicV1: .quicV1
        case .webtransport: .webtransport
        case .certhash: .certhash
        case .ws: .ws
        case .wss: .wss
        case .tls: .tls
        case .sni: .sni
        case .noise: .noise
        case .http: .http
        case .p2pCircuit: .p2pCircuit
        case .unix: .unix
        case .memory: .memory
        }
    }

    /// The value's binary form, without code or length prefix; empty for value-less protocols.
    public var valueBytes: [UInt8] {
        switch self {
        case .ip4(let address): address.bytes
        case .ip6(let address): address.bytes
        case .tcp(let port), .udp(let port): [UInt8(truncatingIfNeeded: port >> 8), UInt8(truncatingIfNeeded: port)]
        case .memory(let value): (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
        case .ip6zone(let text), .dns(let text), .dns4(let text), .dns6(let text), .dnsaddr(let text),
            .sni(let text), .unix(let text):
            Array(text.utf8)
        case .p2p(let peer): peer.bytes
        case .certhash(let multihash): multihash.bytes
        case .quic, .quicV1, .webtransport, .ws, .wss, .tls, .noise, .http, .p2pCircuit: []
        }
    }

    /// The value's text form; `nil` for value-less protocols.
    public var valueText: String? {
        switch self {
        case .ip4(let address): address.description
        case .ip6(let address): address.description
        case .tcp(let port), .udp(let port): String(port)
        case .memory(let value): String(value)
        case .ip6zone(let text), .dns(let text), .dns4(let text), .dns6(let text), .dnsaddr(let text),
            .sni(let text), .unix(let text):
            text
        case .p2p(let peer): peer.base58
        case .certhash(let multihash): Multibase.encode(multihash.bytes, as: .base64url)
        case .quic, .quicV1, .webtransport, .ws, .wss, .tls, .noise, .http, .p2pCircuit: nil
        }
    }

    /// Appends the binary component (code, length prefix if any, value) to `bytes`.
    func encode(into bytes: inout [UInt8]) {
        UVarint.encode(self.protocol.code, into: &bytes)
        let value = valueBytes
        switch self.protocol.valueShape {
        case .lengthPrefixed, .path: UVarint.encode(UInt64(value.count), into: &bytes)
        case .none, .fixed: break
        }
        bytes.append(contentsOf: value)
    }

    /// Text form: `/name` or `/name/value`. A unix path already starts with `/`.
    public var description: String {
        guard let value = valueText else { return "/" + self.protocol.name }
        if case .unix = self { return "/unix" + value }
        return "/" + self.protocol.name + "/" + value
    }

    // Equality follows the binary form: Swift's `String ==` treats canonically equivalent
    // Unicode as equal, which would make two different byte strings compare equal.
    public static func == (lhs: MultiaddrComponent, rhs: MultiaddrComponent) -> Bool {
        lhs.protocol == rhs.protocol && lhs.valueBytes == rhs.valueBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.protocol)
        hasher.combine(valueBytes)
    }
}
