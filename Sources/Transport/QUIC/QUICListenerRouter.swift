import CQuic
import Core
import NIOCore

/// The listener's socket: routes each datagram to its connection by destination connection ID, starts a
/// connection for a new Initial (at most `maxPendingHandshakes` unfinished), answers unknown versions with
/// version negotiation, and hands finished handshakes to the Host.
/// A QUIC connection ID (at most 20 bytes, RFC 9000 17.2) as a hashable value, without a heap allocation.
struct QUICConnectionIDKey: Hashable {
    private var head: (UInt64, UInt64) = (0, 0)
    private var tail: UInt32 = 0
    private var length: UInt8 = 0

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 20 else { return nil }
        length = UInt8(bytes.count)
        withUnsafeMutableBytes(of: &head) { storage in
            for (index, byte) in bytes.prefix(16).enumerated() { storage[index] = byte }
        }
        withUnsafeMutableBytes(of: &tail) { storage in
            for (index, byte) in bytes.dropFirst(16).enumerated() { storage[index] = byte }
        }
    }

    static func == (left: Self, right: Self) -> Bool {
        left.length == right.length && left.head == right.head && left.tail == right.tail
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(head.0)
        hasher.combine(head.1)
        hasher.combine(tail)
        hasher.combine(length)
    }
}

final class QUICListenerRouter: ChannelInboundHandler, @unchecked Sendable {
    // All state is used on the channel's event loop only.
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let identity: QUICIdentity
    private let environment: TransportEnvironment
    private let accept: @Sendable (TransportConnection) -> Void
    private var routes: [QUICConnectionIDKey: QUICConnectionDriver] = [:]
    private var drivers: [ObjectIdentifier: QUICConnectionDriver] = [:]
    private var pending = 0
    private var pendingByIP: [String: Int] = [:]
    /// When a dropped Initial was last reported, per IP (a flood is one event a second, not one per packet).
    private var droppedReportedAt: [String: NIODeadline] = [:]
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
        QUICSocketOptions.datagrams(in: envelope) { route($0, from: envelope.remoteAddress, context: context) }
    }

    private func route(_ datagram: ByteBuffer, from remote: SocketAddress, context: ChannelHandlerContext) {
        // Read in place: most datagrams only need their destination connection ID looked up.
        let (kind, dcid): (Int32, QUICConnectionIDKey?) = datagram.withUnsafeReadableBytes { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var dcidPointer: UnsafePointer<UInt8>?
            var dcidLength = 0
            let kind = psq_dispatch_info(buffer.baseAddress, buffer.count, &dcidPointer, &dcidLength)
            guard kind == Int32(PSQ_DISPATCH_ROUTE), let dcidPointer, let base = buffer.baseAddress else { return (kind, nil) }
            let start = dcidPointer - base
            guard start >= 0, start + dcidLength <= buffer.count else { return (kind, nil) }
            return (kind, QUICConnectionIDKey(UnsafeBufferPointer(rebasing: buffer[start..<(start + dcidLength)])))
        }
        switch kind {
        case Int32(PSQ_DISPATCH_ROUTE):
            if let dcid, let driver = routes[dcid] {
                if driver.received(datagram, from: remote) { unsettled.append(driver) }
            } else if datagram.withUnsafeReadableBytes({ psq_dispatch_unknown($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }) == Int32(PSQ_DISPATCH_NEW) {
                startConnection(Array(datagram.readableBytesView), from: remote, context: context)
            }
            // Short-header packets for connections we do not know are dropped (no stateless reset is sent).
        case Int32(PSQ_DISPATCH_VN):
            let length = datagram.withUnsafeReadableBytes { raw in
                outBuffer.withUnsafeMutableBufferPointer {
                    psq_write_version_negotiation(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, $0.baseAddress, $0.count)
                }
            }
            if length > 0 {
                let reply = context.channel.allocator.buffer(bytes: outBuffer[0..<length])
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: remote, data: reply)), promise: nil)
            }
        default:
            break
        }
    }

    /// Drivers that read datagrams in this read burst; each settles once at its end.
    private var unsettled: [QUICConnectionDriver] = []

    func channelReadComplete(context: ChannelHandlerContext) {
        let drivers = unsettled
        unsettled.removeAll(keepingCapacity: true)
        for driver in drivers { driver.settleAfterReads() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}

    private func startConnection(_ packet: [UInt8], from remote: SocketAddress, context: ChannelHandlerContext) {
        guard let local = context.channel.localAddress else { return }
        let ip = remote.ipAddress ?? "unknown"
        if pending >= QUICTransport.maxPendingHandshakes {
            return reportDropped(from: remote, ip: ip, local: local, "\(QUICTransport.maxPendingHandshakes) QUIC handshakes already in progress on this listener")
        }
        if pendingByIP[ip, default: 0] >= QUICTransport.maxPendingHandshakesPerIP {
            return reportDropped(from: remote, ip: ip, local: local, "\(QUICTransport.maxPendingHandshakesPerIP) QUIC handshakes from \(ip) already in progress")
        }
        let check = QUICPeerCheck(expectedPeer: nil)
        let limit = environment.inboundHandshakeTimeout
        var config = QUICTransport.config(handshakeTimeout: limit)
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
        guard let made else {
            // An Initial psq cannot start a connection from (bad token, unparsable CRYPTO): one report per IP a second.
            return reportDropped(from: remote, ip: ip, local: local, "Initial refused: \(QUICTransport.errorText(error))")
        }
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
            guard let key = cid.withUnsafeBufferPointer({ QUICConnectionIDKey($0) }) else { return }
            if add { self.routes[key] = driver } else if self.routes[key] === driver { self.routes[key] = nil }
        }
        pending += 1
        pendingByIP[ip, default: 0] += 1
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(limit.totalNanoseconds))) {
            driver.handshakeTimedOut(after: limit)
        }
        let channel = context.channel
        let upgraded = driver.handshake.futureResult.assumeIsolated().flatMapThrowing { _ -> UpgradedConnection in
            do {
                return try QUICTransport.upgraded(driver, id: id, handle: driver.handle, channel: channel)
            } catch {
                driver.close(reason: "\(error)")
                throw error
            }
        }.nonisolated()
        driver.handshake.futureResult.assumeIsolated().whenComplete { [self] _ in
            timeout.cancel()
            pending -= 1
            pendingByIP[ip, default: 1] -= 1
            if pendingByIP[ip] == 0 { pendingByIP[ip] = nil }
        }
        let loop = context.eventLoop
        driver.onFinal = { [weak self] in
            guard let self else { return }
            routes = routes.filter { ObjectIdentifier($0.value) != key }
            // The last reference goes once the driver's own call that freed it returns.
            loop.assumeIsolated().execute { self.drivers[key] = nil }
        }
        let bound = NIOLoopBound(driver, eventLoop: loop)
        // Handed over before the first step, so the Host admits it (or refuses it) first.
        accept(.handshaking(TransportInboundHandshake(
            id: id, remoteAddress: QUICAddress.multiaddr(of: remote), localAddress: QUICAddress.multiaddr(of: local),
            remoteIP: ip, result: upgraded,
            abort: { reason in loop.execute { bound.value.close(reason: reason) } })))
        // The first datagram was read by psq_server_accept; its answer goes out now.
        driver.settle()
    }

    private func reportDropped(from remote: SocketAddress, ip: String, local: SocketAddress, _ reason: String) {
        let now = NIODeadline.now()
        if let last = droppedReportedAt[ip], now - last < .seconds(1) { return }
        if droppedReportedAt.count >= 1024 { droppedReportedAt.removeAll(keepingCapacity: true) }
        droppedReportedAt[ip] = now
        environment.onInboundFailure(TransportInboundFailure(
            remoteAddress: QUICAddress.multiaddr(of: remote), localAddress: QUICAddress.multiaddr(of: local),
            step: "quic", reason: "Initial dropped: \(reason)"))
    }

    func closeAll() {
        for driver in drivers.values { driver.close(reason: "listener closed") }
    }
}
