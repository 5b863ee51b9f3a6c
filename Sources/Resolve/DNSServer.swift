import Multiformats

/// Who answers DNS questions.
public enum DNSServer: Sendable, Hashable, CustomStringConvertible {
    /// The system's resolver: getaddrinfo for addresses (so /etc/hosts names such as `localhost` work),
    /// the servers of /etc/resolv.conf for TXT.
    case system
    /// One server asked directly (`--dns-server IP:PORT`), for every question.
    case server(IPv4Address, port: UInt16)

    /// Parses `IP:PORT` (or `IP`, port 53).
    public init(parsing text: String) throws(DNSServerParseError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw DNSServerParseError(text: text, reason: "expected IPv4:PORT (IPv6 servers are not supported by the resolver used)")
        }
        guard let address = IPv4Address(parts[0]) else {
            throw DNSServerParseError(text: text, reason: "'\(parts[0])' is not an IPv4 address")
        }
        var port: UInt16 = 53
        if parts.count == 2 {
            guard let value = UInt16(parts[1]), value > 0 else {
                throw DNSServerParseError(text: text, reason: "'\(parts[1])' is not a port 1–65535")
            }
            port = value
        }
        self = .server(address, port: port)
    }

    public var description: String {
        switch self {
        case .system: return "system resolver"
        case .server(let address, let port): return "\(address):\(port)"
        }
    }
}

public struct DNSServerParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "bad DNS server '\(text)': \(reason)" }
}
