import Foundation
import Crypto
import _CryptoExtras

/// RSA modulus sizes accepted from anywhere (go-libp2p enforces the same range).
enum RSAKeySizeLimits {
    static let minimumBits = 2048
    static let maximumBits = 8192
    static let generatedBits = 2048

    /// Reads the modulus size with our own DER walk (so oversized keys never reach BoringSSL and
    /// undersized ones get a typed error with their real bit count), then checks the range.
    static func check(_ data: [UInt8], modulusBitsOf readBits: ([UInt8]) throws(DERError) -> Int) throws(KeyError) {
        let bits: Int
        do {
            bits = try readBits(data)
        } catch {
            throw .invalidKeyData(keyType: .rsa, reason: error.description)
        }
        try check(bits: bits)
    }

    static func check(bits: Int) throws(KeyError) {
        guard bits >= minimumBits else { throw .rsaKeyTooSmall(bits: bits) }
        guard bits <= maximumBits else { throw .rsaKeyTooLarge(bits: bits) }
    }
}

/// RSA public key: DER SubjectPublicKeyInfo (peer-id.md §2); signatures are RSASSA-PKCS1-v1_5 with SHA-256.
struct RSAPublicKey: Sendable {
    /// DER of OID 1.2.840.113549.1.1.1 (rsaEncryption), without tag and length.
    static let rsaEncryptionOID: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]

    let spki: [UInt8]
    private let key: _RSA.Signing.PublicKey

    init(data: [UInt8]) throws(KeyError) {
        try RSAKeySizeLimits.check(data, modulusBitsOf: Self.modulusBits(spki:))
        let key = try decodeCanonicalDER(
            data,
            keyType: .rsa,
            form: "SubjectPublicKeyInfo",
            parse: { try _RSA.Signing.PublicKey(derRepresentation: $0) },
            encode: { $0.derRepresentation }
        )
        spki = data
        self.key = key
    }

    fileprivate init(_ key: _RSA.Signing.PublicKey) {
        spki = Array(key.derRepresentation)
        self.key = key
    }

    func verify(signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: Array(signature)),
            for: Array(message),
            padding: .insecurePKCS1v1_5
        )
    }

    /// `SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }` → bits of the modulus.
    private static func modulusBits(spki: [UInt8]) throws(DERError) -> Int {
        var outer = DER.Reader(spki[...])
        var info = DER.Reader(try outer.read(expecting: DER.Tag.sequence, "SubjectPublicKeyInfo"))
        try outer.expectEnd("SubjectPublicKeyInfo")
        var algorithm = DER.Reader(try info.read(expecting: DER.Tag.sequence, "AlgorithmIdentifier"))
        let oid = try algorithm.read(expecting: DER.Tag.objectIdentifier, "algorithm")
        guard oid.elementsEqual(rsaEncryptionOID) else { throw DERError("algorithm is not rsaEncryption") }
        let bits = try info.read(expecting: DER.Tag.bitString, "subjectPublicKey")
        try info.expectEnd("SubjectPublicKeyInfo")
        guard bits.first == 0 else { throw DERError("subjectPublicKey BIT STRING has unused bits") }
        var wrapper = DER.Reader(bits.dropFirst())
        var rsaPublicKey = DER.Reader(try wrapper.read(expecting: DER.Tag.sequence, "RSAPublicKey"))
        try wrapper.expectEnd("subjectPublicKey")
        return try DER.positiveIntegerBitLength(try rsaPublicKey.read(expecting: DER.Tag.integer, "modulus"))
    }
}

/// RSA private key, marshaled as DER PKCS#1 `RSAPrivateKey` (peer-id.md §2).
struct RSAPrivateKey: Sendable {
    let pkcs1: [UInt8]
    let publicKey: RSAPublicKey
    private let key: _RSA.Signing.PrivateKey

    init(data: [UInt8]) throws(KeyError) {
        try RSAKeySizeLimits.check(data, modulusBitsOf: Self.modulusBits(pkcs1:))
        // The canonical check also rejects PKCS#8, which swift-crypto would otherwise accept here.
        let key = try decodeCanonicalDER(
            data,
            keyType: .rsa,
            form: "PKCS#1 RSAPrivateKey",
            parse: { try _RSA.Signing.PrivateKey(derRepresentation: $0) },
            encode: { $0.derRepresentation }
        )
        self.init(key)
    }

    private init(_ key: _RSA.Signing.PrivateKey) {
        pkcs1 = Array(key.derRepresentation)
        publicKey = RSAPublicKey(key.publicKey)
        self.key = key
    }

    static func generate() throws(KeyError) -> RSAPrivateKey {
        do {
            return RSAPrivateKey(try _RSA.Signing.PrivateKey(keySize: .init(bitCount: RSAKeySizeLimits.generatedBits)))
        } catch {
            throw .generationFailed(keyType: .rsa, reason: "\(error)")
        }
    }

    var data: [UInt8] { pkcs1 }

    func sign(_ message: some DataProtocol) throws(KeyError) -> [UInt8] {
        do {
            return Array(try key.signature(for: Array(message), padding: .insecurePKCS1v1_5).rawRepresentation)
        } catch {
            throw .signingFailed(keyType: .rsa, reason: "\(error)")
        }
    }

    /// `SEQUENCE { INTEGER version, INTEGER modulus, … }` → bits of the modulus.
    private static func modulusBits(pkcs1: [UInt8]) throws(DERError) -> Int {
        var outer = DER.Reader(pkcs1[...])
        var fields = DER.Reader(try outer.read(expecting: DER.Tag.sequence, "RSAPrivateKey"))
        try outer.expectEnd("RSAPrivateKey")
        _ = try fields.read(expecting: DER.Tag.integer, "version")
        return try DER.positiveIntegerBitLength(try fields.read(expecting: DER.Tag.integer, "modulus"))
    }
}
