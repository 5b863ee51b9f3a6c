/// Which addresses a `/dns*` component asks for.
public enum DNSAddressFamily: Sendable, Hashable {
    /// `/dns`: A and AAAA.
    case any
    /// `/dns4`: A only.
    case ipv4
    /// `/dns6`: AAAA only.
    case ipv6
}

/// One question the resolution of a multiaddr needs answered.
public enum DNSQuestion: Sendable, Hashable, CustomStringConvertible {
    case addresses(name: String, family: DNSAddressFamily)
    /// TXT records of a name (`_dnsaddr.<name>` for `/dnsaddr`).
    case txt(name: String)

    public var name: String {
        switch self {
        case .addresses(let name, _), .txt(let name): return name
        }
    }

    /// `A+AAAA localhost`, `A example.org`, `TXT _dnsaddr.example.org`.
    public var description: String {
        switch self {
        case .addresses(let name, .any): return "A+AAAA \(name)"
        case .addresses(let name, .ipv4): return "A \(name)"
        case .addresses(let name, .ipv6): return "AAAA \(name)"
        case .txt(let name): return "TXT \(name)"
        }
    }
}
