@preconcurrency import Crypto

/// The SymmetricState of the Noise framework (rev. 34 §5.2): chaining key `ck`, handshake hash `h`
/// and the handshake CipherState (noise.md §2).
struct NoiseSymmetricState: Sendable {
    private(set) var chainingKey: [UInt8]
    private(set) var handshakeHash: [UInt8]
    private(set) var cipher = NoiseCipherState()

    /// InitializeSymmetric: a name of at most 32 bytes is zero-padded, a longer one hashed.
    init(protocolName: String) {
        let name = Array(protocolName.utf8)
        if name.count <= NoiseProtocol.hashLength {
            handshakeHash = name + [UInt8](repeating: 0, count: NoiseProtocol.hashLength - name.count)
        } else {
            handshakeHash = Array(SHA256.hash(data: name))
        }
        chainingKey = handshakeHash
    }

    var hasKey: Bool { cipher.hasKey }

    /// h = SHA256(h ‖ data)
    mutating func mixHash(_ data: [UInt8]) {
        var hasher = SHA256()
        hasher.update(data: handshakeHash)
        hasher.update(data: data)
        handshakeHash = Array(hasher.finalize())
    }

    /// (ck, k) = HKDF(ck, input); the cipher gets k with nonce 0.
    mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        let (newChainingKey, key) = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial)
        chainingKey = newChainingKey
        cipher.initializeKey(SymmetricKey(data: key))
    }

    /// Encrypts with h as associated data (or passes through before the first key), then mixes the
    /// ciphertext into h.
    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(associatedData: handshakeHash, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    /// Mirror of `encryptAndHash`; nil when authentication fails.
    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8]? {
        guard let plaintext = try cipher.decrypt(associatedData: handshakeHash, ciphertext: ciphertext) else {
            return nil
        }
        mixHash(ciphertext)
        return plaintext
    }

    /// Split: (k1, k2) = HKDF(ck, empty). k1 protects initiator → responder, k2 the other way.
    func split() -> (initiatorToResponder: NoiseTransportCipher, responderToInitiator: NoiseTransportCipher) {
        let (k1, k2) = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: [])
        return (NoiseTransportCipher(key: SymmetricKey(data: k1)), NoiseTransportCipher(key: SymmetricKey(data: k2)))
    }

    /// Noise HKDF with two outputs: t = HMAC(ck, ikm); o1 = HMAC(t, 0x01); o2 = HMAC(t, o1 ‖ 0x02).
    static func hkdf(chainingKey: [UInt8], inputKeyMaterial: [UInt8]) -> ([UInt8], [UInt8]) {
        let temporaryKey = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(for: inputKeyMaterial, using: SymmetricKey(data: chainingKey)))
        let output1 = Array(HMAC<SHA256>.authenticationCode(for: [0x01], using: temporaryKey))
        let output2 = Array(HMAC<SHA256>.authenticationCode(for: output1 + [0x02], using: temporaryKey))
        return (output1, output2)
    }
}
