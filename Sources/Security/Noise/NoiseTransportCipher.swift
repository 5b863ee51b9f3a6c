@preconcurrency import Crypto
import NIOCore

/// One direction of a Noise transport session (noise.md §5): a key from Split and a nonce counter
/// starting at 0, empty associated data. Frames are `u16 BE length ‖ ciphertext ‖ 16-byte tag`,
/// at most 65535 bytes after the prefix.
///
/// Frames are sealed straight into the output buffer and opened straight into the plaintext buffer
/// (``NoiseChaChaPolyKey``): each byte passes through the cipher once and is not copied around it.
///
/// Keep one live copy and mutate it in place: two copies encrypting would reuse nonces.
public struct NoiseTransportCipher: Sendable {
    private let key: SymmetricKey
    private let aead: NoiseChaChaPolyKey
    /// The nonce of the next frame. Settable inside the module so tests can reach exhaustion.
    internal var nonce: UInt64

    init(key: SymmetricKey, nonce: UInt64 = 0) {
        self.key = key
        self.aead = NoiseChaChaPolyKey(key)
        self.nonce = nonce
    }

    /// The raw key bytes, for comparing against test vectors.
    var keyBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    /// Transport messages carry no associated data.
    private static var noAssociatedData: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    // MARK: - Sending

    /// Encrypts any amount of plaintext, appending as many frames as needed: full 65519-byte frames
    /// and one shorter last frame. Empty plaintext appends nothing.
    public mutating func encrypt(_ plaintext: ByteBuffer, appendingFramesTo out: inout ByteBuffer) throws(NoiseError) {
        let frameCount = (plaintext.readableBytes + NoiseProtocol.maxPlaintextLength - 1) / NoiseProtocol.maxPlaintextLength
        out.reserveCapacity(
            minimumWritableBytes: plaintext.readableBytes
                + frameCount * (NoiseProtocol.framePrefixLength + NoiseProtocol.tagLength))
        var remaining = plaintext
        while remaining.readableBytes > 0 {
            let length = min(remaining.readableBytes, NoiseProtocol.maxPlaintextLength)
            let chunk = remaining.readSlice(length: length) ?? ByteBuffer()
            try encryptFrame(chunk, appendingTo: &out)
        }
    }

    /// Encrypts at most 65519 bytes as one frame, appending the length prefix, ciphertext and tag.
    public mutating func encryptFrame(_ plaintext: ByteBuffer, appendingTo out: inout ByteBuffer) throws(NoiseError) {
        precondition(plaintext.readableBytes <= NoiseProtocol.maxPlaintextLength, "Noise frame plaintext over 65519 bytes")
        // Checked before the prefix is written so a failure leaves `out` untouched.
        guard nonce < UInt64.max else { throw .nonceExhausted }
        out.writeInteger(UInt16(plaintext.readableBytes + NoiseProtocol.tagLength))
        try encryptMessage(plaintext, appendingTo: &out)
    }

    /// Encrypts one Noise transport message without the length prefix (the form of the generic
    /// Noise vectors).
    mutating func encryptMessage(_ plaintext: ByteBuffer, appendingTo out: inout ByteBuffer) throws(NoiseError) {
        guard nonce < UInt64.max else { throw .nonceExhausted }
        let sealedLength = plaintext.readableBytes + NoiseProtocol.tagLength
        let (aead, counter) = (self.aead, nonce)
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: sealedLength) { destination in
            plaintext.withUnsafeReadableBytes { plain in
                aead.seal(plain, counter: counter, associatedData: Self.noAssociatedData, into: destination)
            }
            return sealedLength
        }
        nonce += 1
    }

    // MARK: - Receiving

    /// Authenticates and decrypts one frame body (without its length prefix), appending the
    /// plaintext to `out`.
    public mutating func decryptFrame(_ frame: ByteBuffer, appendingTo out: inout ByteBuffer) throws(NoiseError) {
        guard frame.readableBytes >= NoiseProtocol.tagLength else {
            throw .frameTooShort(length: frame.readableBytes)
        }
        guard nonce < UInt64.max else { throw .nonceExhausted }
        let plaintextLength = frame.readableBytes - NoiseProtocol.tagLength
        let (aead, counter) = (self.aead, nonce)
        var opened = false
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: plaintextLength) { destination in
            opened = frame.withUnsafeReadableBytes { sealed in
                aead.open(sealed, counter: counter, associatedData: Self.noAssociatedData, into: destination)
            }
            // Nothing is appended when authentication fails.
            return opened ? plaintextLength : 0
        }
        guard opened else { throw .decryptionFailed(nonce: nonce) }
        nonce += 1
    }
}
