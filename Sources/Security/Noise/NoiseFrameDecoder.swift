import NIOCore

/// Incremental reader of Noise frames, `u16 BE length ‖ body` (noise.md §5). The 2-byte prefix
/// bounds a frame at 65535 bytes, so at most one partial frame is ever buffered.
///
/// Frames that lie inside one input are returned as slices of it, without copying. Only a frame
/// split across inputs is copied, once, into a buffer of exactly its size (socket reads rarely
/// line up with 65537-byte frames, so this is the common case for bulk data).
public struct NoiseFrameDecoder: Sendable {
    /// A frame begun in an earlier input, copied out of it. While it is incomplete, `input` is empty.
    private var split: ByteBuffer?
    /// The unread part of the latest input.
    private var input = ByteBuffer()
    /// Split frames of a bulk transfer reuse one buffer once the previous frame was decrypted.
    private var splitBuffers = NoiseBufferRecycler()
    private static let allocator = ByteBufferAllocator()

    public init() {}

    /// Bytes received but not yet returned as a frame.
    public var bufferedBytes: Int { (split?.readableBytes ?? 0) + input.readableBytes }

    /// Adds bytes from the network.
    public mutating func append(_ bytes: ByteBuffer) {
        if let pending = split, input.readableBytes > 0 || Self.frameSize(of: pending).map({ pending.readableBytes >= $0 }) == true {
            // The caller added input before taking every complete frame: keep the order in one buffer.
            var merged = pending
            merged.writeBuffer(&input)
            merged.writeImmutableBuffer(bytes)
            split = nil
            input = merged
            return
        }
        if split == nil, let size = Self.frameSize(of: input), input.readableBytes >= size {
            // Complete frames are still in the previous input (found by the noise-frames fuzz target: they
            // were taken for the start of one frame, and all but the first were lost): keep them, in order.
            var merged = ByteBuffer()
            merged.reserveCapacity(input.readableBytes + bytes.readableBytes)
            merged.writeBuffer(&input)
            merged.writeImmutableBuffer(bytes)
            input = merged
            return
        }
        // The rest of the previous input is the start of a frame this input continues.
        moveUnfinishedFrameOutOfInput()
        input = bytes
        guard var started = split else { return }
        split = nil
        if started.readableBytes < NoiseProtocol.framePrefixLength,
            let prefixPart = input.readSlice(
                length: min(NoiseProtocol.framePrefixLength - started.readableBytes, input.readableBytes))
        {
            started.writeImmutableBuffer(prefixPart)
        }
        if let size = Self.frameSize(of: started) {
            started.reserveCapacity(size)
            if let rest = input.readSlice(length: min(size - started.readableBytes, input.readableBytes)) {
                started.writeImmutableBuffer(rest)
            }
        }
        split = started
    }

    /// The body of the next complete frame, or nil when more bytes are needed.
    public mutating func nextFrame() -> ByteBuffer? {
        if var started = split {
            guard let body = Self.readFrame(from: &started) else { return nil }
            split = nil
            splitBuffers.keep(started)
            return body
        }
        if let frame = Self.readFrame(from: &input) { return frame }
        // Copy the start of the next frame now rather than at the next append, so the input's storage (the
        // channel's receive buffer) is free for reuse by the time the socket is read again.
        moveUnfinishedFrameOutOfInput()
        return nil
    }

    /// Moves the unread bytes of `input`, the start of a frame, into a buffer sized for the whole frame.
    private mutating func moveUnfinishedFrameOutOfInput() {
        guard input.readableBytes > 0 else { return }
        var started = splitBuffers.buffer(
            capacity: Self.frameSize(of: input) ?? NoiseProtocol.framePrefixLength, allocator: Self.allocator)
        started.writeBuffer(&input)
        input = ByteBuffer()
        split = started
    }

    /// Takes everything buffered but not returned, e.g. bytes that follow the last handshake frame.
    public mutating func takeRemainingBytes() -> ByteBuffer {
        defer {
            split = nil
            input = ByteBuffer()
        }
        guard var started = split else { return input }
        started.writeBuffer(&input)
        return started
    }

    /// Prefix plus body length of the frame starting at `buffer`'s reader index, once its prefix is in.
    private static func frameSize(of buffer: ByteBuffer) -> Int? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return nil }
        return NoiseProtocol.framePrefixLength + Int(length)
    }

    private static func readFrame(from buffer: inout ByteBuffer) -> ByteBuffer? {
        guard let size = frameSize(of: buffer), buffer.readableBytes >= size else { return nil }
        buffer.moveReaderIndex(forwardBy: NoiseProtocol.framePrefixLength)
        return buffer.readSlice(length: size - NoiseProtocol.framePrefixLength)
    }
}
