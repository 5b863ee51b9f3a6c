/// Who opened the underlying transport connection. The dialer is also the multistream-select and
/// security-handshake initiator and the muxer's client (yamux: odd stream IDs).
public enum ConnectionDirection: String, Sendable, Hashable, Codable {
    case inbound
    case outbound
}
