@preconcurrency import Crypto
import NIOCore

/// The CipherState of the Noise framework (rev. 34 §5.1) as used during the handshake: an optional
/// key and a nonce counter. Before `MixKey` installs a key, encryption is the identity.
struct NoiseCipherState: Sendable {
    private(set) var key: SymmetricKey?
    /// Settable inside the module so tests can reach nonce exhaustion.
    internal var nonce: UInt64 = 0

    var hasKey: Bool { key != nil }

    /// Installs a fresh key and resets the nonce (MixKey).
    mutating func initializeKey(_ newKey: SymmetricKey) {
        key = newKey
        nonce = 0
    }

    /// EncryptWithAd; returns the plaintext unchanged when no key is set.
    mutating func encrypt(associatedData: [UInt8], plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return plaintext }
        guard nonce < UInt64.max else { throw .nonceExhausted }
        var out = ByteBuffer()
        out.reserveCapacity(plaintext.count + NoiseProtocol.tagLength)
        plaintext.withUnsafeBytes { plain in
            associatedData.withUnsafeBytes { ad in
                NoiseAEAD.seal(plain, key: key, counter: nonce, associatedData: ad, appendingTo: &out)
            }
        }
        nonce += 1
        return Array(out.readableBytesView)
    }

    /// DecryptWithAd; returns nil when authentication fails (the caller knows which message it was).
    mutating func decrypt(associatedData: [UInt8], ciphertext: [UInt8]) throws(NoiseError) -> [UInt8]? {
        guard let key else { return ciphertext }
        guard nonce < UInt64.max else { throw .nonceExhausted }
        var out = ByteBuffer()
        let opened = ciphertext.withUnsafeBytes { sealed in
            associatedData.withUnsafeBytes { ad in
                NoiseAEAD.open(sealed, key: key, counter: nonce, associatedData: ad, appendingTo: &out)
            }
        }
        guard opened else { return nil }
        nonce += 1
        return Array(out.readableBytesView)
    }
}
