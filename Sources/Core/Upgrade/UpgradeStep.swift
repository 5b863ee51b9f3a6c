import Identity
import Multiformats

/// One step of turning a transport connection into a secure, multiplexed one, typed by the layer
/// that took it. The UI's upgrade timeline draws exactly these, in order, with their offsets from the
/// transport connect. A new transport, security protocol or muxer reports its steps through its layer's
/// cases and brings its own labels; the reducers only read the layer-level facts (negotiated names,
/// the verified peer).
public enum UpgradeStep: Sendable, Hashable {
    case transport(TransportStep)
    case security(SecurityStep)
    case muxer(MuxerStep)
    /// Secure and multiplexed: streams may be opened.
    case ready

    /// A short label for timelines and logs.
    public var label: String {
        switch self {
        case .transport(let step): return step.label
        case .security(let step): return step.label
        case .muxer(let step): return step.label
        case .ready: return "connection ready"
        }
    }
}

/// What the transport did before any libp2p byte moved.
public enum TransportStep: Sendable, Hashable {
    /// The transport connection is up (`transport` is its multiaddr protocol name, e.g. `tcp`).
    case connected(transport: String, local: Multiaddr?, remote: Multiaddr?)
    /// One message of a transport's own handshake before libp2p's (a WebSocket HTTP upgrade, the TLS of
    /// `/wss`).
    case handshakeMessage(TransportHandshakeMessage)

    public var label: String {
        switch self {
        case .connected(let transport, _, _): return "\(transport) connected"
        case .handshakeMessage(let message): return message.label
        }
    }
}

/// A transport handshake message as a timeline shows it: `ws → GET / (upgrade)`, `ws ← 101 Switching Protocols`.
public struct TransportHandshakeMessage: Sendable, Hashable {
    /// The layer's short name (`ws`, `tls`).
    public let protocolName: String
    public let direction: SecurityHandshakeMessage.Direction
    public let content: String
    /// Size on the wire, 0 when not known.
    public let bytes: Int

    public init(protocolName: String, direction: SecurityHandshakeMessage.Direction, content: String, bytes: Int = 0) {
        self.protocolName = protocolName
        self.direction = direction
        self.content = content
        self.bytes = bytes
    }

    public var label: String { "\(protocolName) \(direction == .sent ? "→" : "←") \(content)" }
}

/// Security negotiation and the handshake of whichever security protocol was chosen.
public enum SecurityStep: Sendable, Hashable {
    /// multistream-select on the raw connection: what the dialer proposed (the listener sees the proposal).
    /// `lazy`: one protocol, sent together with its first handshake message without waiting for the answer.
    case proposed([String], lazy: Bool)
    case negotiated(String)
    /// One handshake message of the chosen protocol, written or read.
    case handshakeMessage(SecurityHandshakeMessage)
    /// The remote's identity key signed its session key and proves this peer ID.
    case peerVerified(PeerID, keyType: KeyType)

    public var label: String {
        switch self {
        case .proposed(let protocols, let lazy):
            return "mss propose \(protocols.joined(separator: ", "))\(lazy ? " (lazy)" : "")"
        case .negotiated(let name): return "mss security \(name)"
        case .handshakeMessage(let message): return message.label
        case .peerVerified(let peer, let keyType): return "peer \(peer.shortDescription) (\(keyType.name)) verified"
        }
    }
}

/// A handshake message as a timeline shows it: which protocol, which way, its number in the handshake,
/// what it carries (Noise tokens, a TLS message type) and its size on the wire.
public struct SecurityHandshakeMessage: Sendable, Hashable {
    public enum Direction: Sendable, Hashable {
        case sent
        case received
    }

    /// The protocol's short name (`noise`).
    public let protocolName: String
    public let direction: Direction
    /// 1-based position in the handshake.
    public let number: Int
    /// What the message carries, e.g. `e, ee, s, es`.
    public let content: String
    public let bytes: Int

    public init(protocolName: String, direction: Direction, number: Int, content: String, bytes: Int) {
        self.protocolName = protocolName
        self.direction = direction
        self.number = number
        self.content = content
        self.bytes = bytes
    }

    public var label: String { "\(protocolName) \(direction == .sent ? "→" : "←") \(content)" }
}

/// Muxer negotiation.
public enum MuxerStep: Sendable, Hashable {
    case proposed([String])
    /// `earlyIn` names the security protocol that carried the choice inside its handshake (Noise
    /// extensions, TLS ALPN: no extra round trip); nil when multistream-select chose it afterwards.
    case negotiated(String, earlyIn: String?)

    public var label: String {
        switch self {
        case .proposed(let protocols): return "mss propose \(protocols.joined(separator: ", "))"
        case .negotiated(let name, let earlyIn):
            if let earlyIn { return "muxer \(name) (early, in \(earlyIn))" }
            return "mss muxer \(name)"
        }
    }
}

/// The phase an upgrade was in, for errors and timeouts. A security protocol's handshake is its own
/// phase, named after the protocol (`noise handshake`).
public struct UpgradePhase: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let transport = UpgradePhase(rawValue: "transport")
    public static let securityNegotiation = UpgradePhase(rawValue: "security negotiation (multistream-select)")
    public static func securityHandshake(_ protocolName: String) -> UpgradePhase {
        UpgradePhase(rawValue: "\(protocolName) handshake")
    }
    public static let peerVerification = UpgradePhase(rawValue: "peer verification")
    public static let muxerNegotiation = UpgradePhase(rawValue: "muxer negotiation (multistream-select)")
    public static let muxerStart = UpgradePhase(rawValue: "muxer start")

    /// Whether this is some security protocol's handshake.
    public var isSecurityHandshake: Bool { rawValue.hasSuffix(" handshake") }

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

/// An error a layer can describe in upgrade terms itself (Noise, TLS, a transport), so the upgrader
/// maps failures without naming any implementation.
public protocol UpgradeErrorConvertible: Error {
    func upgradeError(in phase: UpgradePhase) -> UpgradeError
}
