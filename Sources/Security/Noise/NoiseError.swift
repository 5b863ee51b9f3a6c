import Identity
import Multiformats

/// A failure in the Noise handshake or transport; every case is fatal for the connection.
/// Handshake cases carry the XX message number (1–3) they happened in.
public enum NoiseError: Error, Sendable, Equatable {
    /// A handshake message was shorter than its tokens require.
    case handshakeMessageTooShort(message: Int, minimum: Int, got: Int)
    /// A handshake message failed authentication (wrong keys, tampering or prologue mismatch).
    case handshakeDecryptionFailed(message: Int)
    /// The remote X25519 key produced the all-zero shared secret (a low-order point).
    case invalidRemoteKey(message: Int)
    /// A libp2p handshake payload could not be decoded or lacks a required field.
    case invalidPayload(message: Int, reason: String)
    /// The identity key in the payload could not be parsed.
    case invalidIdentityKey(message: Int, reason: String)
    /// The payload's signature over the Noise static key does not verify.
    case invalidIdentitySignature(message: Int)
    /// The remote peer authenticated as `actual` but we expected `expected`.
    case peerIDMismatch(expected: PeerID, actual: PeerID)
    /// Our own identity key could not sign the static key.
    case signingFailed(reason: String)
    /// The connection closed before the handshake finished.
    case closedDuringHandshake(awaitingMessage: Int)
    /// A transport frame is shorter than the authentication tag.
    case frameTooShort(length: Int)
    /// A transport frame failed authentication.
    case decryptionFailed(nonce: UInt64)
    /// The 64-bit nonce is used up; the connection must be closed (no rekeying in libp2p).
    case nonceExhausted
}

extension NoiseError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .handshakeMessageTooShort(let message, let minimum, let got):
            return "noise: handshake message \(message) needs at least \(minimum) bytes, got \(got)"
        case .handshakeDecryptionFailed(let message):
            return "noise: handshake message \(message) failed authentication"
        case .invalidRemoteKey(let message):
            return "noise: remote key in handshake message \(message) gives an all-zero shared secret"
        case .invalidPayload(let message, let reason):
            return "noise: invalid handshake payload in message \(message): \(reason)"
        case .invalidIdentityKey(let message, let reason):
            return "noise: invalid identity key in message \(message): \(reason)"
        case .invalidIdentitySignature(let message):
            return "noise: identity signature over the static key in message \(message) does not verify"
        case .peerIDMismatch(let expected, let actual):
            return "noise: expected peer \(expected), remote authenticated as \(actual)"
        case .signingFailed(let reason):
            return "noise: signing our static key with the identity key failed: \(reason)"
        case .closedDuringHandshake(let message):
            return "noise: connection closed while waiting for handshake message \(message)"
        case .frameTooShort(let length):
            return "noise: transport frame of \(length) bytes is shorter than the 16-byte tag"
        case .decryptionFailed(let nonce):
            return "noise: transport frame with nonce \(nonce) failed authentication"
        case .nonceExhausted:
            return "noise: nonce space exhausted, connection must be closed"
        }
    }
}
