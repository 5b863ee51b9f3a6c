/// Text form → components: `/<name>[/<value>]…`, a path protocol (`unix`) taking the rest of the
/// string including its leading `/`. Trailing slashes are ignored, as go-multiaddr does.
enum MultiaddrTextParser {
    static func parse(_ text: String) throws(MultiaddrError) -> [MultiaddrComponent] {
        let utf8 = Array(text.utf8)
        let slash = UInt8(ascii: "/")
        guard !utf8.isEmpty else { throw .empty }
        guard utf8[0] == slash else { throw .missingLeadingSlash }
        var end = utf8.count
        while end > 0, utf8[end - 1] == slash { end -= 1 }
        guard end > 0 else { throw .empty }

        // Byte ranges of the tokens between slashes (splitting at an ASCII byte keeps UTF-8 intact).
        var tokens: [Range<Int>] = []
        var tokenStart = 1
        for index in 1...end where index == end || utf8[index] == slash {
            tokens.append(tokenStart..<index)
            tokenStart = index + 1
        }

        var components: [MultiaddrComponent] = []
        var next = 0
        while next < tokens.count {
            let nameRange = tokens[next]
            next += 1
            let name = String(decoding: utf8[nameRange], as: UTF8.self)
            guard let proto = MultiaddrProtocol(name: name) else {
                throw .unknownProtocol(name: name, offset: nameRange.lowerBound)
            }
            let valueRange: Range<Int>
            switch proto.valueShape {
            case .none:
                components.append(valueless(proto))
                continue
            case .path:
                guard next < tokens.count else { throw .missingValue(protocol: proto.name, offset: nameRange.lowerBound) }
                valueRange = (tokens[next].lowerBound - 1)..<end
                next = tokens.count
            case .fixed, .lengthPrefixed:
                guard next < tokens.count else { throw .missingValue(protocol: proto.name, offset: nameRange.lowerBound) }
                valueRange = tokens[next]
                next += 1
            }
            let value = String(decoding: utf8[valueRange], as: UTF8.self)
            do {
                components.append(try MultiaddrComponent.parse(proto, text: Substring(value)))
            } catch {
                throw .invalidValue(protocol: proto.name, value: value, offset: valueRange.lowerBound, reason: error.reason)
            }
        }
        return components
    }

    static func valueless(_ proto: MultiaddrProtocol) -> MultiaddrComponent {
        switch proto {
        case .p2pCircuit: .p2pCircuit
        case .tls: .tls
        case .noise: .noise
        case .quic: .quic
        case .quicV1: .quicV1
        case .webtransport: .webtransport
        case .ws: .ws
        case .wss: .wss
        case .http: .http
        case .ip4, .tcp, .udp, .ip6, .ip6zone, .dns, .dns4, .dns6, .dnsaddr, .unix, .p2p, .sni, .certhash, .memory:
            preconditionFailure("/\(proto) needs a value")
        }
    }
}
