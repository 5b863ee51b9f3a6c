import NIOCore

/// A complete Noise transport session (sans-IO): the send and receive ciphers plus the inbound
/// frame decoder. Feed raw network bytes to `decrypt`, plaintext to `encrypt`.
///
/// A value type holding nonce counters: keep exactly one live copy and mutate it in place. Encrypting
/// with two copies would reuse nonces and break ChaCha20-Poly1305's security.
public struct NoiseTransport: Sendable {
    private(set) var sendCipher: NoiseTransportCipher
    private(set) var receiveCipher: NoiseTransportCipher
    private var decoder = NoiseFrameDecoder()

    init(sendCipher: NoiseTransportCipher, receiveCipher: NoiseTransportCipher) {
        self.sendCipher = sendCipher
        self.receiveCipher = receiveCipher
    }

    /// Bytes received that do not form a complete frame yet.
    public var bufferedInboundBytes: Int { decoder.bufferedBytes }

    /// Encrypts `plaintext` into as few frames as possible, appended to `out`.
    public mutating func encrypt(_ plaintext: ByteBuffer, appendingTo out: inout ByteBuffer) throws(NoiseError) {
        try sendCipher.encrypt(plaintext, appendingFramesTo: &out)
    }

    /// Adds raw bytes from the network and appends the plaintext of every complete frame to `out`.
    /// Any error is fatal for the session.
    public mutating func decrypt(_ inbound: ByteBuffer, appendingTo out: inout ByteBuffer) throws(NoiseError) {
        decoder.append(inbound)
        while let frame = decoder.nextFrame() {
            try receiveCipher.decryptFrame(frame, appendingTo: &out)
        }
    }
}
