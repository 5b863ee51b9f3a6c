import NIOCore
import Testing

@testable import Multiformats
@testable import WebSocket

@Suite struct WebSocketAddressTests {
    private func parse(_ text: String) throws -> WebSocketAddress? { WebSocketAddress(try Multiaddr(text)) }

    @Test func plainAndSecureShapesAreTakenApart() throws {
        let plain = try #require(try parse("/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWLn3B73Eo5B9rFj1c3JWjqVpLFeuoUWkEJTXRHmWKjKjC"))
        #expect(plain.endpoint.host == "127.0.0.1" && plain.endpoint.port == 4001)
        #expect(!plain.secure && plain.serverName == nil)
        #expect(plain.hostHeader == "127.0.0.1:4001")

        for text in ["/ip4/10.0.0.1/tcp/443/wss", "/ip4/10.0.0.1/tcp/443/tls/ws"] {
            let secure = try #require(try parse(text))
            #expect(secure.secure && secure.serverName == nil)
        }
        let named = try #require(try parse("/ip6/::1/tcp/443/tls/sni/example.com/ws"))
        #expect(named.secure && named.serverName == "example.com")
        #expect(named.hostHeader == "example.com:443")
        #expect(try parse("/ip6/::1/tcp/80/ws")?.hostHeader == "[::1]:80")
    }

    @Test func otherShapesAreNotWebSocket() throws {
        for text in ["/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1", "/dns4/example.com/tcp/443/wss",
                     "/ip4/127.0.0.1/tcp/1/ws/ws", "/ip4/127.0.0.1/tcp/1/tls/sni/a/wss", "/ip4/127.0.0.1/tcp/1/sni/a/ws"] {
            #expect(try parse(text) == nil, "\(text)")
        }
    }

    @Test func connectionAddressesCarryTheLayers() throws {
        let socket = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
        #expect(WebSocketAddress.multiaddr(of: socket, secure: false)?.description == "/ip4/127.0.0.1/tcp/5000/ws")
        #expect(WebSocketAddress.multiaddr(of: socket, secure: true)?.description == "/ip4/127.0.0.1/tcp/5000/tls/ws")
        #expect(WebSocketAddress.multiaddr(of: socket, secure: true, serverName: "localhost")?.description
            == "/ip4/127.0.0.1/tcp/5000/tls/sni/localhost/ws")
    }
}
