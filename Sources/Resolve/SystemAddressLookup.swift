import Glibc
import Multiformats

/// getaddrinfo, so names in /etc/hosts (`localhost`) resolve as every other program on the machine sees them.
enum SystemAddressLookup {
    // glibc's EAI_NODATA and EAI_ADDRFAMILY (GNU extensions the Glibc module does not export).
    private static let eaiNoData: Int32 = -5
    private static let eaiAddressFamily: Int32 = -9

    static func addresses(of name: String, family: DNSAddressFamily, limit: Int) -> Result<DNSAnswer, DNSQueryError> {
        var hints = addrinfo()
        hints.ai_family = switch family {
        case .any: AF_UNSPEC
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        }
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0 else {
            switch status {
            case EAI_NONAME: return .failure(.nameNotFound(name))
            case eaiNoData, eaiAddressFamily:
                return .failure(.noRecords(name, type: family == .ipv6 ? "AAAA" : family == .ipv4 ? "A" : "A or AAAA"))
            case EAI_AGAIN: return .failure(.serverFailure(name, detail: "temporary failure (EAI_AGAIN)"))
            default:
                return .failure(.serverFailure(name, detail: String(cString: gai_strerror(status))))
            }
        }
        var found: [ResolvedIPAddress] = []
        var seen = 0
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ai_next }
            guard let socketAddress = current.pointee.ai_addr else { continue }
            let address: ResolvedIPAddress?
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    .v4(IPv4Address(value: UInt32(bigEndian: pointer.pointee.sin_addr.s_addr)))
                }
            case AF_INET6:
                address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    let bytes = withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    return IPv6Address(bytes: bytes).map(ResolvedIPAddress.v6)
                }
            default:
                address = nil
            }
            guard let address, !found.contains(address) else { continue }
            seen += 1
            if seen > limit { return .failure(.tooManyRecords(name, type: "address", count: seen, limit: limit)) }
            found.append(address)
        }
        return .success(.addresses(found))
    }
}
