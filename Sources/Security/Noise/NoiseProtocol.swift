/// Constants of Noise as libp2p uses it (noise.md §1, §5).
public enum NoiseProtocol {
    /// The multistream-select protocol ID of the Noise security handshake.
    public static let multistreamID = "/noise"
    /// The only suite libp2p uses. Exactly 32 bytes, so it is the initial handshake hash as is.
    public static let name = "Noise_XX_25519_ChaChaPoly_SHA256"
    /// Largest Noise message (handshake or transport) after the 2-byte length prefix.
    public static let maxMessageLength = 65535
    /// ChaCha20-Poly1305 authentication tag length.
    public static let tagLength = 16
    /// Largest plaintext in one transport frame: 65535 − 16.
    public static let maxPlaintextLength = maxMessageLength - tagLength
    /// Length of the big-endian frame length prefix.
    public static let framePrefixLength = 2
    /// X25519 public key and shared secret length.
    static let dhLength = 32
    /// Hash output length of SHA-256.
    static let hashLength = 32
}

/// Which side of the handshake we are: the initiator sends messages 1 and 3.
public enum NoiseRole: Sendable, Equatable {
    case initiator
    case responder
}
