import Core
import WebSocket

extension HostConfiguration {
    /// Gives the WebSocket transport its `/wss` settings (trust roots for dials, a certificate for
    /// listeners); the other transports are left as they are.
    public mutating func useWebSocketTLS(_ tls: WebSocketTLSConfiguration) {
        transports = transports.map { $0 is WebSocketTransport ? WebSocketTransport(tls: tls) : $0 }
    }
}
