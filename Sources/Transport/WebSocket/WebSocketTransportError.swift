import Core
import TCP

/// Why a WebSocket connection could not be set up or went wrong, in the words of the step that failed.
public enum WebSocketTransportError: Error, Sendable, Hashable, CustomStringConvertible, TransportStepFailure {
    /// The TCP connect under the WebSocket failed.
    case tcp(TCPDialError)
    /// The address is not a WebSocket address this transport can dial or listen on.
    case unsupportedAddress(address: String, reason: String)
    /// `/wss` needs TLS settings this node does not have (no certificate to listen with, a broken trust file).
    case tlsUnavailable(String)
    /// The TLS handshake of `/wss` failed (untrusted or mismatching certificate, no common version, …).
    case tlsFailed(serverName: String?, reason: String)
    /// The server answered the upgrade request with something other than `101 Switching Protocols`.
    case upgradeRefused(statusLine: String)
    /// A `101` whose headers do not complete a WebSocket upgrade (wrong `Sec-WebSocket-Accept`, no `Upgrade: websocket`).
    case upgradeInvalid(String)
    /// What came back was not HTTP at all.
    case notHTTP(String)
    /// The transport handshake did not finish in time.
    case timedOut(after: Duration, lastStep: String)
    /// The peer closed the TCP connection before the upgrade finished.
    case closedDuringHandshake(lastStep: String)

    public var failedStep: String {
        switch self {
        case .tcp, .unsupportedAddress: return "tcp"
        case .tlsUnavailable, .tlsFailed: return "ws-tls"
        case .upgradeRefused, .upgradeInvalid, .notHTTP, .timedOut, .closedDuringHandshake: return "ws"
        }
    }

    public var description: String {
        switch self {
        case .tcp(let error):
            return error.description
        case .unsupportedAddress(let address, let reason):
            return "the WebSocket transport cannot use \(address): \(reason)"
        case .tlsUnavailable(let reason):
            return "/wss is not available: \(reason)"
        case .tlsFailed(let name, let reason):
            return "TLS handshake for /wss\(name.map { " with \($0)" } ?? "") failed: \(reason)"
        case .upgradeRefused(let statusLine):
            return "WebSocket upgrade refused: expected HTTP/1.1 101 Switching Protocols; got \(statusLine)"
        case .upgradeInvalid(let reason):
            return "WebSocket upgrade answer is invalid: \(reason)"
        case .notHTTP(let reason):
            return "WebSocket upgrade: expected an HTTP/1.1 response; got \(reason)"
        case .timedOut(let after, let lastStep):
            return "WebSocket handshake timed out after \(after.formattedShort) (last step: \(lastStep))"
        case .closedDuringHandshake(let lastStep):
            return "the peer closed the connection during the WebSocket handshake (last step: \(lastStep))"
        }
    }
}

/// Something the peer did on an established WebSocket that the protocol does not allow; the
/// connection is closed with a WebSocket close frame naming it.
public struct WebSocketFrameError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    /// The close code sent with it (1002 protocol error, 1009 message too big).
    public let closeCode: UInt16

    public init(_ reason: String, closeCode: UInt16 = 1002) {
        self.reason = reason
        self.closeCode = closeCode
    }

    public var description: String { "WebSocket: \(reason)" }
}
