/// Who opened the underlying TCP connection. The dialer is also the multistream and Noise initiator
/// and the yamux client (odd stream IDs).
public enum ConnectionDirection: String, Sendable, Hashable, Codable {
    case inbound
    case outbound
}
