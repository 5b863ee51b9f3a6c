import Foundation

@testable import Core
@testable import Identity
@testable import Multiformats
@testable import Node
@testable import Protocols

/// Runs matrix cells against kubo 0.22.0. One kubo node per key type of theirs, offering every security
/// protocol and muxer it has (kubo's own order: noise, tls; yamux, mplex), shared by all cells; our side
/// is a fresh node per cell offering only the cell's protocols, so the cell decides what is negotiated
/// whichever side dials.
///
/// "they dial": kubo connects to us; we run ping and identify on that inbound connection, and kubo
/// opens the echo streams to us (P2PForward), so streams start on both ends of the matrix.
actor KuboMatrixDriver {
    private let kubo: KuboControl
    private var nodes: [String: KuboAnswer.Node] = [:]

    static let securities = ["noise", "tls"]
    static let muxers = ["yamux", "mplex"]
    static let theirKeys = ["ed25519", "secp256k1", "rsa", "ecdsa"]
    /// kubo mounts protocols only under /x/ (stream mounting); its echo is a TCP echo server behind it.
    static let transports = ["tcp", "ws", "quic"]
    static let echoProtocol = "/x/echo/1.0.0"
    static let agentPrefix = "kubo/0.22.0"

    init(kubo: KuboControl) {
        self.kubo = kubo
    }

    func run(_ cell: InteropCell) async -> InteropCellResult {
        var result = InteropCellResult(cell: cell)
        do {
            let node = try await node(for: cell.theirKey)
            let host = try Self.makeHost(for: cell)
            do {
                switch cell.direction {
                case .weDial: try await weDial(node, from: host, cell, into: &result)
                case .theyDial: try await theyDial(node, to: host, cell, into: &result)
                }
            } catch {
                result.connectionFailure = "\(error)"
            }
            await host.shutdown()
        } catch {
            result.connectionFailure = "\(error)"
        }
        return result
    }

    private func weDial(
        _ node: KuboAnswer.Node, from host: Node.Host, _ cell: InteropCell, into result: inout InteropCellResult
    ) async throws {
        let chosen = switch cell.transport {
        case "ws": node.webSocketAddress
        case "quic": node.quicAddress
        default: node.tcpAddress
        }
        guard let address = chosen else {
            result.connectionFailure = "kubo announced no \(cell.transport) address: \(node.addrs)"
            return
        }
        let connection = try await host.dial(try Multiaddr(address))
        result.negotiated = MatrixHosts.describe(connection)
        if let mismatch = MatrixHosts.negotiationMismatch(connection, cell: cell) {
            result.connectionFailure = mismatch
            return
        }
        result.checks = await Self.ourChecks.run(on: connection, host: host)
    }

    private func theyDial(
        _ node: KuboAnswer.Node, to host: Node.Host, _ cell: InteropCell, into result: inout InteropCellResult
    ) async throws {
        host.setStreamHandler(Self.echoProtocol) { incoming in
            _ = try await EchoServer().serve(incoming.stream)
        }
        let bound = try await host.listen(try Multiaddr(cell.ourListenAddress))
        _ = try await kubo.connect(node: node.node, to: host.dialableAddress(bound).description)
        guard let connection = await Self.inboundConnection(from: try PeerID(node.id), on: host) else {
            result.connectionFailure = "kubo says it connected, but no connection from \(node.id) reached us"
            return
        }
        result.negotiated = MatrixHosts.describe(connection)
        if let mismatch = MatrixHosts.negotiationMismatch(connection, cell: cell) {
            result.connectionFailure = mismatch
            return
        }
        var checks = await Self.ourChecks.run(on: connection, host: host, only: ["ping", "identify"])
        let us = host.peerID.base58
        checks["echo"] = await kuboEcho(node: node.node, peer: us, bytes: 1 << 20, streams: 1, seed: 1)
        checks["streams"] = await kuboEcho(node: node.node, peer: us, bytes: 64 * 1024, streams: 10, seed: 100)
        result.checks = checks
    }

    private func kuboEcho(node: Int, peer: String, bytes: Int, streams: Int, seed: Int) async -> InteropCheckOutcome {
        do {
            let echo = try await kubo.echo(
                node: node, peer: peer, proto: Self.echoProtocol, bytes: bytes, streams: streams, seed: seed)
            return .passed(detail: "\(streams) × \(bytes) B in \(echo.elapsed_ms) ms")
        } catch {
            return .failed(reason: "\(error)")
        }
    }

    private static var ourChecks: OurSideChecks {
        var checks = OurSideChecks()
        checks.echoProtocol = echoProtocol
        checks.expectedAgentPrefix = agentPrefix
        // kubo's stream mounting closes the whole stream at the first end of file it sees.
        checks.halfCloseFirst = false
        return checks
    }

    /// The connection kubo opened, once our side has it (ConnectToPeer returns when kubo's side is up).
    private static func inboundConnection(from peer: PeerID, on host: Node.Host) async -> HostConnection? {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let connection = host.connections(to: peer).first { return connection }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    private func node(for key: String) async throws -> KuboAnswer.Node {
        if let node = nodes[key] { return node }
        let node = try await kubo.start(key: key)
        nodes[key] = node
        return node
    }

    private static func makeHost(for cell: InteropCell) throws -> Node.Host {
        var configuration = HostConfiguration()
        // QUIC's TLS and streams are its own: the stack applies to TCP and WebSocket cells.
        if cell.transport != "quic" { try configuration.useStack(security: [cell.security], muxers: [cell.muxer]) }
        configuration.serveEcho = true
        return Node.Host(identity: try PrivateKey.generate(cell.ourKey), configuration: configuration)
    }
}
