import Foundation

@testable import Core
@testable import Identity
@testable import Multiformats
@testable import Node

/// Our side of the matrix: one dialing and one listening node per key type, each offering every
/// registered security protocol and muxer (the defaults a user gets), shared by all cells.
actor MatrixHosts {
    private var dialers: [KeyType: Node.Host] = [:]
    private var listeners: [String: (Node.Host, Multiaddr)] = [:]
    private var logs: [String: InboundConnectionLog] = [:]
    private var logTasks: [Task<Void, Never>] = []

    func dialer(_ keyType: KeyType) throws -> Node.Host {
        if let host = dialers[keyType] { return host }
        let host = try Self.makeHost(keyType)
        dialers[keyType] = host
        return host
    }

    /// A listener on loopback (`listenAddress`: TCP or WebSocket) serving `/echo/1.0.0`; returns it and its
    /// full address.
    func listener(_ keyType: KeyType, on listenAddress: String = "/ip4/127.0.0.1/tcp/0") async throws -> (Node.Host, Multiaddr) {
        let key = "\(keyType.name) \(listenAddress)"
        if let entry = listeners[key] { return entry }
        let host = try Self.makeHost(keyType)
        host.setStreamHandler(EchoProtocol.id) { incoming in
            _ = try await EchoServer().serve(incoming.stream)
        }
        let log = InboundConnectionLog()
        let events = host.events()
        logTasks.append(Task {
            for await record in events {
                if case .connectionEstablished(let summary) = record.event, summary.direction == .inbound {
                    await log.record(summary)
                }
            }
        })
        logs[key] = log
        let bound = try await host.listen(try Multiaddr(listenAddress))
        let entry = (host, host.dialableAddress(bound))
        listeners[key] = entry
        return entry
    }

    /// The inbound connections the listener of `keyType` accepted, by peer.
    func inboundLog(_ keyType: KeyType, on listenAddress: String = "/ip4/127.0.0.1/tcp/0") -> InboundConnectionLog? {
        logs["\(keyType.name) \(listenAddress)"]
    }

    func shutdown() async {
        for host in dialers.values { await host.shutdown() }
        for (host, _) in listeners.values { await host.shutdown() }
        dialers = [:]
        listeners = [:]
        for task in logTasks { await task.value }
        logTasks = []
    }

    private static func makeHost(_ keyType: KeyType) throws -> Node.Host {
        var configuration = HostConfiguration()
        try configuration.useStack(
            security: UpgradeRegistry.defaultSecurityNames, muxers: UpgradeRegistry.defaultMuxerNames)
        configuration.serveEcho = true
        return Node.Host(identity: try PrivateKey.generate(keyType), configuration: configuration)
    }

    /// The multistream IDs behind a cell's short names, or why we cannot offer them.
    static func protocolIDs(of cell: InteropCell) -> (security: String, muxer: String)? {
        if cell.transport == "quic" { return (QUICTransport.securityName, QUICTransport.muxerName) }
        guard let security = try? UpgradeRegistry.securityProtocols(named: [cell.security]).first?.protocolID,
              let muxer = try? UpgradeRegistry.muxers(named: [cell.muxer]).first?.protocolID
        else { return nil }
        return (security, muxer)
    }

    /// What a connection negotiated, checked against the cell; nil when it matches.
    static func negotiationMismatch(_ connection: HostConnection, cell: InteropCell) -> String? {
        guard let expected = protocolIDs(of: cell) else {
            return "we do not register \(cell.security) or \(cell.muxer)"
        }
        let upgraded = connection.upgraded
        if upgraded.security != expected.security || upgraded.muxer != expected.muxer {
            return "negotiated \(upgraded.security) + \(upgraded.muxer), the cell is \(expected.security) + \(expected.muxer)"
        }
        if let mismatch = transportMismatch(upgraded.remoteAddress, cell: cell) { return mismatch }
        return nil
    }

    /// The connection must run on the cell's transport (a WebSocket address for `ws`, plain TCP for `tcp`).
    static func transportMismatch(_ remote: Multiaddr?, cell: InteropCell) -> String? {
        let components = remote?.components ?? []
        let transport = components.contains(.ws) ? "ws" : components.contains(.quicV1) ? "quic" : "tcp"
        if transport != cell.transport {
            return "the connection runs over \(remote?.description ?? "an unknown address"), the cell is \(cell.transport)"
        }
        return nil
    }

    static func describe(_ connection: HostConnection) -> String {
        let upgraded = connection.upgraded
        return "\(upgraded.security) + \(upgraded.muxer)\(upgraded.earlyMuxerNegotiation ? " (early)" : "")"
    }
}

/// Inbound connections as the listener's events announced them (the peer's connection may be gone
/// by the time a cell looks).
actor InboundConnectionLog {
    private var byPeer: [String: ConnectionSummary] = [:]

    func record(_ summary: ConnectionSummary) {
        byPeer[summary.peer.base58] = summary
    }

    func connection(from peer: String) -> ConnectionSummary? { byPeer[peer] }
}
