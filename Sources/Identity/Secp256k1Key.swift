import Foundation
import CSecp256k1
import Crypto

/// secp256k1 public key: the 33-byte compressed SEC1 point (peer-id.md §2).
struct Secp256k1PublicKey: Sendable {
    static let compressedLength = 33

    let compressed: [UInt8]

    init(data: [UInt8]) throws(KeyError) {
        guard data.count == Self.compressedLength else {
            throw .wrongLength(keyType: .secp256k1, expected: [Self.compressedLength], got: data.count)
        }
        guard data[0] == 0x02 || data[0] == 0x03 else {
            throw .invalidKeyData(keyType: .secp256k1, reason: "prefix 0x\(String(data[0], radix: 16)) is not a compressed point (02/03)")
        }
        guard Self.parse(data) != nil else {
            throw .invalidKeyData(keyType: .secp256k1, reason: "not a point on the curve")
        }
        compressed = data
    }

    fileprivate init(validated compressed: [UInt8]) {
        self.compressed = compressed
    }

    /// Verifies an ECDSA signature (DER) over SHA-256(message).
    ///
    /// The signature is normalized to lower-S before verifying: libsecp256k1 refuses high-S
    /// signatures, which other libp2p implementations (btcec in go) produce and accept (peer-id.md §2).
    func verify(signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        let context = Secp256k1Context.shared.pointer
        guard var publicKey = Self.parse(compressed) else { return false }
        var parsed = secp256k1_ecdsa_signature()
        let der = Array(signature)
        let parsedOK = der.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            return secp256k1_ecdsa_signature_parse_der(context, &parsed, base, buffer.count)
        }
        guard parsedOK == 1 else { return false }
        var normalized = secp256k1_ecdsa_signature()
        _ = secp256k1_ecdsa_signature_normalize(context, &normalized, &parsed)
        let digest = Array(SHA256.hash(data: message))
        return secp256k1_ecdsa_verify(context, &normalized, digest, &publicKey) == 1
    }

    private static func parse(_ bytes: [UInt8]) -> secp256k1_pubkey? {
        var publicKey = secp256k1_pubkey()
        let ok = secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &publicKey, bytes, bytes.count)
        return ok == 1 ? publicKey : nil
    }
}

/// secp256k1 private key: the 32-byte big-endian scalar (peer-id.md §2).
struct Secp256k1PrivateKey: Sendable {
    static let scalarLength = 32

    let scalar: [UInt8]
    let publicKey: Secp256k1PublicKey

    init(data: [UInt8]) throws(KeyError) {
        guard data.count == Self.scalarLength else {
            throw .wrongLength(keyType: .secp256k1, expected: [Self.scalarLength], got: data.count)
        }
        guard let publicKey = Self.derivePublicKey(data) else {
            throw .invalidKeyData(keyType: .secp256k1, reason: "scalar is zero or not below the group order")
        }
        scalar = data
        self.publicKey = publicKey
    }

    static func generate() throws(KeyError) -> Secp256k1PrivateKey {
        var generator = SystemRandomNumberGenerator()
        // A uniformly random 256-bit string is out of range with probability below 2^-127; retry anyway.
        for _ in 0..<8 {
            let candidate = (0..<scalarLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            if let key = try? Secp256k1PrivateKey(data: candidate) { return key }
        }
        throw .generationFailed(keyType: .secp256k1, reason: "no valid scalar after 8 random draws")
    }

    var data: [UInt8] { scalar }

    /// ECDSA over SHA-256(message) with RFC 6979 nonces; DER-encoded, always lower-S.
    func sign(_ message: some DataProtocol) throws(KeyError) -> [UInt8] {
        let context = Secp256k1Context.shared.pointer
        let digest = Array(SHA256.hash(data: message))
        var signature = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_sign(context, &signature, digest, scalar, nil, nil) == 1 else {
            throw .signingFailed(keyType: .secp256k1, reason: "secp256k1_ecdsa_sign failed")
        }
        var der = [UInt8](repeating: 0, count: 72)
        var length = der.count
        guard secp256k1_ecdsa_signature_serialize_der(context, &der, &length, &signature) == 1 else {
            throw .signingFailed(keyType: .secp256k1, reason: "DER serialization needs more than 72 bytes")
        }
        return Array(der.prefix(length))
    }

    private static func derivePublicKey(_ scalar: [UInt8]) -> Secp256k1PublicKey? {
        let context = Secp256k1Context.shared.pointer
        guard secp256k1_ec_seckey_verify(context, scalar) == 1 else { return nil }
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &point, scalar) == 1 else { return nil }
        var compressed = [UInt8](repeating: 0, count: Secp256k1PublicKey.compressedLength)
        var length = compressed.count
        let ok = secp256k1_ec_pubkey_serialize(context, &compressed, &length, &point, UInt32(SECP256K1_EC_COMPRESSED))
        guard ok == 1, length == Secp256k1PublicKey.compressedLength else { return nil }
        return Secp256k1PublicKey(validated: compressed)
    }
}
