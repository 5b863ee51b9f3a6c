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

/// peer-id.md §2 signatures: round trips, tampering, and secp256k1's high-S acceptance.
@Suite struct SignatureTests {
    static let fastKeyTypes: [KeyType] = [.ed25519, .secp256k1, .ecdsa]
    static let message = Array("libp2p-tls-handshake:".utf8) + Array(0..<64)

    @Test(arguments: fastKeyTypes)
    func generatedKeySignsAndVerifies(_ keyType: KeyType) throws {
        let key = try PrivateKey.generate(keyType)
        #expect(key.keyType == keyType)
        let signature = try key.sign(Self.message)
        #expect(key.publicKey.verify(signature: signature, for: Self.message))
    }

    @Test(arguments: fastKeyTypes)
    func tamperedSignatureIsRejected(_ keyType: KeyType) throws {
        let key = try PrivateKey.generate(keyType)
        let signature = try key.sign(Self.message)
        for index in [0, signature.count / 2, signature.count - 1] {
            var tampered = signature
            tampered[index] ^= 0x01
            #expect(!key.publicKey.verify(signature: tampered, for: Self.message), "byte \(index) flipped")
        }
        #expect(!key.publicKey.verify(signature: signature.dropLast(), for: Self.message))
        #expect(!key.publicKey.verify(signature: signature + [0], for: Self.message))
        #expect(!key.publicKey.verify(signature: [UInt8](), for: Self.message))
    }

    @Test(arguments: fastKeyTypes)
    func tamperedMessageIsRejected(_ keyType: KeyType) throws {
        let key = try PrivateKey.generate(keyType)
        let signature = try key.sign(Self.message)
        var tampered = Self.message
        tampered[3] ^= 0x20
        #expect(!key.publicKey.verify(signature: signature, for: tampered))
        #expect(!key.publicKey.verify(signature: signature, for: Self.message.dropLast()))
    }

    @Test(arguments: fastKeyTypes)
    func signatureFromAnotherKeyIsRejected(_ keyType: KeyType) throws {
        let signer = try PrivateKey.generate(keyType)
        let other = try PrivateKey.generate(keyType)
        #expect(signer.publicKey != other.publicKey)
        #expect(!other.publicKey.verify(signature: try signer.sign(Self.message), for: Self.message))
    }

    @Test(arguments: fastKeyTypes)
    func generatedKeyMarshalsAndUnmarshals(_ keyType: KeyType) throws {
        let key = try PrivateKey.generate(keyType)
        let reloaded = try PrivateKey(marshaled: key.marshal())
        #expect(reloaded.marshal() == key.marshal())
        #expect(reloaded.publicKey == key.publicKey)
        let publicKey = try PublicKey(marshaled: key.publicKey.marshal())
        #expect(publicKey == key.publicKey)
        #expect(publicKey.hashValue == key.publicKey.hashValue)
        let expectedPrivateLength = [KeyType.ed25519: 64, .secp256k1: 32, .ecdsa: 121][keyType]
        #expect(key.rawData.count == expectedPrivateLength)
    }

    @Test func rsa2048KeyGeneratesSignsVerifiesAndRoundTrips() throws {
        let key = try PrivateKey.generate(.rsa)
        let reloaded = try PrivateKey(marshaled: key.marshal())
        #expect(reloaded.publicKey == key.publicKey)
        let signature = try reloaded.sign(Self.message)
        #expect(signature.count == 256)
        #expect(key.publicKey.verify(signature: signature, for: Self.message))
        var tampered = signature
        tampered[100] ^= 0x01
        #expect(!key.publicKey.verify(signature: tampered, for: Self.message))
        #expect(!key.publicKey.verify(signature: signature, for: Self.message + [0]))
        #expect(try PublicKey(marshaled: key.publicKey.marshal()) == key.publicKey)
    }

    @Test func rsaVectorVerifiesOnlyPKCS1v15SHA256Signatures() throws {
        let key = try PrivateKey(marshaled: KeyVectors.rsaPrivate)
        let signature = try key.sign(Self.message)
        #expect(signature.count == 512)
        // PKCS#1 v1.5 signatures are deterministic.
        #expect(try key.sign(Self.message) == signature)
        #expect(!key.publicKey.verify(signature: signature, for: Self.message.dropFirst()))
    }

    // MARK: - secp256k1 signature form

    /// The secp256k1 group order n, big-endian.
    static let order = IdentityHex.bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    @Test func secp256k1SignaturesAreDeterministicLowSDER() throws {
        let key = try PrivateKey(marshaled: KeyVectors.secp256k1Private)
        let signature = try key.sign(Self.message)
        #expect(try key.sign(Self.message) == signature)
        let (_, s) = try Self.splitDERSignature(signature)
        let halfOrder = Self.shiftedRightByOne(Self.order)
        #expect(Self.pad32(s).lexicographicallyPrecedes(halfOrder) || Self.pad32(s) == halfOrder)
    }

    @Test func secp256k1HighSSignatureIsAccepted() throws {
        let key = try PrivateKey(marshaled: KeyVectors.secp256k1Private)
        let lowS = try key.sign(Self.message)
        let (r, s) = try Self.splitDERSignature(lowS)
        let highS = Self.subtract(Self.order, Self.pad32(s))
        let highSSignature = Self.derSignature(r: r, s: highS)
        #expect(highSSignature != lowS)
        #expect(key.publicKey.verify(signature: highSSignature, for: Self.message))
        #expect(!key.publicKey.verify(signature: highSSignature, for: Self.message + [1]))
    }

    // MARK: - Helpers (big-endian arithmetic on 32-byte values, DER signature layout)

    static func splitDERSignature(_ der: [UInt8]) throws -> (r: [UInt8], s: [UInt8]) {
        var outer = DER.Reader(der[...])
        var fields = DER.Reader(try outer.read(expecting: DER.Tag.sequence, "signature"))
        let r = try fields.read(expecting: DER.Tag.integer, "r")
        let s = try fields.read(expecting: DER.Tag.integer, "s")
        try fields.expectEnd("signature")
        try outer.expectEnd("signature")
        return (Array(r), Array(s))
    }

    static func derSignature(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ value: [UInt8]) -> [UInt8] {
            var magnitude = Array(value.drop(while: { $0 == 0 }))
            if magnitude.first.map({ $0 & 0x80 != 0 }) ?? true { magnitude.insert(0, at: 0) }
            return DER.encode(tag: DER.Tag.integer, content: magnitude)
        }
        return DER.encode(tag: DER.Tag.sequence, content: integer(r) + integer(s))
    }

    static func pad32(_ integer: [UInt8]) -> [UInt8] {
        let magnitude = Array(integer.drop(while: { $0 == 0 }))
        return [UInt8](repeating: 0, count: 32 - magnitude.count) + magnitude
    }

    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in (0..<32).reversed() {
            var difference = Int(a[index]) - Int(b[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            result[index] = UInt8(difference)
        }
        return result
    }

    static func shiftedRightByOne(_ value: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: value.count)
        var carry: UInt8 = 0
        for index in value.indices {
            result[index] = (value[index] >> 1) | carry
            carry = (value[index] & 1) << 7
        }
        return result
    }
}
