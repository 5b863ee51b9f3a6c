import CQuic
import Core
import NIOCore

/// The listener's socket: routes each datagram to its connection by destination connection ID, starts a
/// connection for a new Initial (at most `maxPendingHandshakes` unfinished), answers unknown versions with
/// version negotiation, and hands finished handshakes to the Host.
final class QUICListenerRouter: ChannelInboundHandler, @unchecked Sendable {
    // All state is used on the channel's event loop only.
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let identity: QUICIdentity
    private let environment: TransportEnvironment
    private let accept: @Sendable (TransportConnection) -> Void
    private var routes: [[UInt8]: QUICConnectionDriver] = [:]
    private var drivers: [ObjectIdentifier: QUICConnectionDriver] = [:]
    private var pending = 0
    private var channel: (any Channel)?
    private var outBuffer = [UInt8](repeating: 0, count: 1500)

    init(identity: QUICIdentity, environment: TransportEnvironment, accept: @escaping @Sendable (TransportConnection) -> Void) {
        self.identity = identity
        self.environment = environment
        self.accept = accept
    }

    func handlerAdded(context: ChannelHandlerContext) { channel = context.channel }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var packet = envelope.data
        let bytes = packet.readBytes(length: packet.readableBytes) ?? []
        var dcidPointer: UnsafePointer<UInt8>?
        var dcidLength = 0
        let kind = bytes.withUnsafeBufferPointer { psq_dispatch_info($0.baseAddress, $0.count, &dcidPointer, &dcidLength) }
        switch kind {
        case Int32(PSQ_DISPATCH_ROUTE):
            let dcid = bytes.withUnsafeBufferPointer { buffer -> [UInt8] in
                guard let dcidPointer, let base = buffer.baseAddress else { return [] }
                let start = dcidPointer - base
                guard start >= 0, start + dcidLength <= buffer.count else { return [] }
                return Array(buffer[start..<(start + dcidLength)])
            }
            if let driver = routes[dcid] {
                driver.received(envelope.data, from: envelope.remoteAddress)
            } else if bytes.withUnsafeBufferPointer({ psq_dispatch_unknown($0.baseAddress, $0.count) }) == Int32(PSQ_DISPATCH_NEW) {
                startConnection(bytes, from: envelope.remoteAddress, context: context)
            }
            // Short-header packets for connections we do not know are dropped (no stateless reset is sent).
        case Int32(PSQ_DISPATCH_VN):
            let length = bytes.withUnsafeBufferPointer { packetPointer in
                outBuffer.withUnsafeMutableBufferPointer { psq_write_version_negotiation(packetPointer.baseAddress, packetPointer.count, $0.baseAddress, $0.count) }
            }
            if length > 0 {
                let reply = context.channel.allocator.buffer(bytes: outBuffer[0..<length])
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: reply)), promise: nil)
            }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}

    private func startConnection(_ packet: [UInt8], from remote: SocketAddress, context: ChannelHandlerContext) {
        guard pending < QUICTransport.maxPendingHandshakes, let local = context.channel.localAddress else { return }
        let check = QUICPeerCheck(expectedPeer: nil)
        var config = QUICTransport.config(environment)
        var error = [CChar](repeating: 0, count: 256)
        let made = packet.withUnsafeBufferPointer { packetPointer in
            local.withSockAddr { localPointer, localLength in
                remote.withSockAddr { remotePointer, remoteLength in
                    psq_server_accept(&config, identity.pointer, packetPointer.baseAddress, packetPointer.count,
                                      localPointer, socklen_t(localLength), remotePointer, socklen_t(remoteLength),
                                      QUICPeerCheck.callback, Unmanaged.passUnretained(check).toOpaque(),
                                      NIODeadline.now().uptimeNanoseconds, &error, error.count)
                }
            }
        }
        guard let made else { return }
        let driver = QUICConnectionDriver(conn: made, channel: context.channel, remote: remote, direction: .inbound, check: check)
        let handle = LoopBoundHandler<QUICConnectionDriver>(eventLoop: context.eventLoop)
        handle.attach(driver)
        driver.handle = handle
        let id = ConnectionID.next()
        let environment = self.environment
        driver.onStep = { step, offset in environment.onStep(id, step, offset) }
        driver.onMuxerEvent = { event in environment.onMuxerEvent(id, event) }
        let key = ObjectIdentifier(driver)
        drivers[key] = driver
        driver.onRoute = { [weak self, weak driver] cid, add in
            guard let self, let driver else { return }
            if add { self.routes[cid] = driver } else if self.routes[cid] === driver { self.routes[cid] = nil }
        }
        pending += 1
        let limit = environment.connectTimeout
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(limit.totalNanoseconds))) {
            driver.handshakeTimedOut(after: limit)
        }
        let channel = context.channel
        let accept = self.accept
        driver.handshake.futureResult.assumeIsolated().whenComplete { [self] result in
            timeout.cancel()
            pending -= 1
            guard case .success = result, let upgraded = try? QUICTransport.upgraded(driver, id: id, handle: driver.handle, channel: channel) else { return }
            accept(.upgraded(upgraded))
        }
        let loop = context.eventLoop
        driver.onFinal = { [weak self] in
            guard let self else { return }
            routes = routes.filter { ObjectIdentifier($0.value) != key }
            // The last reference goes once the driver's own call that freed it returns.
            loop.assumeIsolated().execute { self.drivers[key] = nil }
        }
        // The first datagram was read by psq_server_accept; its answer goes out now.
        driver.settle()
    }

    func closeAll() {
        for driver in drivers.values { driver.close(reason: "listener closed") }
    }
}
