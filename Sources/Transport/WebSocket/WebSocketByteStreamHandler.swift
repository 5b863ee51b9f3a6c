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
    /// Frames go out as bytes: NIO's frame encoder is taken out of the pipeline (see WebSocketFrameWriter).
    typealias OutboundOut = ByteBuffer

    enum Role: Sendable { case client, server }

    /// Writes go out as messages of at most this size: every WebSocket library reads 64 KiB messages
    /// (py-libp2p's default limit is 1 MiB, some browsers' less).
    static let maxOutboundPayload = 64 * 1024

    private let role: Role
    private var closeSent = false
    private var closeReceived = false
    /// Pongs not written because the peer does not read what we send (a ping flood).
    private(set) var droppedPongs = 0

    /// Where frames are written (past NIO's encoder); nil: through this handler's own context.
    private let bypass: WebSocketFrameBypass?

    init(role: Role, bypass: WebSocketFrameBypass? = nil) {
        self.role = role
        self.bypass = bypass
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
            let payload = unmasked(frame, context)
            if payload.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(payload)) }
        case .ping:
            guard !closeSent else { return }
            // Answering a peer that never reads would queue pongs without bound; RFC 6455 lets us skip some.
            guard context.channel.isWritable else {
                droppedPongs += 1
                return
            }
            send(context, .pong, unmasked(frame, context), flush: true)
        case .pong:
            break
        case .connectionClose:
            closeReceived = true
            if !closeSent {
                closeSent = true
                var payload = unmasked(frame, context)
                let code = payload.readInteger(as: UInt16.self)
                var echo = context.channel.allocator.buffer(capacity: 2)
                if let code { echo.writeInteger(code) }
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                send(context, .connectionClose, echo, flush: true).whenComplete { _ in
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
            send(context, .binary, slice, flush: false)
        }
        send(context, .binary, buffer, flush: false, promise: promise)
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
        send(context, .connectionClose, code, flush: true)
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
            send(context, .connectionClose, code, flush: true)
        }
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    /// One final frame: masked by a client (RFC 6455 5.3, a fresh key per frame), as is by a server.
    @discardableResult
    private func send(
        _ context: ChannelHandlerContext, _ opcode: WebSocketOpcode, _ payload: ByteBuffer, flush: Bool,
        promise: EventLoopPromise<Void>? = nil
    ) -> EventLoopFuture<Void> {
        let done = promise ?? context.eventLoop.makePromise()
        // With a bypass installed, our own context leads into NIO's encoder, which traps on bytes: once the
        // bypass is gone (the pipeline is being torn down) a write fails instead.
        let out: ChannelHandlerContext
        if let bypass {
            guard let bypassContext = bypass.context else {
                done.fail(ChannelError.ioOnClosedChannel)
                return done.futureResult
            }
            out = bypassContext
        } else {
            out = context
        }
        let (head, payloadFollows) = WebSocketFrameWriter.frame(
            opcode, payload: payload, maskKey: role == .client ? .random() : nil, allocator: context.channel.allocator)
        if payloadFollows {
            out.write(wrapOutboundOut(head), promise: nil)
            out.write(wrapOutboundOut(payload), promise: done)
        } else {
            out.write(wrapOutboundOut(head), promise: done)
        }
        if flush { out.flush() }
        return done.futureResult
    }

    /// A frame's payload as sent, copied out of the frame with its mask undone in the same pass.
    private func unmasked(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) -> ByteBuffer {
        guard let key = frame.maskKey else { return frame.data }
        var plain = context.channel.allocator.buffer(capacity: frame.data.readableBytes)
        plain.writeMasked(frame.data, key: key)
        return plain
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
