/// One step of turning a raw TCP connection into a secure, multiplexed one. The UI's upgrade
/// timeline draws exactly these, in order, with their offsets from the TCP connect.
public enum UpgradeStep: Sendable, Hashable {
    case tcpConnected(local: Multiaddr?, remote: Multiaddr?)
    /// multistream-select on the raw socket: what the dialer proposed (the listener sees the proposal).
    /// `lazy`: one protocol, sent together with Noise message 1 without waiting for the answer.
    case securityProposed([String], lazy: Bool)
    case securityNegotiated(String)
    /// Noise XX message `number` (1…3) written, with its size on the wire.
    case noiseMessageSent(number: Int, bytes: Int)
    case noiseMessageReceived(number: Int, bytes: Int)
    /// The remote's identity key signed its Noise static key and proves this peer ID.
    case peerVerified(PeerID, keyType: KeyType)
    case muxerProposed([String])
    /// `early` is true when the muxer was agreed inside the Noise handshake (no extra round trip).
    case muxerNegotiated(String, early: Bool)
    case ready

    /// A short label for timelines and logs.
    public var label: String {
        switch self {
        case .tcpConnected: return "tcp connected"
        case .securityProposed(let protocols, let lazy):
            return "mss propose \(protocols.joined(separator: ", "))\(lazy ? " (lazy)" : "")"
        case .securityNegotiated(let name): return "mss security \(name)"
        case .noiseMessageSent(let number, _): return "noise → \(Self.noiseTokens[number] ?? "msg \(number)")"
        case .noiseMessageReceived(let number, _): return "noise ← \(Self.noiseTokens[number] ?? "msg \(number)")"
        case .peerVerified(let peer, let keyType): return "peer \(peer.shortDescription) (\(keyType.name)) verified"
        case .muxerProposed(let protocols): return "mss propose \(protocols.joined(separator: ", "))"
        case .muxerNegotiated(let name, let early): return early ? "muxer \(name) (early, in noise)" : "mss muxer \(name)"
        case .ready: return "connection ready"
        }
    }

    private static let noiseTokens = [1: "e", 2: "e, ee, s, es", 3: "s, se"]
}

/// The phase an upgrade was in, for errors and timeouts.
public enum UpgradePhase: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case securityNegotiation = "security negotiation (multistream-select)"
    case noiseHandshake = "noise handshake"
    case peerVerification = "peer verification"
    case muxerNegotiation = "muxer negotiation (multistream-select)"
    case muxerStart = "muxer start"

    public var description: String { rawValue }
}

/// Why an upgrade failed: the phase, what we expected, and what arrived.
public struct UpgradeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The peer sent something the protocol does not allow at this point.
        case protocolViolation
        /// We and the peer have no protocol in common.
        case noCommonProtocol
        /// The remote proved a different peer ID than the one we dialed.
        case peerIDMismatch(expected: PeerID, actual: PeerID)
        /// The remote's identity signature or key was not valid.
        case authenticationFailed
        /// The phase did not finish within the upgrade timeout.
        case timedOut(after: Duration)
        /// The connection closed (or was reset) before the upgrade finished.
        case connectionClosed
        /// The upgrade was cancelled locally (listener or node shutting down).
        case cancelled
    }

    public let phase: UpgradePhase
    public let kind: Kind
    public let expected: String
    public let got: String

    public init(phase: UpgradePhase, kind: Kind, expected: String, got: String) {
        self.phase = phase
        self.kind = kind
        self.expected = expected
        self.got = got
    }

    public var description: String {
        switch kind {
        case .peerIDMismatch(let expected, let actual):
            return "\(phase): peer ID mismatch: dialed \(expected), the key proves \(actual)"
        case .timedOut(let after):
            return "\(phase): timed out after \(after.formattedShort) (expected \(expected); got \(got))"
        default:
            return "\(phase) failed: expected \(expected); got \(got)"
        }
    }
}
