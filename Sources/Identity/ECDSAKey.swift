import Foundation
import Crypto

/// ECDSA P-256 public key: DER SubjectPublicKeyInfo (peer-id.md §2).
struct ECDSAPublicKey: Sendable {
    let spki: [UInt8]

    init(data: [UInt8]) throws(KeyError) {
        _ = try decodeCanonicalDER(
            data,
            keyType: .ecdsa,
            form: "P-256 SubjectPublicKeyInfo",
            parse: { try P256.Signing.PublicKey(derRepresentation: $0) },
            encode: { $0.derRepresentation }
        )
        spki = data
    }

    fileprivate init(derivedFrom key: P256.Signing.PrivateKey) {
        spki = Array(key.publicKey.derRepresentation)
    }

    /// ECDSA over SHA-256(message); the signature is DER `SEQUENCE { r, s }`. Either S is accepted.
    func verify(signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        guard let key = try? P256.Signing.PublicKey(derRepresentation: spki),
            let parsed = try? P256.Signing.ECDSASignature(derRepresentation: Array(signature))
        else { return false }
        return key.isValidSignature(parsed, for: Array(message))
    }
}

/// ECDSA P-256 private key, stored as its scalar; marshaled as SEC1 `ECPrivateKey` DER.
struct ECDSAPrivateKey: Sendable {
    let scalar: [UInt8]
    let publicKey: ECDSAPublicKey
    private let publicPoint: [UInt8]

    init(data: [UInt8]) throws(KeyError) {
        let sec1: SEC1PrivateKey
        do {
            sec1 = try SEC1PrivateKey(der: data)
        } catch {
            throw .invalidKeyData(keyType: .ecdsa, reason: "\(error)")
        }
        guard let key = try? P256.Signing.PrivateKey(rawRepresentation: sec1.scalar) else {
            throw .invalidKeyData(keyType: .ecdsa, reason: "scalar is zero or not below the P-256 group order")
        }
        self.init(key)
        if let embedded = sec1.publicPoint, embedded != publicPoint {
            throw .invalidKeyData(keyType: .ecdsa, reason: "embedded public key does not match the private scalar")
        }
    }

    private init(_ key: P256.Signing.PrivateKey) {
        scalar = Array(key.rawRepresentation)
        publicPoint = Array(key.publicKey.x963Representation)
        publicKey = ECDSAPublicKey(derivedFrom: key)
    }

    static func generate() -> ECDSAPrivateKey {
        ECDSAPrivateKey(P256.Signing.PrivateKey())
    }

    var data: [UInt8] { SEC1PrivateKey(scalar: scalar, publicPoint: publicPoint).der }

    func sign(_ message: some DataProtocol) throws(KeyError) -> [UInt8] {
        do {
            let key = try P256.Signing.PrivateKey(rawRepresentation: scalar)
            return Array(try key.signature(for: Array(message)).derRepresentation)
        } catch {
            throw .signingFailed(keyType: .ecdsa, reason: "\(error)")
        }
    }
}
