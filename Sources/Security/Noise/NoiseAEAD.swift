@preconcurrency import Crypto
import NIOCore

/// ChaCha20-Poly1305 as Noise uses it: 96-bit nonce = 4 zero bytes ‖ little-endian 64-bit counter
/// (noise.md §2).
enum NoiseAEAD {
    /// Builds the nonce on the stack; no heap allocation per frame.
    static func nonce(_ counter: UInt64) -> ChaChaPoly.Nonce {
        let words: (UInt32, UInt32, UInt32) = (
            0,
            UInt32(truncatingIfNeeded: counter).littleEndian,
            UInt32(truncatingIfNeeded: counter >> 32).littleEndian
        )
        return withUnsafeBytes(of: words) { bytes in
            do {
                return try ChaChaPoly.Nonce(data: bytes)
            } catch {
                preconditionFailure("a 12-byte ChaChaPoly nonce was rejected: \(error)")
            }
        }
    }

    /// Encrypts `plaintext` and appends `ciphertext ‖ tag` to `out`.
    static func seal(
        _ plaintext: UnsafeRawBufferPointer,
        key: SymmetricKey,
        counter: UInt64,
        associatedData: UnsafeRawBufferPointer,
        appendingTo out: inout ByteBuffer
    ) {
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce(counter), authenticating: associatedData)
        } catch {
            // Sealing only fails for a wrong key size, which our own key handling rules out.
            preconditionFailure("ChaChaPoly.seal failed: \(error)")
        }
        box.ciphertext.withUnsafeBytes { _ = out.writeBytes($0) }
        box.tag.withUnsafeBytes { _ = out.writeBytes($0) }
    }

    /// Authenticates and decrypts `ciphertext ‖ tag`, appending the plaintext to `out`.
    /// Returns false when authentication fails; `out` is then unchanged.
    static func open(
        _ sealed: UnsafeRawBufferPointer,
        key: SymmetricKey,
        counter: UInt64,
        associatedData: UnsafeRawBufferPointer,
        appendingTo out: inout ByteBuffer
    ) -> Bool {
        guard sealed.count >= NoiseProtocol.tagLength else { return false }
        let split = sealed.count - NoiseProtocol.tagLength
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: nonce(counter),
                ciphertext: UnsafeRawBufferPointer(rebasing: sealed[..<split]),
                tag: UnsafeRawBufferPointer(rebasing: sealed[split...])
            )
            let plaintext = try ChaChaPoly.open(box, using: key, authenticating: associatedData)
            plaintext.withUnsafeBytes { _ = out.writeBytes($0) }
            return true
        } catch {
            return false
        }
    }
}
