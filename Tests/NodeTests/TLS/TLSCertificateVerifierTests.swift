import Foundation
import Testing

@testable import Identity
@testable import TLS

@Suite("TLS: libp2p certificate verification")
struct TLSCertificateVerifierTests {
    @Test("spec vectors 1–3 give their peer IDs", arguments: [
        (TLSSpecVectors.ed25519, "12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv", KeyType.ed25519),
        (TLSSpecVectors.ecdsa, "QmfXbAwNjJLXfesgztEHe8HwgVDCMMpZ9Eax1HYq6hn9uE", KeyType.ecdsa),
        (TLSSpecVectors.secp256k1, "16Uiu2HAkutTMoTzDw1tCvSRtu6YoixJwS46S1ZFxW8hSx9fWHiPs", KeyType.secp256k1),
    ])
    func specVectorsVerify(hex: String, peerID: String, keyType: KeyType) throws {
        let verified = try TLSCertificateVerifier.verify(der: TLSSpecVectors.bytes(hex))
        #expect(verified.peerID.base58 == peerID)
        #expect(verified.hostKey.keyType == keyType)
    }

    @Test("spec vector 4: the SignedKey signature does not verify")
    func specVectorFourIsRejected() {
        #expect(throws: TLSError.badExtensionSignature(keyType: .ecdsa)) {
            try TLSCertificateVerifier.verify(der: TLSSpecVectors.bytes(TLSSpecVectors.invalidSignature))
        }
    }

    @Test("our certificates verify and prove our peer ID", arguments: KeyType.allCases)
    func ourCertificatesRoundTrip(keyType: KeyType) throws {
        let hostKey = try PrivateKey.generate(keyType)
        let local = try TLSLocalCertificate.make(hostKey: hostKey)
        let verified = try TLSCertificateVerifier.verify(der: local.der)
        #expect(verified.peerID == hostKey.peerID)
    }

    @Test func aChainOfTwoOrNoneIsRefused() throws {
        let local = try TLSLocalCertificate.make(hostKey: try PrivateKey.generate(.ed25519))
        #expect(throws: TLSError.wrongCertificateCount(2)) { try TLSCertificateVerifier.verify(chain: [local.der, local.der]) }
        #expect(throws: TLSError.wrongCertificateCount(0)) { try TLSCertificateVerifier.verify(chain: []) }
    }

    @Test func aCertificateOutsideItsValidityIsRefused() throws {
        let local = try TLSLocalCertificate.make(hostKey: try PrivateKey.generate(.ed25519))
        let later = Date().addingTimeInterval(200 * 365 * 86400)
        #expect {
            try TLSCertificateVerifier.verify(der: local.der, now: later)
        } throws: { error in
            guard case TLSError.certificateNotValidNow = error else { return false }
            return true
        }
    }

    @Test func garbageIsAMalformedCertificate() {
        #expect {
            try TLSCertificateVerifier.verify(der: [0x30, 0x03, 0x02, 0x01])
        } throws: { error in
            guard case TLSError.malformedCertificate = error else { return false }
            return true
        }
    }
}

@Suite("TLS: hostile certificates are refused by name")
struct TLSHostileCertificateTests {
    let hostKey = try! PrivateKey.generate(.ed25519)

    @Test func noExtension() throws {
        #expect(throws: TLSError.missingExtension) {
            try TLSCertificateVerifier.verify(der: try HostileCertificates.make(.noExtension, hostKey: hostKey))
        }
    }

    @Test func duplicateExtension() throws {
        let der = try HostileCertificates.make(.duplicateExtension, hostKey: hostKey)
        #expect(throws: TLSError.duplicateExtension(count: 2)) { try TLSCertificateVerifier.verify(der: der) }
    }

    @Test func unknownCriticalExtension() throws {
        let der = try HostileCertificates.make(.unknownCriticalExtension, hostKey: hostKey)
        #expect(throws: TLSError.unknownCriticalExtension(oid: "1.3.6.1.4.1.99999.1")) { try TLSCertificateVerifier.verify(der: der) }
    }

    @Test func garbageExtensionValue() throws {
        let der = try HostileCertificates.make(.garbageExtensionValue, hostKey: hostKey)
        #expect {
            try TLSCertificateVerifier.verify(der: der)
        } throws: { error in
            guard case TLSError.malformedExtension = error else { return false }
            return true
        }
    }

    @Test func notSelfSigned() throws {
        let der = try HostileCertificates.make(.signedByAnotherKey, hostKey: hostKey)
        #expect(throws: TLSError.notSelfSigned) { try TLSCertificateVerifier.verify(der: der) }
    }

    @Test func hostKeySignedADifferentCertificateKey() throws {
        let der = try HostileCertificates.make(.hostKeySignsAnotherKey, hostKey: hostKey)
        #expect(throws: TLSError.badExtensionSignature(keyType: .ed25519)) { try TLSCertificateVerifier.verify(der: der) }
    }

    @Test func anUnknownHostKeyTypeIsNamed() throws {
        // A PublicKey protobuf with key type 9 (undefined), then a signature.
        let signedKey = Libp2pKeyExtension(publicKey: [0x08, 0x09, 0x12, 0x01, 0x00], signature: [1, 2, 3])
        #expect {
            _ = try signedKey.verifiedHostKey(spki: [])
        } throws: { error in
            guard case TLSError.unsupportedKeyType = error else { return false }
            return true
        }
    }
}
