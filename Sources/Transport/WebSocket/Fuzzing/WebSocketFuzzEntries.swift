import Multiformats
import NIOCore
import NIOEmbedded
import NIOWebSocket

/// Fuzz entry points for an established WebSocket: NIO's frame decoder feeding our byte-stream handler.
package enum WebSocketFuzzEntries {
    /// Small enough that a fuzz input reaches the frame limit.
    static let maxFrameSize = 512

    /// The peer's bytes into a server (or, by the first byte, client) connection: what reaches the upgrade is
    /// never more than arrived, replies (pongs, the close) are bounded by what arrived, nothing moves after
    /// the close, and every error is a named `WebSocketFrameError`.
    package static func frames(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "websocket-frames"
        let role: WebSocketByteStreamHandler.Role = (input.first ?? 0) & 0x40 != 0 ? .client : .server
        let (channel, delivered) = pipeline(role)
        var fed = 0
        var closedAfter: Int?
        for chunk in FuzzChunks(input) {
            // A closed socket reads nothing more.
            guard channel.isActive else { break }
            fed += chunk.count
            do {
                try channel.writeInbound(ByteBuffer(bytes: chunk))
            } catch let error as WebSocketFrameError {
                try fuzzCheck(error.closeCode == 1002 || error.closeCode == 1009, name, "close code \(error.closeCode)")
            } catch {
                throw FuzzPropertyViolation(target: name, message: "unnamed error \(error)")
            }
            if !channel.isActive, closedAfter == nil { closedAfter = delivered.count }
            if let closedAfter {
                try fuzzCheck(delivered.count == closedAfter, name, "bytes delivered after the connection closed")
            }
            try fuzzCheck(delivered.count <= fed, name, "delivered \(delivered.count) bytes out of \(fed) received")
        }
        var replied = 0
        while let out = try? channel.readOutbound(as: ByteBuffer.self) { replied += out.readableBytes }
        // A pong is no longer than its ping (a client's pong adds a 4-byte mask to an unmasked ping); one close.
        try fuzzCheck(replied <= fed + 4 * (fed / 2 + 1) + 8, name, "replied \(replied) bytes to \(fed)")
        _ = try? channel.finish()
    }

    /// Bytes written on one end come out of the other end's handler exactly: split into messages, masked by
    /// the client, unmasked by the server.
    package static func roundTrip(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "websocket-round-trip"
        let (client, _) = pipeline(.client, maxFrameSize: WebSocketByteStreamHandler.maxOutboundPayload + 16)
        let (server, delivered) = pipeline(.server, maxFrameSize: WebSocketByteStreamHandler.maxOutboundPayload + 16)
        var written: [UInt8] = []
        // Each chunk is one write, repeated so some writes exceed a message.
        for chunk in FuzzChunks(input) {
            let repeated = Array(repeating: Array(chunk), count: Int(chunk.first ?? 1) % 9 + 1).flatMap { $0 }
            written += repeated
            do {
                try client.writeOutbound(ByteBuffer(bytes: repeated))
                // Frame headers and payloads leave the encoder as separate buffers; the server side checks the
                // framing (a server refuses unmasked frames).
                while let wire = try client.readOutbound(as: ByteBuffer.self) { try server.writeInbound(wire) }
            } catch {
                throw FuzzPropertyViolation(target: name, message: "\(error)")
            }
        }
        try fuzzCheck(delivered.bytes == written, name, "\(written.count) bytes written, \(delivered.count) arrived (or different ones)")
        _ = try? client.finish()
        _ = try? server.finish()
    }

    private static func pipeline(_ role: WebSocketByteStreamHandler.Role, maxFrameSize: Int = maxFrameSize) -> (EmbeddedChannel, Delivered) {
        let channel = EmbeddedChannel()
        let delivered = Delivered()
        try? channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize)),
            WebSocketByteStreamHandler(role: role), delivered,
        ])
        _ = try? channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, delivered)
    }

    /// What the handler passes up.
    final class Delivered: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private(set) var bytes: [UInt8] = []
        var count: Int { bytes.count }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += unwrapInboundIn(data).readableBytesView
        }
    }

    /// Seeds: a masked binary frame, a ping, a fragmented message, a close.
    package static func seeds() -> [String: [[UInt8]]] {
        let mask: [UInt8] = [1, 2, 3, 4]
        func masked(_ opcodeByte: UInt8, _ payload: [UInt8]) -> [UInt8] {
            [opcodeByte, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        }
        let stream = Array("\u{13}/multistream/1.0.0\n".utf8)
        return [
            "websocket-frames": [
                [0x05] + masked(0x82, stream) + masked(0x89, [9, 9]) + masked(0x01, [1]) + masked(0x80, [2]),
                [0x80] + masked(0x88, [0x03, 0xE8]) + masked(0x82, [1]),
                [0x45, 0x82, 0x03, 1, 2, 3, 0x89, 0x00, 0x8A, 0x00],
            ],
            "websocket-round-trip": [[0x07] + stream, [0x80] + Array(repeating: 0xAB, count: 300)],
        ]
    }
}
