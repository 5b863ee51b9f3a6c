import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

/// peer-id.md §2: what each key type's `Data` may hold, and the typed errors for everything else.
@Suite struct KeyMaterialTests {
    // MARK: - Ed25519

    static let ed25519Seed = Array(KeyVectors.ed25519Private.dropFirst(4).prefix(32))
    static let ed25519PublicRaw = Array(KeyVectors.ed25519Public.dropFirst(4))

    @Test func ed25519SeedOnlyPrivateKeyIsAcceptedAndRewrittenAs64Bytes() throws {
        // py-libp2p 0.8.1 writes the 32-byte seed alone.
        let key = try PrivateKey(keyType: .ed25519, rawData: Self.ed25519Seed)
        #expect(key.marshal() == KeyVectors.ed25519Private)
    }

    @Test func ed25519Legacy96BytePrivateKeyIsAccepted() throws {
        let key = try PrivateKey(keyType: .ed25519, rawData: Self.ed25519Seed + Self.ed25519PublicRaw + Self.ed25519PublicRaw)
        #expect(key.marshal() == KeyVectors.ed25519Private)
    }

    @Test func ed25519Legacy96BytePrivateKeyWithDifferentPublicKeysIsRejected() {
        var second = Self.ed25519PublicRaw
        second[0] ^= 0x01
        let error = #expect(throws: KeyError.self) {
            try PrivateKey(keyType: .ed25519, rawData: Self.ed25519Seed + Self.ed25519PublicRaw + second)
        }
        #expect(error?.invalidKeyDataType == .ed25519)
    }

    @Test func ed25519PrivateKeyWhosePublicPartDoesNotMatchTheSeedIsRejected() {
        var wrongPublic = Self.ed25519PublicRaw
        wrongPublic[31] ^= 0x80
        let error = #expect(throws: KeyError.self) {
            try PrivateKey(keyType: .ed25519, rawData: Self.ed25519Seed + wrongPublic)
        }
        #expect(error?.invalidKeyDataType == .ed25519)
    }

    @Test func ed25519WrongLengthsAreRejected() {
        #expect(throws: KeyError.wrongLength(keyType: .ed25519, expected: [32, 64, 96], got: 48)) {
            try PrivateKey(keyType: .ed25519, rawData: [UInt8](repeating: 1, count: 48))
        }
        #expect(throws: KeyError.wrongLength(keyType: .ed25519, expected: [32], got: 31)) {
            try PublicKey(marshaled: [0x08, 0x01, 0x12, 0x1F] + Self.ed25519PublicRaw.dropLast())
        }
        #expect(throws: KeyError.wrongLength(keyType: .ed25519, expected: [32], got: 33)) {
            try PublicKey(keyType: .ed25519, rawData: Self.ed25519PublicRaw + [0])
        }
    }

    // MARK: - secp256k1

    /// The secp256k1 group order n.
    static let secp256k1Order = IdentityHex.bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    @Test func secp256k1ScalarsOutOfRangeAreRejected() {
        for scalar in [[UInt8](repeating: 0, count: 32), Self.secp256k1Order, [UInt8](repeating: 0xFF, count: 32)] {
            let error = #expect(throws: KeyError.self) { try PrivateKey(keyType: .secp256k1, rawData: scalar) }
            #expect(error?.invalidKeyDataType == .secp256k1)
        }
    }

    @Test func secp256k1WrongLengthsAreRejected() {
        #expect(throws: KeyError.wrongLength(keyType: .secp256k1, expected: [32], got: 31)) {
            try PrivateKey(keyType: .secp256k1, rawData: [UInt8](repeating: 1, count: 31))
        }
        // An uncompressed point (65 bytes) is valid SEC1 but not the libp2p form.
        #expect(throws: KeyError.wrongLength(keyType: .secp256k1, expected: [33], got: 65)) {
            try PublicKey(keyType: .secp256k1, rawData: [0x04] + [UInt8](repeating: 1, count: 64))
        }
    }

    @Test func secp256k1PublicKeyMustBeACompressedCurvePoint() {
        let x = Array(KeyVectors.secp256k1Public.dropFirst(5))
        for bad in [[0x04] + x, [0x02] + [UInt8](repeating: 0xFF, count: 32)] {
            let error = #expect(throws: KeyError.self) { try PublicKey(keyType: .secp256k1, rawData: bad) }
            #expect(error?.invalidKeyDataType == .secp256k1)
        }
    }

    // MARK: - ECDSA

    static let ecdsaSEC1 = Array(KeyVectors.ecdsaPrivate.dropFirst(4))
    static let ecdsaPoint = Array(KeyVectors.ecdsaPublic.suffix(65))

    @Test func ecdsaSEC1WithoutEmbeddedPublicKeyIsAcceptedAndCompleted() throws {
        let sec1 = try SEC1PrivateKey(der: Self.ecdsaSEC1)
        #expect(sec1.publicPoint == Self.ecdsaPoint)
        let withoutPublic = SEC1PrivateKey(scalar: sec1.scalar, publicPoint: nil).der
        let key = try PrivateKey(keyType: .ecdsa, rawData: withoutPublic)
        #expect(key.marshal() == KeyVectors.ecdsaPrivate)
    }

    @Test func ecdsaSEC1WithMismatchedPublicKeyIsRejected() {
        var bytes = Self.ecdsaSEC1
        bytes[bytes.count - 1] ^= 0x01
        let error = #expect(throws: KeyError.self) { try PrivateKey(keyType: .ecdsa, rawData: bytes) }
        #expect(error?.invalidKeyDataType == .ecdsa)
    }

    @Test func ecdsaSEC1OnAnotherCurveIsRejected() throws {
        let sec1 = try SEC1PrivateKey(der: Self.ecdsaSEC1)
        let secp384r1OID: [UInt8] = [0x2B, 0x81, 0x04, 0x00, 0x22]
        let fields = DER.encode(tag: DER.Tag.integer, content: [1])
            + DER.encode(tag: DER.Tag.octetString, content: sec1.scalar)
            + DER.encode(tag: DER.Tag.contextSpecific0, content: DER.encode(tag: DER.Tag.objectIdentifier, content: secp384r1OID))
        let error = #expect(throws: KeyError.self) {
            try PrivateKey(keyType: .ecdsa, rawData: DER.encode(tag: DER.Tag.sequence, content: fields))
        }
        #expect(error?.invalidKeyDataType == .ecdsa)
    }

    @Test func ecdsaSEC1WithWrongVersionOrTrailingBytesIsRejected() {
        var wrongVersion = Self.ecdsaSEC1
        wrongVersion[4] = 0x02
        for bad in [wrongVersion, Self.ecdsaSEC1 + [0x00], Array(Self.ecdsaSEC1.dropLast())] {
            let error = #expect(throws: KeyError.self) { try PrivateKey(keyType: .ecdsa, rawData: bad) }
            #expect(error?.invalidKeyDataType == .ecdsa)
        }
    }

    @Test func ecdsaCompressedPointSPKIIsRejected() {
        // Same key, compressed point: a different byte string would give a different peer ID.
        let prefix: UInt8 = Self.ecdsaPoint[64] & 1 == 0 ? 0x02 : 0x03
        let algorithm = DER.encode(
            tag: DER.Tag.sequence,
            content: Array(KeyVectors.ecdsaPublic[8..<27])
        )
        let spki = DER.encode(
            tag: DER.Tag.sequence,
            content: algorithm + DER.encode(tag: DER.Tag.bitString, content: [0, prefix] + Self.ecdsaPoint[1..<33])
        )
        let error = #expect(throws: KeyError.self) { try PublicKey(keyType: .ecdsa, rawData: spki) }
        #expect(error?.invalidKeyDataType == .ecdsa)
    }

    @Test func ecdsaGarbageSPKIIsRejected() {
        let data = Array(KeyVectors.ecdsaPublic.dropFirst(4))
        for bad in [[], data + [0], Array(data.dropLast()), [UInt8](repeating: 0x30, count: 91)] {
            let error = #expect(throws: KeyError.self) { try PublicKey(keyType: .ecdsa, rawData: bad) }
            #expect(error?.invalidKeyDataType == .ecdsa)
        }
    }

    // MARK: - RSA

    static let rsaSPKI = Array(KeyVectors.rsaPublic.dropFirst(5))
    static let rsaPKCS1 = Array(KeyVectors.rsaPrivate.dropFirst(5))

    /// An SPKI whose modulus has exactly `bits` bits (not a real key: the size check runs first).
    static func syntheticRSASPKI(bits: Int) -> [UInt8] {
        let byteCount = (bits + 7) / 8
        var modulus = [UInt8](repeating: 0xC5, count: byteCount)
        modulus[0] = UInt8(1 << ((bits - 1) % 8))
        if modulus[0] & 0x80 != 0 { modulus.insert(0, at: 0) }
        let rsaPublicKey = DER.encode(
            tag: DER.Tag.sequence,
            content: DER.encode(tag: DER.Tag.integer, content: modulus) + DER.encode(tag: DER.Tag.integer, content: [1, 0, 1])
        )
        let algorithm = DER.encode(
            tag: DER.Tag.sequence,
            content: DER.encode(tag: DER.Tag.objectIdentifier, content: RSAPublicKey.rsaEncryptionOID) + [DER.Tag.null, 0]
        )
        return DER.encode(tag: DER.Tag.sequence, content: algorithm + DER.encode(tag: DER.Tag.bitString, content: [0] + rsaPublicKey))
    }

    @Test(arguments: [512, 1024, 2047])
    func rsaPublicKeysBelow2048BitsAreRejected(_ bits: Int) {
        #expect(throws: KeyError.rsaKeyTooSmall(bits: bits)) {
            try PublicKey(keyType: .rsa, rawData: Self.syntheticRSASPKI(bits: bits))
        }
    }

    @Test func rsaPublicKeysAbove8192BitsAreRejected() {
        #expect(throws: KeyError.rsaKeyTooLarge(bits: 8200)) {
            try PublicKey(keyType: .rsa, rawData: Self.syntheticRSASPKI(bits: 8200))
        }
    }

    @Test func rsaPrivateKeysBelow2048BitsAreRejected() {
        let modulus = [0x00, 0x80] + [UInt8](repeating: 0x11, count: 127)
        let fields = DER.encode(tag: DER.Tag.integer, content: [0]) + DER.encode(tag: DER.Tag.integer, content: modulus)
        #expect(throws: KeyError.rsaKeyTooSmall(bits: 1024)) {
            try PrivateKey(keyType: .rsa, rawData: DER.encode(tag: DER.Tag.sequence, content: fields))
        }
    }

    @Test func rsaBarePKCS1PublicKeyIsRejected() throws {
        // RSAPublicKey without the SPKI wrapper: BoringSSL would accept it, libp2p does not.
        var reader = DER.Reader(Self.rsaSPKI[...])
        var info = DER.Reader(try reader.read(expecting: DER.Tag.sequence, "spki"))
        _ = try info.read(expecting: DER.Tag.sequence, "algorithm")
        let bits = try info.read(expecting: DER.Tag.bitString, "key")
        let error = #expect(throws: KeyError.self) { try PublicKey(keyType: .rsa, rawData: Array(bits.dropFirst())) }
        #expect(error?.invalidKeyDataType == .rsa)
    }

    @Test func rsaPKCS8PrivateKeyIsRejected() {
        let algorithm = DER.encode(
            tag: DER.Tag.sequence,
            content: DER.encode(tag: DER.Tag.objectIdentifier, content: RSAPublicKey.rsaEncryptionOID) + [DER.Tag.null, 0]
        )
        let pkcs8 = DER.encode(
            tag: DER.Tag.sequence,
            content: DER.encode(tag: DER.Tag.integer, content: [0]) + algorithm
                + DER.encode(tag: DER.Tag.octetString, content: Self.rsaPKCS1)
        )
        let error = #expect(throws: KeyError.self) { try PrivateKey(keyType: .rsa, rawData: pkcs8) }
        #expect(error?.invalidKeyDataType == .rsa)
    }

    @Test func rsaKeysWithTrailingBytesAreRejected() {
        let publicError = #expect(throws: KeyError.self) { try PublicKey(keyType: .rsa, rawData: Self.rsaSPKI + [0]) }
        #expect(publicError?.invalidKeyDataType == .rsa)
        let privateError = #expect(throws: KeyError.self) { try PrivateKey(keyType: .rsa, rawData: Self.rsaPKCS1 + [0]) }
        #expect(privateError?.invalidKeyDataType == .rsa)
    }
}
