import Foundation
import Identity
import Multiformats
import SwiftASN1
import X509

/// libp2p's check of a peer's certificate, in place of PKI validation: one self-signed certificate,
/// valid now, carrying a libp2p key extension whose host key signed the certificate's key.
package enum TLSCertificateVerifier {
    package struct Verified: Sendable, Equatable {
        package let hostKey: PublicKey
        package var peerID: PeerID { hostKey.peerID }
    }

    /// Verifies the peer's chain as the TLS library hands it over (leaf first).
    package static func verify(chain: [[UInt8]], now: Date = Date()) throws(TLSError) -> Verified {
        guard chain.count == 1, let der = chain.first else { throw .wrongCertificateCount(chain.count) }
        return try verify(der: der, now: now)
    }

    package static func verify(der: [UInt8], now: Date = Date()) throws(TLSError) -> Verified {
        let raw = try RawCertificateFields(der: der)
        var keyExtensions: [RawCertificateFields.RawExtension] = []
        for entry in raw.extensions {
            if entry.oid == Libp2pKeyExtension.oid {
                keyExtensions.append(entry)
            } else if entry.critical, !understoodCriticalExtensions.contains(entry.oid) {
                throw .unknownCriticalExtension(oid: entry.oid.description)
            }
        }
        guard keyExtensions.count <= 1 else { throw .duplicateExtension(count: keyExtensions.count) }
        guard let keyExtension = keyExtensions.first else { throw .missingExtension }

        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw .malformedCertificate(reason: "\(error)")
        }
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw .certificateNotValidNow(
                notBefore: "\(certificate.notValidBefore)", notAfter: "\(certificate.notValidAfter)", now: "\(now)")
        }
        guard certificate.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw .notSelfSigned
        }
        let signedKey = try Libp2pKeyExtension(derEncoded: keyExtension.value)
        return Verified(hostKey: try signedKey.verifiedHostKey(spki: raw.subjectPublicKeyInfo))
    }

    /// Critical extensions a plain self-signed certificate may carry that do not change what libp2p
    /// checks (basic constraints, key usage, extended key usage).
    static let understoodCriticalExtensions: Set<ASN1ObjectIdentifier> = [
        [2, 5, 29, 19], [2, 5, 29, 15], [2, 5, 29, 37],
    ]
}
