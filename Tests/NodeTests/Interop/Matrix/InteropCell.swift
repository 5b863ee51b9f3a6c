import Identity

/// One cell of the interop matrix: who dials, which implementation, which stack, which keys.
struct InteropCell: Sendable, Hashable, CustomStringConvertible {
    enum Direction: String, Sendable, Hashable, CaseIterable {
        case weDial = "we dial"
        case theyDial = "they dial"
    }

    enum Peer: String, Sendable, Hashable, CaseIterable {
        case py = "py-libp2p 0.8.1"
        case kubo = "kubo 0.22.0"
    }

    let direction: Direction
    let peer: Peer
    /// Short names as `--security` / `--muxer` take them (`noise`, `tls`, `yamux`, `mplex`).
    let security: String
    let muxer: String
    let ourKey: KeyType
    /// The peer's key type as its harness names it (`ed25519`, `secp256k1`, `rsa`, `ecdsa`).
    let theirKey: String
    /// The transport under the upgrade, as a multiaddr names it (`tcp`, `ws`).
    var transport: String = "tcp"

    /// The listen address on our side for this cell's transport.
    var ourListenAddress: String {
        switch transport {
        case "ws": return "/ip4/127.0.0.1/tcp/0/ws"
        case "quic": return "/ip4/127.0.0.1/udp/0/quic-v1"
        default: return "/ip4/127.0.0.1/tcp/0"
        }
    }

    var description: String {
        "\(direction.rawValue) \(peer.rawValue) \(transport) \(security)+\(muxer) ours:\(ourKey.name) theirs:\(theirKey)"
    }

    /// The exchanges every cell runs on its one connection, in this order.
    static let checks = ["ping", "identify", "echo", "streams"]

    /// Cells for one peer: each security × muxer, both directions, every key type of ours against the
    /// peer's Ed25519 and every key type of theirs against our Ed25519.
    static func cells(
        for peer: Peer, securities: [String], muxers: [String], ourKeys: [KeyType], theirKeys: [String]
    ) -> [InteropCell] {
        var keyPairs: [(KeyType, String)] = ourKeys.map { ($0, "ed25519") }
        keyPairs += theirKeys.filter { $0 != "ed25519" }.map { (.ed25519, $0) }
        var cells: [InteropCell] = []
        for direction in Direction.allCases {
            for security in securities {
                for muxer in muxers {
                    for (ours, theirs) in keyPairs {
                        cells.append(InteropCell(
                            direction: direction, peer: peer, security: security, muxer: muxer,
                            ourKey: ours, theirKey: theirs))
                    }
                }
            }
        }
        return cells
    }

    /// Cells for transports other than TCP: each security × muxer, both directions, Ed25519 on both sides
    /// (key types do not depend on the transport; the TCP cells cover them). QUIC brings its own TLS and
    /// streams: one cell per direction.
    static func transportCells(for peer: Peer, transports: [String], securities: [String], muxers: [String]) -> [InteropCell] {
        var cells: [InteropCell] = []
        for transport in transports {
            let stacks = transport == "quic" ? [("quic-tls", "quic")] : securities.flatMap { security in muxers.map { (security, $0) } }
            for direction in Direction.allCases {
                for (security, muxer) in stacks {
                    do {
                        cells.append(InteropCell(
                            direction: direction, peer: peer, security: security, muxer: muxer,
                            ourKey: .ed25519, theirKey: "ed25519", transport: transport))
                    }
                }
            }
        }
        return cells
    }
}

/// What happened in one check of a cell.
enum InteropCheckOutcome: Sendable, Hashable {
    case passed(detail: String)
    case failed(reason: String)
}

/// A cell's result: its checks, or why the connection itself failed.
struct InteropCellResult: Sendable {
    let cell: InteropCell
    /// Check name → outcome; empty when the connection failed.
    var checks: [String: InteropCheckOutcome] = [:]
    /// Set when no connection came up (or the peer's harness failed): every check counts as failed.
    var connectionFailure: String?
    /// What the connection negotiated, as our side saw it (`/noise`, `/yamux/1.0.0`, early or not).
    var negotiated: String?

    var passed: Bool {
        connectionFailure == nil && InteropCell.checks.allSatisfy {
            if case .passed = checks[$0] { return true }
            return false
        }
    }

    /// The first reason this cell did not pass.
    var failureReason: String? {
        if let connectionFailure { return "connection: \(connectionFailure)" }
        for name in InteropCell.checks {
            switch checks[name] {
            case .failed(let reason): return "\(name): \(reason)"
            case nil: return "\(name): not run"
            case .passed: continue
            }
        }
        return nil
    }
}
