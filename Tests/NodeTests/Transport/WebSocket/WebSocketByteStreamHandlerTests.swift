import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import WebSocket

/// The frame ↔ byte-stream adapter on an `EmbeddedChannel`: what goes up, what goes out, and what closes.
@Suite struct WebSocketByteStreamHandlerTests {
    private func channel(_ role: WebSocketByteStreamHandler.Role) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketByteStreamHandler(role: role))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8], masked: Bool, fin: Bool = true, rsv1: Bool = false) -> WebSocketFrame {
        let key: WebSocketMaskingKey? = masked ? WebSocketMaskingKey([1, 2, 3, 4])! : nil
        var data = ByteBuffer(bytes: bytes)
        if let key { data.webSocketMask(key) }
        return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: key, data: data)
    }

    /// What the handler wrote, decoded by NIO's own frame decoder (so the framing and masking written here
    /// are checked against an independent reader).
    private func sentFrames(_ channel: EmbeddedChannel) throws -> [WebSocketFrame] {
        let reader = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        while let bytes = try channel.readOutbound(as: ByteBuffer.self) { try reader.writeInbound(bytes) }
        var frames: [WebSocketFrame] = []
        while let frame = try reader.readInbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    private func readBytes(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var out: [UInt8] = []
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { out += buffer.readableBytesView }
        return out
    }

    @Test func dataFramesOfEveryKindBecomeOneByteStream() throws {
        let server = try channel(.server)
        try server.writeInbound(frame(.binary, [1, 2], masked: true, fin: false))
        try server.writeInbound(frame(.continuation, [3], masked: true))
        try server.writeInbound(frame(.text, Array("ab".utf8), masked: true))
        #expect(try readBytes(server) == [1, 2, 3, 0x61, 0x62])
        let client = try channel(.client)
        try client.writeInbound(frame(.binary, [9, 8], masked: false))
        #expect(try readBytes(client) == [9, 8])
    }

    @Test func writesAreBinaryFramesMaskedOnlyByTheClientAndSplitAt64KiB() throws {
        let client = try channel(.client)
        let data = (0..<(150 * 1024)).map { UInt8(truncatingIfNeeded: $0) }
        try client.writeOutbound(ByteBuffer(bytes: data))
        let frames = try sentFrames(client)
        #expect(frames.map(\.data.readableBytes) == [65536, 65536, 22528])
        #expect(frames.allSatisfy { $0.opcode == .binary && $0.fin && $0.maskKey != nil })
        #expect(frames.flatMap { Array($0.unmaskedData.readableBytesView) } == data)
        #expect(frames.flatMap { Array($0.data.readableBytesView) } != data, "the wire carries the masked bytes")
        #expect(Set(frames.compactMap { $0.maskKey.map(Array.init) }).count == frames.count, "a fresh key per frame")

        let server = try channel(.server)
        try server.writeOutbound(ByteBuffer(bytes: [5]))
        let frame = try #require(try sentFrames(server).first)
        #expect(frame.maskKey == nil && frame.opcode == .binary && Array(frame.data.readableBytesView) == [5])
    }

    @Test func aPingIsAnsweredWithItsPayload() throws {
        let server = try channel(.server)
        try server.writeInbound(frame(.ping, [7, 7, 7], masked: true))
        let pong = try #require(try sentFrames(server).first)
        #expect(pong.opcode == .pong && Array(pong.data.readableBytesView) == [7, 7, 7])
        #expect(try readBytes(server).isEmpty)
    }

    @Test func aCloseIsEchoedWithItsCodeAndEndsTheConnection() throws {
        let server = try channel(.server)
        try server.writeInbound(frame(.connectionClose, [0x03, 0xE8], masked: true))
        let echo = try #require(try sentFrames(server).first)
        #expect(echo.opcode == .connectionClose && Array(echo.data.readableBytesView) == [0x03, 0xE8])
        #expect(!server.isActive)
    }

    @Test func aLocalCloseSaysGoodbyeWithNormalClosure() throws {
        let client = try channel(.client)
        try client.close().wait()
        let goodbye = try #require(try sentFrames(client).first)
        #expect(goodbye.opcode == .connectionClose && goodbye.maskKey != nil)
        #expect(Array(goodbye.unmaskedData.readableBytesView) == [0x03, 0xE8])
    }

    /// Each rule of RFC 6455 a peer can break on an established connection: a named error, a close frame
    /// with the code, and the connection closed.
    @Test(arguments: [
        ("server", "unmasked", "the client sent an unmasked frame"),
        ("client", "masked", "the server sent a masked frame"),
        ("server", "rsv1", "reserved bits set"),
        ("server", "opcode", "unknown opcode"),
    ])
    func aProtocolViolationIsNamedAndClosesWith1002(role: String, violation: String, expected: String) throws {
        let channel = try channel(role == "server" ? .server : .client)
        let masked = role == "server"
        let bad: WebSocketFrame
        switch violation {
        case "unmasked": bad = frame(.binary, [1], masked: false)
        case "masked": bad = frame(.binary, [1], masked: true)
        case "rsv1": bad = frame(.binary, [1], masked: masked, rsv1: true)
        default: bad = frame(WebSocketOpcode(encodedWebSocketOpcode: 0x3)!, [1], masked: masked)
        }
        #expect {
            try channel.writeInbound(bad)
        } throws: { error in
            (error as? WebSocketFrameError)?.reason.contains(expected) == true
        }
        let close = try #require(try sentFrames(channel).first)
        var code = close.unmaskedData
        #expect(close.opcode == .connectionClose && code.readInteger(as: UInt16.self) == 1002)
        #expect(!channel.isActive)
        #expect(try readBytes(channel).isEmpty)
    }

    @Test(arguments: [0, 1, 3, 4, 7, 8, 9, 125, 126, 65535, 65536, 100_003])
    func maskingMatchesTheByteAtATimeDefinitionAtEveryLength(length: Int) throws {
        let data = ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let key = try #require(WebSocketMaskingKey([0xA1, 0x02, 0xF3, 0x44]))
        var fast = ByteBuffer()
        fast.writeMasked(data, key: key)
        var reference = data
        reference.webSocketMask(key)  // NIO's byte-at-a-time version
        #expect(fast == reference)
        let (head, follows) = WebSocketFrameWriter.frame(.binary, payload: data, maskKey: key, allocator: ByteBufferAllocator())
        #expect(!follows && head.readableBytes == length + (length < 126 ? 2 : length <= 65535 ? 4 : 10) + 4)
        let reader = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try reader.writeInbound(head)
        let decoded = try #require(try reader.readInbound(as: WebSocketFrame.self))
        #expect(decoded.fin && decoded.opcode == .binary && decoded.unmaskedData == data)
    }

    @Test func decoderErrorsAreNamedWithTheirLimits() {
        #expect(WebSocketByteStreamHandler.named(.invalidFrameLength).description.contains("256 KiB"))
        #expect(WebSocketByteStreamHandler.named(.invalidFrameLength).closeCode == 1009)
        #expect(WebSocketByteStreamHandler.named(.multiByteControlFrameLength).description.contains("125 bytes"))
    }
}
