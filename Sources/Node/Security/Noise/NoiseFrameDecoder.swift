import NIOCore

/// Incremental reader of Noise frames, `u16 BE length ‖ body` (noise.md §5). The 2-byte prefix
/// bounds a frame at 65535 bytes, so at most one partial frame is ever buffered.
public struct NoiseFrameDecoder: Sendable {
    private var buffered = ByteBuffer()

    public init() {}

    /// Bytes received but not yet returned as a frame.
    public var bufferedBytes: Int { buffered.readableBytes }

    /// Adds bytes from the network.
    public mutating func append(_ bytes: ByteBuffer) {
        if buffered.readableBytes == 0 {
            // Whole frames usually arrive together: adopt the buffer instead of copying it.
            buffered = bytes
        } else {
            buffered.discardReadBytes()
            var bytes = bytes
            buffered.writeBuffer(&bytes)
        }
    }

    /// The body of the next complete frame, or nil when more bytes are needed.
    public mutating func nextFrame() -> ByteBuffer? {
        guard let length = buffered.getInteger(at: buffered.readerIndex, as: UInt16.self),
            buffered.readableBytes >= NoiseProtocol.framePrefixLength + Int(length)
        else {
            return nil
        }
        buffered.moveReaderIndex(forwardBy: NoiseProtocol.framePrefixLength)
        return buffered.readSlice(length: Int(length))
    }

    /// Takes everything buffered but not returned, e.g. bytes that follow the last handshake frame.
    public mutating func takeRemainingBytes() -> ByteBuffer {
        defer { buffered = ByteBuffer() }
        return buffered
    }
}
