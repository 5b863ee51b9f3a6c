import Foundation

@testable import Identity
@testable import Multiformats
@testable import Node

/// Runs matrix cells against py-libp2p 0.8.1 (Tests/Interop/py_peer.py). The py listeners are
/// shared by every cell with the same py stack; each "they dial" cell is one `py_peer.py dial … matrix`.
actor PyMatrixDriver {
    private let python: PythonPeer
    private let hosts: MatrixHosts
    private var listeners: [PythonPeerStack: PythonListener] = [:]

    init(python: PythonPeer, hosts: MatrixHosts) {
        self.python = python
        self.hosts = hosts
    }

    static let securities = ["noise", "tls"]
    static let muxers = ["yamux", "mplex"]
    static let theirKeys = PythonPeerStack.KeyType.allCases.map(\.rawValue)
    static let transports = ["tcp", "ws", "quic"]

    func run(_ cell: InteropCell) async -> InteropCellResult {
        var result = InteropCellResult(cell: cell)
        guard let stack = Self.stack(for: cell) else {
            result.connectionFailure = "py_peer.py has no option for \(cell.security)/\(cell.muxer)/\(cell.theirKey)"
            return result
        }
        do {
            switch cell.direction {
            case .weDial: try await weDial(cell, stack: stack, into: &result)
            case .theyDial: try await theyDial(cell, stack: stack, into: &result)
            }
        } catch {
            result.connectionFailure = "\(error)"
        }
        return result
    }

    func stop() async {
        for listener in listeners.values { await listener.stop() }
        listeners = [:]
    }

    private func weDial(_ cell: InteropCell, stack: PythonPeerStack, into result: inout InteropCellResult) async throws {
        let listener = try await listener(for: stack)
        let host = try await hosts.dialer(cell.ourKey)
        let connection = try await host.dial(try Multiaddr(listener.multiaddr))
        if let mismatch = MatrixHosts.transportMismatch(connection.upgraded.remoteAddress, cell: cell) {
            result.connectionFailure = mismatch
            return
        }
        defer { Task { await host.close(connection: connection.id, reason: "matrix cell done") } }
        result.negotiated = MatrixHosts.describe(connection)
        if let mismatch = MatrixHosts.negotiationMismatch(connection, cell: cell) {
            result.connectionFailure = mismatch
            return
        }
        var checks = OurSideChecks()
        checks.expectedAgentPrefix = "py-libp2p/"
        result.checks = await checks.run(on: connection, host: host)
    }

    private func theyDial(_ cell: InteropCell, stack: PythonPeerStack, into result: inout InteropCellResult) async throws {
        let (_, address) = try await hosts.listener(cell.ourKey, on: cell.ourListenAddress)
        let dial = try await python.dial(address.description, .matrix(), stack: stack, timeout: .seconds(90))
        guard dial.connection.ok else {
            result.connectionFailure = "py reported the scenario as failed: \(dial.stderr.suffix(400))"
            return
        }
        if let summary = await hosts.inboundLog(cell.ourKey, on: cell.ourListenAddress)?.connection(from: dial.connection.localPeerID) {
            result.negotiated = "\(summary.security) + \(summary.muxer)\(summary.earlyMuxerNegotiation ? " (early)" : "")"
            if let expected = MatrixHosts.protocolIDs(of: cell),
               summary.security != expected.security || summary.muxer != expected.muxer {
                result.connectionFailure = "negotiated \(summary.security) + \(summary.muxer), the cell is \(expected.security) + \(expected.muxer)"
                return
            }
            if let mismatch = MatrixHosts.transportMismatch(summary.remoteAddress, cell: cell) {
                result.connectionFailure = mismatch
                return
            }
        } else {
            result.connectionFailure = "our listener saw no inbound connection from \(dial.connection.localPeerID)"
            return
        }
        result.checks = dial.report.outcomes
    }

    private func listener(for stack: PythonPeerStack) async throws -> PythonListener {
        if let listener = listeners[stack] { return listener }
        let listener = try await python.listen(stack: stack)
        listeners[stack] = listener
        return listener
    }

    private static func stack(for cell: InteropCell) -> PythonPeerStack? {
        // Over QUIC py runs neither a security protocol nor a muxer of its own choosing: its defaults stand.
        guard let key = PythonPeerStack.KeyType(rawValue: cell.theirKey),
              let security = cell.transport == "quic" ? PythonPeerStack.Security.noise : PythonPeerStack.Security(rawValue: cell.security),
              let muxer = cell.transport == "quic" ? PythonPeerStack.Muxer.yamux : PythonPeerStack.Muxer(rawValue: cell.muxer)
        else { return nil }
        var stack = PythonPeerStack()
        stack.keyType = key
        stack.security = security
        stack.muxer = muxer
        guard let transport = PythonPeerStack.Transport(rawValue: cell.transport) else { return nil }
        stack.transport = transport
        return stack
    }
}
