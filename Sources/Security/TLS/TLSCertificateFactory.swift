import Crypto
import Foundation
import Identity
import NIOSSL
import SwiftASN1
import X509

/// Our side's certificate: a fresh P-256 key per connection, self-signed, with the libp2p key
/// extension signed by the host key (so the host key never touches TLS itself).
package struct TLSLocalCertificate: @unchecked Sendable {
    // NIOSSLCertificate and NIOSSLPrivateKey are immutable wrappers the TLS library only reads.
    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey
    package let der: [UInt8]
    /// The certificate key's DER (SEC1), for TLS stacks outside NIOSSL (QUIC's GnuTLS).
    package let keyDER: [UInt8]

    package static func make(hostKey: PrivateKey, now: Date = Date()) throws(TLSError) -> TLSLocalCertificate {
        do {
            let key = P256.Signing.PrivateKey()
            let certificateKey = Certificate.PrivateKey(key)
            // swift-crypto's DER form of a P-256 public key is exactly the SubjectPublicKeyInfo.
            let spki = Array(key.publicKey.derRepresentation)
            let signedKey = try Libp2pKeyExtension(signing: spki, with: hostKey)
            let keyExtension = Certificate.Extension(
                oid: Libp2pKeyExtension.oid, critical: false, value: ArraySlice(try signedKey.derEncoded()))
            // A random serial below 2^62 like go; the subject only has to equal the issuer (go puts the
            // random number in SERIALNUMBER, a common name serves as well: nothing checks it).
            let serial = UInt64.random(in: 1..<(1 << 62))
            let name = try DistinguishedName { CommonName(String(serial)) }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(bytes: Self.bigEndian(serial)),
                publicKey: certificateKey.publicKey,
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(100 * 365 * 86400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions([keyExtension]), issuerPrivateKey: certificateKey)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            let der = serializer.serializedBytes
            return TLSLocalCertificate(
                certificate: try NIOSSLCertificate(bytes: der, format: .der),
                privateKey: try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der),
                der: der, keyDER: Array(key.derRepresentation))
        } catch let error as TLSError {
            throw error
        } catch {
            throw .certificateCreationFailed(reason: "\(error)")
        }
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }.drop { $0 == 0 }.map { $0 }
    }
}
