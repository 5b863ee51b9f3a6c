import Foundation

@testable import Core
@testable import Identity
@testable import Multiformats
@testable import Node

/// Our side of the matrix: one dialing and one listening node per key type, each offering every
/// registered security protocol and muxer (the defaults a user gets), shared by all cells.
actor MatrixHosts {
    private var dialers: [KeyType: Node.Host] = [:]
    private var listeners: [KeyType: (Node.Host, Multiaddr)] = [:]
    private var logs: [KeyType: InboundConnectionLog] = [:]
    private var logTasks: [Task<Void, Never>] = []

    func dialer(_ keyType: KeyType) throws -> Node.Host {
        if let host = dialers[keyType] { return host }
        let host = try Self.makeHost(keyType)
        dialers[keyType] = host
        return host
    }

    /// A listener on loopback serving `/echo/1.0.0`; returns it and its full address.
    func listener(_ keyType: KeyType) async throws -> (Node.Host, Multiaddr) {
        if let entry = listeners[keyType] { return entry }
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
        logs[keyType] = log
        let bound = try await host.listen(HostTestSupport.loopback)
        let entry = (host, host.dialableAddress(bound))
        listeners[keyType] = entry
        return entry
    }

    /// The inbound connections the listener of `keyType` accepted, by peer.
    func inboundLog(_ keyType: KeyType) -> InboundConnectionLog? { logs[keyType] }

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
