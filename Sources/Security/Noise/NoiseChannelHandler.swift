import NIOCore

/// Secures a channel with libp2p Noise: runs the handshake as soon as the channel is active, then
/// turns inbound frames into plaintext and outbound plaintext into frames.
///
/// - The promise succeeds with the verified remote identity and early muxer once the handshake is
///   done, or fails with a `NoiseError`. Callbacks on its future run on the event loop before any
///   decrypted byte is forwarded, so the next layer can be added there.
/// - `eventObserver` sees each handshake message sent and received, on the event loop.
/// - Writes made before the handshake finished are held and sent encrypted afterwards.
/// - All writes between two flushes are coalesced into as few full 65519-byte frames as possible:
///   the per-frame AEAD cost dominates for small writes such as yamux frames.
/// - Any handshake, authentication or nonce error is fired with `fireErrorCaught` and closes the
///   channel.
public final class NoiseChannelHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Above this many pending plaintext bytes, full frames are encrypted before the flush, which
    /// bounds the plaintext copy a writer that rarely flushes can build up.
    static let eagerEncryptionThreshold = 16 * NoiseProtocol.maxPlaintextLength

    private enum State {
        case idle(NoiseLibp2pHandshake)
        case handshaking(NoiseLibp2pHandshake)
        case transport(NoiseTransport)
        case failed
        /// Held while a payload is mutated, so the enum does not keep a second reference to its
        /// buffers (which would make every append copy them).
        case modifying
    }

    private var state: State
    /// Cleared once completed, so a later transport error cannot complete it twice.
    private var completion: EventLoopPromise<NoiseHandshakeResult>?
    private let eventObserver: ((NoiseHandshakeEvent) -> Void)?
    private var pendingPlaintext = ByteBuffer()
    private var pendingPromises: [EventLoopPromise<Void>] = []
    private var flushRequestedDuringHandshake = false
    /// Outbound frames and inbound plaintext reuse their memory once the socket or the next layer is done.
    private var wireBuffers = NoiseBufferRecycler()
    private var plaintextBuffers = NoiseBufferRecycler()

    public init(
        handshake: NoiseLibp2pHandshake,
        completion: EventLoopPromise<NoiseHandshakeResult>? = nil,
        eventObserver: ((NoiseHandshakeEvent) -> Void)? = nil
    ) {
        self.state = .idle(handshake)
        self.completion = completion
        self.eventObserver = eventObserver
    }

    // MARK: - Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        abandonHandshake()
        failPendingWrites(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        abandonHandshake()
        failPendingWrites(ChannelError.ioOnClosedChannel)
    }

    /// The connection went away mid-handshake: report which message we were waiting for.
    private func abandonHandshake() {
        switch state {
        case .idle(let handshake), .handshaking(let handshake):
            state = .failed
            completion?.fail(handshake.closedError)
            completion = nil
        case .transport, .failed, .modifying:
            break
        }
    }

    // MARK: - Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        switch state {
        case .idle:
            // Data before channelActive cannot happen in NIO; treat it as the first read.
            startHandshake(context: context)
            channelRead(context: context, data: data)
        case .handshaking(var handshake):
            state = .modifying
            let actions = handshake.receive(bytes)
            state = .handshaking(handshake)
            perform(actions, context: context)
        case .transport(var transport):
            state = .modifying
            var plaintext = plaintextBuffers.buffer(
                capacity: transport.bufferedInboundBytes + bytes.readableBytes, allocator: context.channel.allocator)
            do {
                try transport.decrypt(bytes, appendingTo: &plaintext)
            } catch {
                fail(error, context: context)
                return
            }
            state = .transport(transport)
            if plaintext.readableBytes > 0 {
                plaintextBuffers.keep(plaintext)
                context.fireChannelRead(wrapInboundOut(plaintext))
            }
        case .failed:
            break
        case .modifying:
            preconditionFailure("NoiseChannelHandler re-entered channelRead while updating its state")
        }
    }

    // MARK: - Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .failed = state {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let bytes = unwrapOutboundIn(data)
        if pendingPlaintext.readableBytes == 0 {
            pendingPlaintext = bytes
        } else {
            var bytes = bytes
            pendingPlaintext.writeBuffer(&bytes)
        }
        if let promise {
            pendingPromises.append(promise)
        }
        if case .transport = state, pendingPlaintext.readableBytes >= Self.eagerEncryptionThreshold {
            encryptPending(context: context, fullFramesOnly: true)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .transport:
            encryptPending(context: context, fullFramesOnly: false)
            context.flush()
        case .idle, .handshaking:
            flushRequestedDuringHandshake = true
        case .failed:
            break
        case .modifying:
            preconditionFailure("NoiseChannelHandler re-entered flush while updating its state")
        }
    }

    // MARK: - Handshake

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle(var handshake) = state else { return }
        let actions = handshake.start()
        state = .handshaking(handshake)
        perform(actions, context: context)
    }

    private func perform(_ actions: [NoiseHandshakeAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let bytes):
                context.write(wrapOutboundOut(bytes), promise: nil)
                wrote = true
            case .event(let event):
                eventObserver?(event)
            case .completed(let result, let transport, let leftover):
                if wrote {
                    context.flush()
                    wrote = false
                }
                becomeTransport(result, transport: transport, leftover: leftover, context: context)
            case .failed(let error):
                if wrote {
                    context.flush()
                    wrote = false
                }
                fail(error, context: context)
            }
        }
        if wrote {
            context.flush()
        }
    }

    private func becomeTransport(
        _ result: NoiseHandshakeResult, transport: NoiseTransport, leftover: ByteBuffer, context: ChannelHandlerContext
    ) {
        state = .transport(transport)
        allowLargerReads(context: context)
        // Writes held during the handshake go out first, in order.
        if pendingPlaintext.readableBytes > 0 || !pendingPromises.isEmpty {
            encryptPending(context: context, fullFramesOnly: false)
            if flushRequestedDuringHandshake {
                context.flush()
            }
        }
        flushRequestedDuringHandshake = false
        completion?.succeed(result)
        completion = nil
        if leftover.readableBytes > 0 {
            channelRead(context: context, data: wrapInboundOut(leftover))
        }
    }

    /// Transport frames are up to 65537 bytes on the wire, just over NIO's default 64 KiB read size, so with
    /// that size nearly every frame of a bulk transfer straddles two reads and is copied to be reassembled.
    /// Allowing reads to grow to several frames makes that rare and takes a quarter of the read calls. The
    /// allocator is adaptive: connections whose reads stay small keep small buffers.
    static let maxReadSize = 4 * (NoiseProtocol.framePrefixLength + NoiseProtocol.maxMessageLength)

    private func allowLargerReads(context: ChannelHandlerContext) {
        let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.maxReadSize)
        // Channels without this option (such as test channels) keep reading as before.
        try? context.channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: allocator)
    }

    // MARK: - Encryption

    private func encryptPending(context: ChannelHandlerContext, fullFramesOnly: Bool) {
        guard case .transport(var transport) = state else { return }
        var chunk = pendingPlaintext
        if fullFramesOnly {
            let fullFrames = pendingPlaintext.readableBytes / NoiseProtocol.maxPlaintextLength
            guard fullFrames > 0 else { return }
            chunk = pendingPlaintext.readSlice(length: fullFrames * NoiseProtocol.maxPlaintextLength) ?? ByteBuffer()
        } else {
            // Dropped rather than cleared: clearing storage shared with `chunk` would copy it.
            pendingPlaintext = ByteBuffer()
        }
        let frameCount =
            (chunk.readableBytes + NoiseProtocol.maxPlaintextLength - 1) / NoiseProtocol.maxPlaintextLength
        var wire = wireBuffers.buffer(
            capacity: chunk.readableBytes + frameCount * (NoiseProtocol.framePrefixLength + NoiseProtocol.tagLength),
            allocator: context.channel.allocator)
        state = .modifying
        do {
            try transport.encrypt(chunk, appendingTo: &wire)
        } catch {
            fail(error, context: context)
            return
        }
        state = .transport(transport)
        wireBuffers.keep(wire)
        context.write(wrapOutboundOut(wire), promise: takePendingPromises(on: context.eventLoop))
    }

    /// One promise standing for all writes coalesced into this frame batch.
    private func takePendingPromises(on eventLoop: EventLoop) -> EventLoopPromise<Void>? {
        let promises = pendingPromises
        pendingPromises = []
        switch promises.count {
        case 0:
            return nil
        case 1:
            return promises[0]
        default:
            let combined = eventLoop.makePromise(of: Void.self)
            combined.futureResult.whenComplete { result in
                for promise in promises {
                    promise.completeWith(result)
                }
            }
            return combined
        }
    }

    // MARK: - Failure

    /// A protocol or crypto failure: fatal for the connection.
    private func fail(_ error: NoiseError, context: ChannelHandlerContext) {
        state = .failed
        completion?.fail(error)
        completion = nil
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPendingWrites(_ error: Error) {
        let promises = pendingPromises
        pendingPromises = []
        pendingPlaintext = ByteBuffer()
        for promise in promises {
            promise.fail(error)
        }
    }
}

@available(*, unavailable)
extension NoiseChannelHandler: Sendable {}
