import CNoiseChaChaPoly
@preconcurrency import Crypto

/// One direction's ChaCha20-Poly1305 key schedule for Noise transport frames, sealing and opening on
/// caller-owned memory (the frame buffers themselves) instead of returning fresh `Data` per frame as
/// swift-crypto's `ChaChaPoly` does. Same algorithm and nonce layout as ``NoiseAEAD``
/// (4 zero bytes ‖ little-endian 64-bit counter), so the bytes on the wire are identical.
///
/// Created once per direction when the handshake splits; the BoringSSL context is immutable after
/// creation and BoringSSL allows concurrent seal/open on it, hence `@unchecked Sendable`.
final class NoiseChaChaPolyKey: @unchecked Sendable {
    private let context: OpaquePointer

    init(_ key: SymmetricKey) {
        precondition(key.bitCount == 256, "a Noise transport key is 32 bytes")
        let created = key.withUnsafeBytes { bytes -> OpaquePointer? in
            guard let base = bytes.bindMemory(to: UInt8.self).baseAddress else { return nil }
            return peerscope_chachapoly_key_new(base)
        }
        guard let created else {
            // Only an allocation failure inside BoringSSL gets here.
            preconditionFailure("could not create a ChaCha20-Poly1305 context")
        }
        self.context = created
    }

    deinit {
        peerscope_chachapoly_key_free(context)
    }

    /// Writes `ciphertext ‖ tag` of `plaintext` to `out`, which must hold `plaintext.count + 16` bytes
    /// and may be the same memory as `plaintext` but must not overlap it otherwise.
    func seal(
        _ plaintext: UnsafeRawBufferPointer, counter: UInt64, associatedData: UnsafeRawBufferPointer,
        into out: UnsafeMutableRawBufferPointer
    ) {
        precondition(out.count >= plaintext.count + NoiseProtocol.tagLength, "sealed output buffer too small")
        guard let outBase = out.baseAddress else { preconditionFailure("sealed output buffer has no memory") }
        let ok = peerscope_chachapoly_seal(
            context, counter,
            associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), associatedData.count,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), plaintext.count,
            outBase.assumingMemoryBound(to: UInt8.self))
        // Sealing fails only for sizes BoringSSL cannot represent, which our frame bound rules out.
        precondition(ok == 1, "ChaCha20-Poly1305 seal failed")
    }

    /// Authenticates `sealed` (`ciphertext ‖ tag`) and writes the `sealed.count − 16` plaintext bytes
    /// to `out` (same memory as `sealed`, or not overlapping it). False when the tag does not match or
    /// `sealed` is shorter than a tag.
    func open(
        _ sealed: UnsafeRawBufferPointer, counter: UInt64, associatedData: UnsafeRawBufferPointer,
        into out: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard sealed.count >= NoiseProtocol.tagLength, let sealedBase = sealed.baseAddress else { return false }
        precondition(out.count >= sealed.count - NoiseProtocol.tagLength, "opened output buffer too small")
        let ok = peerscope_chachapoly_open(
            context, counter,
            associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), associatedData.count,
            sealedBase.assumingMemoryBound(to: UInt8.self), sealed.count,
            out.baseAddress?.assumingMemoryBound(to: UInt8.self))
        return ok == 1
    }
}
