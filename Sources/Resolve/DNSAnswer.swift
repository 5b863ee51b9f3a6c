import Multiformats

/// An IP address that came back for a name.
public enum ResolvedIPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    var component: MultiaddrComponent {
        switch self {
        case .v4(let address): return .ip4(address)
        case .v6(let address): return .ip6(address)
        }
    }

    public var description: String {
        switch self {
        case .v4(let address): return address.description
        case .v6(let address): return address.description
        }
    }
}

/// What a DNS question got: addresses, or the TXT records (each record's strings joined, as dnsaddr
/// readers do).
public enum DNSAnswer: Sendable, Hashable {
    case addresses([ResolvedIPAddress])
    case txt([String])

    var recordCount: Int {
        switch self {
        case .addresses(let addresses): return addresses.count
        case .txt(let records): return records.count
        }
    }
}
