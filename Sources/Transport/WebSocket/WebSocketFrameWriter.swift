import NIOCore
import NIOWebSocket

/// Frames as bytes, written here rather than by NIO's `WebSocketFrameEncoder`: the encoder and
/// `WebSocketFrame.unmaskedData` mask a byte at a time (with a copy on write when the data is shared),
/// which held a client's uploads to a third of its downloads. Masking here runs eight bytes at a time
/// while it copies.
enum WebSocketFrameWriter {
    /// A final frame (FIN set, no extension bits). A client's payload is masked with `maskKey` into the
    /// returned buffer, header included; a server's header comes back alone, to be written before the
    /// payload itself (no copy).
    static func frame(
        _ opcode: WebSocketOpcode, payload: ByteBuffer, maskKey: WebSocketMaskingKey?, allocator: ByteBufferAllocator
    ) -> (head: ByteBuffer, payloadFollows: Bool) {
        let length = payload.readableBytes
        var buffer = allocator.buffer(capacity: 14 + (maskKey == nil ? 0 : length))
        buffer.writeInteger(0x80 | UInt8(webSocketOpcode: opcode))
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        switch length {
        case 0..<126:
            buffer.writeInteger(maskBit | UInt8(length))
        case 126...Int(UInt16.max):
            buffer.writeInteger(maskBit | 126)
            buffer.writeInteger(UInt16(length))
        default:
            buffer.writeInteger(maskBit | 127)
            buffer.writeInteger(UInt64(length))
        }
        guard let maskKey else { return (buffer, length > 0) }
        buffer.writeBytes(maskKey)
        buffer.writeMasked(payload, key: maskKey)
        return (buffer, false)
    }
}

extension ByteBuffer {
    /// Appends `source` XORed with the repeating 4-byte `key`, starting at the key's first byte.
    mutating func writeMasked(_ source: ByteBuffer, key: WebSocketMaskingKey) {
        let count = source.readableBytes
        guard count > 0 else { return }
        let keyBytes = Array(key)
        source.withUnsafeReadableBytes { input in
            self.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { output in
                WebSocketMasking.apply(keyBytes, from: input, to: output)
                return count
            }
        }
    }
}

enum WebSocketMasking {
    /// `output[i] = input[i] ^ key[i % 4]` for every byte of `input` (`output` at least as long).
    static func apply(_ key: [UInt8], from input: UnsafeRawBufferPointer, to output: UnsafeMutableRawBufferPointer) {
        guard key.count == 4, let source = input.baseAddress, let destination = output.baseAddress, output.count >= input.count else { return }
        let count = input.count
        // The key twice over as a word in memory order, so loads and stores need no byte swapping.
        let word = (key + key).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        var offset = 0
        while offset + 8 <= count {
            let value = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            destination.storeBytes(of: value ^ word, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < count {
            let byte = source.load(fromByteOffset: offset, as: UInt8.self)
            destination.storeBytes(of: byte ^ key[offset & 3], toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }
}

/// Sits on the socket side of NIO's `WebSocketFrameEncoder`, which the upgraders always install and which
/// cannot be removed: the byte-stream handler writes its ready-made frames through this handler's
/// context, so they skip the encoder.
final class WebSocketFrameBypass: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Puts a bypass next to the upgrader's encoder, if there is one.
    static func install(in pipeline: ChannelPipeline.SynchronousOperations) throws -> WebSocketFrameBypass? {
        guard let encoder = try? pipeline.handler(type: WebSocketFrameEncoder.self) else { return nil }
        let bypass = WebSocketFrameBypass()
        try pipeline.addHandler(bypass, position: .before(encoder))
        return bypass
    }
}
