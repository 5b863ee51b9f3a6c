import Crypto
import Foundation
import SwiftASN1
import X509

@testable import Identity
@testable import TLS

/// Certificates that break one libp2p rule each, built the way a misbehaving peer would.
enum HostileCertificates {
    enum Flaw {
        case noExtension
        case duplicateExtension
        case unknownCriticalExtension
        case garbageExtensionValue
        case signedByAnotherKey
        case hostKeySignsAnotherKey
    }

    static func make(_ flaw: Flaw, hostKey: PrivateKey) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let spki = Array(key.publicKey.derRepresentation)
        let signedSPKI = flaw == .hostKeySignsAnotherKey ? Array(P256.Signing.PrivateKey().publicKey.derRepresentation) : spki
        let signedKey = try Libp2pKeyExtension(signing: signedSPKI, with: hostKey)
        let good = Certificate.Extension(
            oid: Libp2pKeyExtension.oid, critical: false, value: ArraySlice(try signedKey.derEncoded()))
        var extensions: [Certificate.Extension]
        switch flaw {
        case .noExtension: extensions = []
        case .duplicateExtension:
            // swift-certificates refuses a repeated OID, so the twin goes in under …53594.1.2 and its last
            // OID byte is patched afterwards (which breaks the self-signature, checked later than this).
            extensions = [good, Certificate.Extension(oid: twinOID, critical: false, value: good.value)]
        case .unknownCriticalExtension:
            extensions = [good, Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 99999, 1], critical: true, value: [0x05, 0x00])]
        case .garbageExtensionValue:
            extensions = [Certificate.Extension(oid: Libp2pKeyExtension.oid, critical: false, value: [0x04, 0x01, 0xff])]
        case .signedByAnotherKey, .hostKeySignsAnotherKey: extensions = [good]
        }
        let signer = flaw == .signedByAnotherKey ? P256.Signing.PrivateKey() : key
        let name = try DistinguishedName { CommonName("hostile") }
        let container = try Certificate.Extensions(extensions)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: container,
            issuerPrivateKey: Certificate.PrivateKey(signer))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        var der = serializer.serializedBytes
        if flaw == .duplicateExtension {
            let twin: [UInt8] = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xa2, 0x5a, 0x01, 0x02]
            if let start = (0...(der.count - twin.count)).first(where: { Array(der[$0..<($0 + twin.count)]) == twin }) {
                der[start + twin.count - 1] = 0x01
            }
        }
        return der
    }

    static let twinOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 53594, 1, 2]
}
