import NIOCore
import NIOWebSocket

/// Turns an upgraded WebSocket into the byte stream libp2p runs on: the payload of every data frame
/// goes up as bytes, every write goes out as binary frames (masked by a client, as RFC 6455 requires),
/// pings are answered, a close is echoed and ends the connection, and frames the protocol forbids
/// close it with a named error.
final class WebSocketByteStreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    enum Role: Sendable { case client, server }

    /// Writes go out as messages of at most this size: every WebSocket library reads 64 KiB messages
    /// (py-libp2p's default limit is 1 MiB, some browsers' less).
    static let maxOutboundPayload = 64 * 1024

    private let role: Role
    private var closeSent = false
    private var closeReceived = false
    /// Pongs not written because the peer does not read what we send (a ping flood).
    private(set) var droppedPongs = 0

    init(role: Role) {
        self.role = role
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.rsv1 || frame.rsv2 || frame.rsv3 {
            return protocolError(context, WebSocketFrameError("frame with reserved bits set (no extension was negotiated)"))
        }
        switch (role, frame.maskKey) {
        case (.server, nil):
            return protocolError(context, WebSocketFrameError("the client sent an unmasked frame (RFC 6455 5.1: clients mask every frame)"))
        case (.client, .some):
            return protocolError(context, WebSocketFrameError("the server sent a masked frame (RFC 6455 5.1: servers never mask)"))
        default:
            break
        }
        switch frame.opcode {
        case .binary, .text, .continuation:
            // Message boundaries carry no meaning for libp2p: the frames are one byte stream.
            guard !closeReceived else { return }
            let payload = frame.maskKey == nil ? frame.data : frame.unmaskedData
            if payload.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(payload)) }
        case .ping:
            guard !closeSent else { return }
            // Answering a peer that never reads would queue pongs without bound; RFC 6455 lets us skip some.
            guard context.channel.isWritable else {
                droppedPongs += 1
                return
            }
            let payload = frame.maskKey == nil ? frame.data : frame.unmaskedData
            context.writeAndFlush(wrapOutboundOut(makeFrame(.pong, payload)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            closeReceived = true
            if !closeSent {
                closeSent = true
                var payload = frame.maskKey == nil ? frame.data : frame.unmaskedData
                let code = payload.readInteger(as: UInt16.self)
                var echo = context.channel.allocator.buffer(capacity: 2)
                if let code { echo.writeInteger(code) }
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(makeFrame(.connectionClose, echo))).whenComplete { _ in
                    loopBound.value.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        default:
            protocolError(context, WebSocketFrameError("frame with unknown opcode \(frame.opcode)"))
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var buffer = unwrapOutboundIn(data)
        guard !closeSent else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        while buffer.readableBytes > Self.maxOutboundPayload, let slice = buffer.readSlice(length: Self.maxOutboundPayload) {
            context.write(wrapOutboundOut(makeFrame(.binary, slice)), promise: nil)
        }
        context.write(wrapOutboundOut(makeFrame(.binary, buffer)), promise: promise)
    }

    /// A local close says goodbye with a normal-closure frame first, as the protocol asks.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, !closeSent, context.channel.isActive else {
            context.close(mode: mode, promise: promise)
            return
        }
        closeSent = true
        var code = context.channel.allocator.buffer(capacity: 2)
        code.writeInteger(UInt16(1000))
        context.writeAndFlush(wrapOutboundOut(makeFrame(.connectionClose, code)), promise: nil)
        context.close(mode: mode, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let frameError = error as? NIOWebSocketError {
            return protocolError(context, Self.named(frameError))
        }
        // Bytes that were already in flight behind a bad frame: the first error was named and answered.
        if case ByteToMessageDecoderError.dataReceivedInErrorState(let first, _)? = error as? ByteToMessageDecoderError {
            if closeSent { return }
            if let frameError = first as? NIOWebSocketError { return protocolError(context, Self.named(frameError)) }
        }
        context.fireErrorCaught(error)
    }

    private func protocolError(_ context: ChannelHandlerContext, _ error: WebSocketFrameError) {
        if !closeSent, context.channel.isActive {
            closeSent = true
            var code = context.channel.allocator.buffer(capacity: 2)
            code.writeInteger(error.closeCode)
            context.writeAndFlush(wrapOutboundOut(makeFrame(.connectionClose, code)), promise: nil)
        }
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func makeFrame(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: role == .client ? .random() : nil, data: data)
    }

    static func named(_ error: NIOWebSocketError) -> WebSocketFrameError {
        switch error {
        case .invalidFrameLength:
            return WebSocketFrameError("frame longer than the \(WebSocketTransport.maxInboundFrameSize / 1024) KiB this node reads", closeCode: 1009)
        case .fragmentedControlFrame:
            return WebSocketFrameError("fragmented control frame (RFC 6455 5.5: control frames are never fragmented)")
        case .multiByteControlFrameLength:
            return WebSocketFrameError("control frame longer than 125 bytes (RFC 6455 5.5)")
        }
    }
}
