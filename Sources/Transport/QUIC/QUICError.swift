import Core
import Multiformats

/// Why a QUIC connection could not be set up, or how it ended, in words.
public enum QUICError: Error, Sendable, Hashable, CustomStringConvertible, TransportStepFailure {
    case unsupportedAddress(address: String, reason: String)
    /// The local side could not start (socket, TLS credentials).
    case setupFailed(String)
    /// The peer's certificate failed the libp2p check (or proved another peer).
    case peerCertificateRejected(String)
    /// The handshake did not finish within the connect timeout.
    case handshakeTimedOut(after: Duration, lastStep: String)
    /// The connection ended before or after the handshake: the peer's or our close, an idle timeout, a reset.
    case closed(String)
    /// The Host gave the dial up (another address connected first).
    case cancelled

    public var failedStep: String { self == .cancelled ? "cancelled" : "quic" }

    public var description: String {
        switch self {
        case .unsupportedAddress(let address, let reason): return "the QUIC transport cannot use \(address): \(reason)"
        case .setupFailed(let reason): return "QUIC could not start: \(reason)"
        case .peerCertificateRejected(let reason): return "QUIC handshake: the peer's certificate was rejected: \(reason)"
        case .handshakeTimedOut(let after, let lastStep):
            return "QUIC handshake timed out after \(after.formattedShort) (last step: \(lastStep))"
        case .closed(let reason): return "QUIC connection closed: \(reason)"
        case .cancelled: return "another address connected first"
        }
    }
}

/// A stream operation that could not be done.
public enum QUICStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    case connectionClosed(String)
    case resetByPeer(code: UInt64)
    case resetLocally
    case stopSendingByPeer(code: UInt64)
    case writeClosed
    case concurrentOperation
    case unknownStream(Int64)

    public var description: String {
        switch self {
        case .connectionClosed(let reason): return "QUIC stream: the connection closed (\(reason))"
        case .resetByPeer(let code): return "QUIC stream reset by the peer (code \(code))"
        case .resetLocally: return "QUIC stream reset locally"
        case .stopSendingByPeer(let code): return "the peer stopped reading this QUIC stream (STOP_SENDING, code \(code))"
        case .writeClosed: return "QUIC stream: our direction is already closed"
        case .concurrentOperation: return "QUIC stream: another read or write is in progress"
        case .unknownStream(let id): return "QUIC stream \(id) is not open"
        }
    }
}

extension QUICError: UpgradeErrorConvertible {
    /// QUIC's handshake is its whole upgrade: the phase is always `quic handshake`.
    public func upgradeError(in phase: UpgradePhase) -> UpgradeError {
        let handshake = UpgradePhase.securityHandshake("quic")
        let finished = "the QUIC handshake to finish"
        switch self {
        case .unsupportedAddress(let address, let reason):
            return UpgradeError(phase: .transport, kind: .protocolViolation, expected: reason, got: address)
        case .setupFailed(let reason):
            return UpgradeError(phase: handshake, kind: .protocolViolation, expected: "a QUIC connection we can start", got: reason)
        case .peerCertificateRejected(let reason):
            return UpgradeError(phase: handshake, kind: .authenticationFailed,
                                expected: "one certificate with a valid libp2p public key extension", got: reason)
        case .handshakeTimedOut(let after, let lastStep):
            return UpgradeError(phase: handshake, kind: .timedOut(after: after), expected: finished, got: "last step: \(lastStep)")
        case .closed(let reason):
            return UpgradeError(phase: handshake, kind: .connectionClosed, expected: finished, got: reason)
        case .cancelled:
            return UpgradeError(phase: handshake, kind: .cancelled, expected: finished, got: "cancelled")
        }
    }
}
