/// Why a ping exchange failed (timeouts are ``ProtocolTimeoutError``).
public enum PingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The echo of ping `index` (0-based) differs from what was sent.
    case echoMismatch(index: Int, sent: [UInt8], received: [UInt8])
    /// The listener finished its direction after `received` bytes of the echo of ping `index`.
    case streamEndedBeforeEcho(index: Int, received: Int)
    /// The dialer finished its direction after `received` bytes of a 32-byte ping.
    case truncatedPing(received: Int)

    public var description: String {
        switch self {
        case .echoMismatch(let index, let sent, let received):
            return "ping \(index): echo \(BytesHex.string(received)) does not match payload \(BytesHex.string(sent))"
        case .streamEndedBeforeEcho(let index, let received):
            return "ping \(index): stream ended after \(received) of \(PingProtocol.payloadSize) echo bytes"
        case .truncatedPing(let received):
            return "ping stream ended inside a ping: \(received) of \(PingProtocol.payloadSize) bytes"
        }
    }
}
