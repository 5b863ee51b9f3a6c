import Foundation
@preconcurrency import Crypto

/// Ed25519 public key: 32 raw bytes (RFC 8032), peer-id.md §2.
struct Ed25519PublicKey: Sendable {
    static let length = 32

    let raw: [UInt8]

    init(data: [UInt8]) throws(KeyError) {
        guard data.count == Self.length else {
            throw .wrongLength(keyType: .ed25519, expected: [Self.length], got: data.count)
        }
        raw = data
    }

    /// Plain Ed25519 over the message (no pre-hash).
    func verify(signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(Array(signature), for: Array(message))
    }
}

/// Ed25519 private key, stored as its 32-byte seed.
///
/// Written as seed ‖ public key (64 bytes, as go-libp2p does). Read from 32 bytes (py-libp2p writes
/// the seed alone), 64 bytes, or the legacy 96 bytes seed ‖ pub ‖ pub; any embedded public key must be
/// the one the seed derives.
struct Ed25519PrivateKey: Sendable {
    static let seedLength = 32

    let seed: [UInt8]
    let publicKey: Ed25519PublicKey
    /// Built once: constructing it from the seed derives the public key (a base-point multiplication),
    /// which made every signature cost two of them.
    private let signingKey: Curve25519.Signing.PrivateKey

    init(data: [UInt8]) throws(KeyError) {
        let seedLength = Self.seedLength
        let publicLength = Ed25519PublicKey.length
        let acceptedLengths = [seedLength, seedLength + publicLength, seedLength + 2 * publicLength]
        guard acceptedLengths.contains(data.count) else {
            throw .wrongLength(keyType: .ed25519, expected: acceptedLengths, got: data.count)
        }
        let seed = Array(data.prefix(seedLength))
        guard let signingKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw .invalidKeyData(keyType: .ed25519, reason: "seed rejected by Curve25519")
        }
        let derived = Array(signingKey.publicKey.rawRepresentation)
        var embedded = data.dropFirst(seedLength)
        while !embedded.isEmpty {
            guard embedded.prefix(publicLength).elementsEqual(derived) else {
                throw .invalidKeyData(keyType: .ed25519, reason: "embedded public key does not match the seed")
            }
            embedded = embedded.dropFirst(publicLength)
        }
        self.seed = seed
        self.signingKey = signingKey
        publicKey = Ed25519PublicKey(derivedFrom: signingKey)
    }

    private init(_ signingKey: Curve25519.Signing.PrivateKey) {
        seed = Array(signingKey.rawRepresentation)
        self.signingKey = signingKey
        publicKey = Ed25519PublicKey(derivedFrom: signingKey)
    }

    static func generate() -> Ed25519PrivateKey {
        Ed25519PrivateKey(Curve25519.Signing.PrivateKey())
    }

    /// Seed ‖ public key, the 64-byte form go-libp2p writes.
    var data: [UInt8] { seed + publicKey.raw }

    func sign(_ message: some DataProtocol) throws(KeyError) -> [UInt8] {
        do {
            return Array(try signingKey.signature(for: Array(message)))
        } catch {
            throw .signingFailed(keyType: .ed25519, reason: "\(error)")
        }
    }
}

extension Ed25519PublicKey {
    fileprivate init(derivedFrom signingKey: Curve25519.Signing.PrivateKey) {
        raw = Array(signingKey.publicKey.rawRepresentation)
    }
}
