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

/// peer-id.md §4: every spec key decodes, re-marshals byte for byte, and its private key derives its public key.
@Suite struct KeyVectorTests {
    struct Pair: Sendable, CustomTestStringConvertible {
        let keyType: KeyType
        let privateBytes: [UInt8]
        let publicBytes: [UInt8]
        let publicDataLength: Int
        var testDescription: String { keyType.name }
    }

    static let pairs: [Pair] = [
        Pair(keyType: .ed25519, privateBytes: KeyVectors.ed25519Private, publicBytes: KeyVectors.ed25519Public, publicDataLength: 32),
        Pair(keyType: .secp256k1, privateBytes: KeyVectors.secp256k1Private, publicBytes: KeyVectors.secp256k1Public, publicDataLength: 33),
        Pair(keyType: .ecdsa, privateBytes: KeyVectors.ecdsaPrivate, publicBytes: KeyVectors.ecdsaPublic, publicDataLength: 91),
        Pair(keyType: .rsa, privateBytes: KeyVectors.rsaPrivate, publicBytes: KeyVectors.rsaPublic, publicDataLength: 550),
    ]

    @Test(arguments: pairs)
    func publicKeyRoundTripsByteForByte(_ pair: Pair) throws {
        let key = try PublicKey(marshaled: pair.publicBytes)
        #expect(key.keyType == pair.keyType)
        #expect(key.rawData.count == pair.publicDataLength)
        #expect(key.marshal() == pair.publicBytes)
    }

    @Test(arguments: pairs)
    func privateKeyRoundTripsByteForByte(_ pair: Pair) throws {
        let key = try PrivateKey(marshaled: pair.privateBytes)
        #expect(key.keyType == pair.keyType)
        #expect(key.marshal() == pair.privateBytes)
    }

    @Test(arguments: pairs)
    func privateKeyDerivesTheVectorPublicKey(_ pair: Pair) throws {
        let key = try PrivateKey(marshaled: pair.privateBytes)
        #expect(key.publicKey.marshal() == pair.publicBytes)
        #expect(key.publicKey == (try PublicKey(marshaled: pair.publicBytes)))
    }

    @Test(arguments: pairs)
    func vectorKeySignsAndVerifies(_ pair: Pair) throws {
        let privateKey = try PrivateKey(marshaled: pair.privateBytes)
        let publicKey = try PublicKey(marshaled: pair.publicBytes)
        let message = Array("noise-libp2p-static-key:".utf8) + [UInt8](repeating: 7, count: 32)
        let signature = try privateKey.sign(message)
        #expect(publicKey.verify(signature: signature, for: message))
    }

    @Test func ed25519HelloSignatureMatchesTheDerivedVector() throws {
        let key = try PrivateKey(marshaled: KeyVectors.ed25519Private)
        let publicKey = try PublicKey(marshaled: KeyVectors.ed25519Public)
        #expect(publicKey.verify(signature: KeyVectors.ed25519HelloSignature, for: Array("hello".utf8)))
        #if !canImport(Darwin)
        // BoringSSL's Ed25519 is deterministic (RFC 8032); CryptoKit on Apple platforms randomizes.
        #expect(try key.sign(Array("hello".utf8)) == KeyVectors.ed25519HelloSignature)
        #endif
    }

    @Test func ed25519VectorPublicKeyIsTheTailOfThePrivateData() throws {
        let key = try PrivateKey(marshaled: KeyVectors.ed25519Private)
        #expect(Array(key.rawData.suffix(32)) == Array(KeyVectors.ed25519Public.suffix(32)))
    }
}
