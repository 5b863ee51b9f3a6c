/// A multiaddr: a sequence of self-describing address components such as
/// `/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…` (multiaddr.md).
///
/// The value holds both the parsed components and the canonical binary form; equality and
/// hashing use the binary form. Parsed left to right, read right to left: each component wraps
/// everything before it.
///
/// An empty multiaddr cannot be parsed from text or bytes, but `decapsulate` can produce one.
public struct Multiaddr: Sendable, Hashable, CustomStringConvertible {
    public let components: [MultiaddrComponent]
    /// The binary form (what identify, peer records and relays carry).
    public let bytes: [UInt8]

    /// Parses the text form.
    public init(_ text: String) throws(MultiaddrError) {
        try self.init(components: MultiaddrTextParser.parse(text))
    }

    /// Parses the binary form.
    public init(bytes: some Collection<UInt8>) throws(MultiaddrError) {
        try self.init(components: MultiaddrBinaryParser.parse(Array(bytes)))
    }

    /// Assembles components; only a path component (`unix`) in a non-final position is refused.
    public init(components: [MultiaddrComponent]) throws(MultiaddrError) {
        var bytes: [UInt8] = []
        for (index, component) in components.enumerated() {
            if index > 0, case .path = components[index - 1].protocol.valueShape {
                throw .componentAfterPath(pathProtocol: components[index - 1].protocol.name, offset: bytes.count)
            }
            component.encode(into: &bytes)
        }
        self.components = components
        self.bytes = bytes
    }

    /// The multiaddr with no components.
    public static let empty = Multiaddr(validatedPrefixOf: [], count: 0)

    /// The first `count` components of an already valid component list (a prefix of a valid
    /// multiaddr is always valid).
    private init(validatedPrefixOf components: [MultiaddrComponent], count: Int) {
        self.components = Array(components.prefix(count))
        var bytes: [UInt8] = []
        for component in self.components { component.encode(into: &bytes) }
        self.bytes = bytes
    }

    public var isEmpty: Bool { components.isEmpty }

    public var description: String {
        components.map(\.description).joined()
    }

    public static func == (lhs: Multiaddr, rhs: Multiaddr) -> Bool {
        lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }
}

// MARK: - Encapsulation

extension Multiaddr {
    /// `self` followed by `other`; fails only if `self` ends in a path component (`/unix/…`).
    public func encapsulate(_ other: Multiaddr) throws(MultiaddrError) -> Multiaddr {
        try Multiaddr(components: components + other.components)
    }

    /// `self` followed by `component`; fails only if `self` ends in a path component.
    public func encapsulate(_ component: MultiaddrComponent) throws(MultiaddrError) -> Multiaddr {
        try Multiaddr(components: components + [component])
    }

    /// Removes the last component of protocol `proto` and everything after it; returns `self`
    /// unchanged if there is none.
    public func decapsulate(protocol proto: MultiaddrProtocol) -> Multiaddr {
        guard let index = components.lastIndex(where: { $0.protocol == proto }) else { return self }
        return Multiaddr(validatedPrefixOf: components, count: index)
    }

    /// Like ``decapsulate(protocol:)`` with a text name (`"p2p"`, `"ipfs"`, `"tcp"`, …); an
    /// unknown name matches nothing.
    public func decapsulate(_ protocolName: String) -> Multiaddr {
        guard let proto = MultiaddrProtocol(name: protocolName) else { return self }
        return decapsulate(protocol: proto)
    }

    /// Removes the last occurrence of `component` (same protocol and value) and everything after it.
    public func decapsulate(_ component: MultiaddrComponent) -> Multiaddr {
        guard let index = components.lastIndex(of: component) else { return self }
        return Multiaddr(validatedPrefixOf: components, count: index)
    }

    /// Removes the last occurrence of the component sequence of `suffix` and everything after it.
    public func decapsulate(_ suffix: Multiaddr) -> Multiaddr {
        let needle = suffix.components
        guard !needle.isEmpty, needle.count <= components.count else { return self }
        for start in stride(from: components.count - needle.count, through: 0, by: -1)
        where components[start..<(start + needle.count)].elementsEqual(needle) {
            return Multiaddr(validatedPrefixOf: components, count: start)
        }
        return self
    }

    /// The peer named by a final `/p2p/<id>` component (the target of a relay address);
    /// `nil` when the address does not end in `/p2p/`.
    public var peerID: PeerID? {
        guard case .p2p(let peer) = components.last else { return nil }
        return peer
    }

    /// The address without its final `/p2p/<id>` component (unchanged if it has none).
    public var withoutPeerID: Multiaddr {
        guard peerID != nil else { return self }
        return Multiaddr(validatedPrefixOf: components, count: components.count - 1)
    }
}

// MARK: - Codable (as the text form)

extension Multiaddr: Codable {
    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(from: decoder, as: "multiaddr") { try Multiaddr($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        try TextCoding.encode(description, to: encoder)
    }
}
