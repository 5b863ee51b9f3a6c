import Core
import Identity
import Multiformats

/// Why a libp2p TLS handshake failed; every case names what was expected and what arrived.
public enum TLSError: Error, Sendable, Equatable {
    /// The peer presented no certificate, or more than the one self-signed certificate libp2p allows.
    case wrongCertificateCount(Int)
    /// The certificate's DER does not parse as X.509.
    case malformedCertificate(reason: String)
    /// The certificate lacks the libp2p Public Key Extension (OID 1.3.6.1.4.1.53594.1.1).
    case missingExtension
    /// The libp2p extension appears more than once.
    case duplicateExtension(count: Int)
    /// A critical extension we do not understand (RFC 5280: reject).
    case unknownCriticalExtension(oid: String)
    /// The extension's SignedKey structure or its host key protobuf does not decode.
    case malformedExtension(reason: String)
    /// The host key's type is one libp2p does not define.
    case unsupportedKeyType(reason: String)
    /// The host key's signature over "libp2p-tls-handshake:" ‖ SubjectPublicKeyInfo does not verify.
    case badExtensionSignature(keyType: KeyType)
    /// The certificate's own signature does not verify with its own key.
    case notSelfSigned
    /// Now is outside the certificate's validity window.
    case certificateNotValidNow(notBefore: String, notAfter: String, now: String)
    /// The certificate proves a different peer than the one dialed.
    case peerIDMismatch(expected: PeerID, actual: PeerID)
    /// The peer spoke an older TLS version (libp2p requires 1.3).
    case versionTooOld(detail: String)
    /// We offered muxers by ALPN and the peer chose none of our protocols, not even `libp2p`.
    case alpnDisagreement(offered: [String], chosen: String?)
    /// The connection closed before the handshake finished.
    case closedDuringHandshake
    /// The TLS library failed the handshake (alert, malformed record).
    case handshakeFailed(detail: String)
    /// We could not build our own certificate.
    case certificateCreationFailed(reason: String)
}

extension TLSError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .wrongCertificateCount(let count):
            return "tls: expected exactly one self-signed certificate, got \(count)"
        case .malformedCertificate(let reason):
            return "tls: certificate does not parse: \(reason)"
        case .missingExtension:
            return "tls: certificate has no libp2p public key extension (1.3.6.1.4.1.53594.1.1)"
        case .duplicateExtension(let count):
            return "tls: the libp2p public key extension appears \(count) times"
        case .unknownCriticalExtension(let oid):
            return "tls: certificate carries an unknown critical extension \(oid)"
        case .malformedExtension(let reason):
            return "tls: libp2p extension does not decode: \(reason)"
        case .unsupportedKeyType(let reason):
            return "tls: host key in the extension: \(reason)"
        case .badExtensionSignature(let keyType):
            return "tls: the \(keyType.name) host key's signature over the certificate key does not verify"
        case .notSelfSigned:
            return "tls: certificate is not signed by its own key"
        case .certificateNotValidNow(let notBefore, let notAfter, let now):
            return "tls: certificate valid \(notBefore) … \(notAfter), now is \(now)"
        case .peerIDMismatch(let expected, let actual):
            return "tls: expected peer \(expected), the certificate proves \(actual)"
        case .versionTooOld(let detail):
            return "tls: the peer does not speak TLS 1.3 (\(detail))"
        case .alpnDisagreement(let offered, let chosen):
            return "tls: offered ALPN \(offered.joined(separator: ", ")), the peer chose \(chosen ?? "none")"
        case .closedDuringHandshake:
            return "tls: connection closed during the handshake"
        case .handshakeFailed(let detail):
            return "tls: handshake failed: \(detail)"
        case .certificateCreationFailed(let reason):
            return "tls: could not create our certificate: \(reason)"
        }
    }
}

extension TLSError: UpgradeErrorConvertible {
    /// What the certificate proves belongs to peer verification; everything else to the TLS handshake.
    public func upgradeError(in phase: UpgradePhase) -> UpgradeError {
        let handshake = UpgradePhase.securityHandshake("tls")
        switch self {
        case .peerIDMismatch(let expected, let actual):
            return UpgradeError(phase: .peerVerification, kind: .peerIDMismatch(expected: expected, actual: actual),
                                expected: "peer \(expected)", got: "a certificate proving \(actual)")
        case .badExtensionSignature, .missingExtension, .duplicateExtension, .malformedExtension,
             .unsupportedKeyType, .notSelfSigned, .certificateNotValidNow, .wrongCertificateCount,
             .malformedCertificate, .unknownCriticalExtension:
            return UpgradeError(phase: .peerVerification, kind: .authenticationFailed,
                                expected: "one valid self-signed certificate with a signed libp2p key extension",
                                got: "\(self)")
        case .closedDuringHandshake:
            return UpgradeError(phase: handshake, kind: .connectionClosed,
                                expected: "the TLS handshake", got: "the connection closed")
        case .alpnDisagreement(let offered, let chosen):
            return UpgradeError(phase: handshake, kind: .noCommonProtocol,
                                expected: "one of \(offered.joined(separator: ", ")) by ALPN", got: chosen ?? "no ALPN choice")
        default:
            return UpgradeError(phase: handshake, kind: .protocolViolation,
                                expected: "a TLS 1.3 handshake", got: "\(self)")
        }
    }
}
