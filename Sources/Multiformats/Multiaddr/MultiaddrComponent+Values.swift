/// Reading component values from text and from binary, with the rules of multiaddr.md §2–§5.
extension MultiaddrComponent {
    /// Why a value was refused; the caller adds protocol, value and position.
    struct InvalidValue: Error {
        let reason: String
    }

    /// Builds a component from the text value that followed `/<name>/`.
    static func parse(_ proto: MultiaddrProtocol, text value: Substring) throws(InvalidValue) -> MultiaddrComponent {
        switch proto {
        case .ip4:
            guard let address = IPv4Address(value) else { throw InvalidValue(reason: "not an IPv4 address") }
            return .ip4(address)
        case .ip6:
            guard let address = IPv6Address(value) else { throw InvalidValue(reason: "not an IPv6 address") }
            return .ip6(address)
        case .tcp:
            return .tcp(try parsePort(value))
        case .udp:
            return .udp(try parsePort(value))
        case .memory:
            guard value.utf8.allSatisfy(isDecimalDigit), let number = UInt64(value) else {
                throw InvalidValue(reason: "not a decimal number 0–\(UInt64.max)")
            }
            return .memory(number)
        case .ip6zone, .dns, .dns4, .dns6, .dnsaddr, .sni:
            return try named(proto, try validateName(String(value)))
        case .p2p:
            do {
                return .p2p(try PeerID(value))
            } catch {
                throw InvalidValue(reason: error.description)
            }
        case .certhash:
            let decoded: [UInt8]
            do {
                decoded = try Multibase.decode(value).bytes
            } catch {
                throw InvalidValue(reason: error.description)
            }
            return try parse(.certhash, bytes: decoded[...])
        case .unix:
            return .unix(path: try validatePath(String(value)))
        case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http:
            preconditionFailure("\(proto) takes no value")
        }
    }

    /// Builds a component from its binary value (fixed sizes already checked by the caller).
    static func parse(_ proto: MultiaddrProtocol, bytes value: ArraySlice<UInt8>) throws(InvalidValue) -> MultiaddrComponent {
        switch proto {
        case .ip4:
            guard let address = IPv4Address(bytes: value) else { throw InvalidValue(reason: "not 4 bytes") }
            return .ip4(address)
        case .ip6:
            guard let address = IPv6Address(bytes: value) else { throw InvalidValue(reason: "not 16 bytes") }
            return .ip6(address)
        case .tcp, .udp:
            guard value.count == 2 else { throw InvalidValue(reason: "not 2 bytes") }
            let port = UInt16(value[value.startIndex]) << 8 | UInt16(value[value.startIndex + 1])
            return proto == .tcp ? .tcp(port) : .udp(port)
        case .memory:
            guard value.count == 8 else { throw InvalidValue(reason: "not 8 bytes") }
            return .memory(value.reduce(0) { $0 << 8 | UInt64($1) })
        case .ip6zone, .dns, .dns4, .dns6, .dnsaddr, .sni:
            return try named(proto, try validateName(try utf8String(value)))
        case .p2p:
            do {
                return .p2p(try PeerID(multihash: value))
            } catch {
                throw InvalidValue(reason: error.description)
            }
        case .certhash:
            do {
                return .certhash(try Multihash(bytes: value))
            } catch {
                throw InvalidValue(reason: error.description)
            }
        case .unix:
            return .unix(path: try validatePath(try utf8String(value)))
        case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http:
            preconditionFailure("\(proto) takes no value")
        }
    }

    private static func named(_ proto: MultiaddrProtocol, _ name: String) throws(InvalidValue) -> MultiaddrComponent {
        switch proto {
        case .ip6zone: .ip6zone(name)
        case .dns: .dns(name)
        case .dns4: .dns4(name)
        case .dns6: .dns6(name)
        case .dnsaddr: .dnsaddr(name)
        case .sni: .sni(name)
        default: preconditionFailure("\(proto) does not carry a name")
        }
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Decimal 0–65535; leading zeros are accepted (Go's `strconv.Atoi` does), signs are not.
    private static func parsePort(_ text: Substring) throws(InvalidValue) -> UInt16 {
        var port = 0
        for byte in text.utf8 {
            guard isDecimalDigit(byte) else { throw InvalidValue(reason: "port is not a decimal number") }
            port = port * 10 + Int(byte - UInt8(ascii: "0"))
            guard port <= Int(UInt16.max) else { throw InvalidValue(reason: "port is out of range 0–65535") }
        }
        guard !text.isEmpty else { throw InvalidValue(reason: "port is empty") }
        return UInt16(port)
    }

    /// Host names and zones: non-empty, and no `/`, which would not survive the text form.
    private static func validateName(_ name: String) throws(InvalidValue) -> String {
        guard !name.isEmpty else { throw InvalidValue(reason: "must not be empty") }
        guard !name.utf8.contains(UInt8(ascii: "/")) else { throw InvalidValue(reason: "must not contain '/'") }
        return name
    }

    /// A unix path keeps its leading `/` and may not end in `/` (the text form drops trailing
    /// slashes, so such a path could not round-trip).
    private static func validatePath(_ path: String) throws(InvalidValue) -> String {
        guard path.utf8.first == UInt8(ascii: "/") else { throw InvalidValue(reason: "path must start with '/'") }
        guard path.utf8.count > 1 else { throw InvalidValue(reason: "path is empty") }
        guard path.utf8.last != UInt8(ascii: "/") else { throw InvalidValue(reason: "path must not end with '/'") }
        return path
    }

    private static func utf8String(_ bytes: ArraySlice<UInt8>) throws(InvalidValue) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        // Decoding replaces invalid sequences with U+FFFD, which changes the bytes.
        guard text.utf8.elementsEqual(bytes) else { throw InvalidValue(reason: "not valid UTF-8") }
        return text
    }
}
