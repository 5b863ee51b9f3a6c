import Multiformats

/// A limit that refused a connection or stream: which one, its value, and for whom.
public struct LimitRejection: Sendable, Hashable, CustomStringConvertible {
    public let limit: String
    /// The bound that was reached; nil when a state refused it (shutting down, going away), not a count.
    public let value: Int?
    public let peer: PeerID?
    public let detail: String?

    public init(limit: String, value: Int?, peer: PeerID? = nil, detail: String? = nil) {
        self.limit = limit
        self.value = value
        self.peer = peer
        self.detail = detail
    }

    public var description: String {
        var text = value.map { "\(limit) (\($0)) reached" } ?? "refused by \(limit)"
        if let peer { text += " for \(peer.shortDescription)" }
        if let detail { text += ": \(detail)" }
        return text
    }
}
