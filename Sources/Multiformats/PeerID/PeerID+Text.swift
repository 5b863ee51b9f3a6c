
/// Text forms of a peer ID (encodings.md §5): legacy bare base58btc (`Qm…`, `12D3KooW…`,
/// printed by default) and CIDv1 with the libp2p-key codec in any multibase (`bafz…`, `k51…`).
extension PeerID: CustomStringConvertible {
    /// Parses either text form.
    public init(_ text: some StringProtocol) throws(PeerIDError) {
        guard !text.isEmpty else { throw .empty }
        if text.hasPrefix("1") || text.hasPrefix("Qm") {
            let decoded: [UInt8]
            do {
                decoded = try Base58.decode(text)
            } catch {
                throw .invalidBase58(error)
            }
            try self.init(multihash: decoded)
        } else {
            let cid: LibP2PKeyCID
            do {
                cid = try LibP2PKeyCID(text)
            } catch {
                throw .invalidCID(error)
            }
            try self.init(multihash: cid.multihash)
        }
    }

    /// Legacy base58btc text, the form libp2p implementations print.
    public var base58: String {
        Base58.encode(bytes)
    }

    /// CIDv1 text in base32 (`bafz…`).
    public var cidString: String {
        LibP2PKeyCID(multihash: multihash).text(.base32)
    }

    /// Compact form for narrow displays: first 4 and last 4 base58 characters (`12D3…Ab7Q`).
    public var shortDescription: String {
        let text = base58
        guard text.count > 9 else { return text }
        return "\(text.prefix(4))…\(text.suffix(4))"
    }

    public var description: String {
        base58
    }
}

extension PeerID: Codable {
    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(from: decoder, as: "peer ID") { try PeerID($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        try TextCoding.encode(base58, to: encoder)
    }
}
