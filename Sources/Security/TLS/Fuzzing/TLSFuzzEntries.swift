import Foundation
import Identity
import Multiformats

/// Fuzz entry points for what a TLS peer's certificate carries.
package enum TLSFuzzEntries {
    /// A SignedKey extension re-encodes to exactly the DER it was read from (DER has one encoding).
    package static func keyExtension(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "tls-key-extension"
        guard let parsed = try? Libp2pKeyExtension(derEncoded: input[...]) else { return }
        try fuzzCheck((try? parsed.derEncoded()) == input, name, "re-encoding differs from the input DER")
    }

    /// A certificate that verifies names the host key that signed its key, and the same bytes verify the
    /// same way twice.
    package static func certificate(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "tls-certificate"
        guard let verified = try? TLSCertificateVerifier.verify(der: input, now: fixedNow) else { return }
        try fuzzCheck(verified.peerID == verified.hostKey.peerID, name, "peer ID is not the host key's")
        try fuzzCheck((try? TLSCertificateVerifier.verify(der: input, now: fixedNow)) == verified, name, "verification is not repeatable")
    }

    /// A fixed clock, so a seed certificate stays valid whenever the corpus is replayed.
    static let fixedNow = Date(timeIntervalSince1970: 1_800_000_000)

    /// Seed inputs: a certificate of ours (made for `fixedNow`) and its extension.
    package static func seeds() -> [String: [[UInt8]]] {
        guard let key = try? PrivateKey(keyType: .ed25519, rawData: [UInt8](repeating: 0x5e, count: 32)),
            let certificate = try? TLSLocalCertificate.make(hostKey: key, now: fixedNow)
        else { return [:] }
        var seeds: [String: [[UInt8]]] = ["tls-certificate": [certificate.der]]
        if let raw = try? RawCertificateFields(der: certificate.der),
            let entry = raw.extensions.first(where: { $0.oid == Libp2pKeyExtension.oid })
        {
            seeds["tls-key-extension"] = [Array(entry.value)]
        }
        return seeds
    }
}
