import CQuic
import Core
import DequeModule
import Identity
import Multiformats
import NIOCore
import TLS

/// One QUIC connection on its event loop, around a psq connection: datagrams in, psq's datagrams out to the
/// peer, one timer at psq's expiry, and psq's events turned into steps, streams and the connection's end.
/// Every method runs on `eventLoop`.
final class QUICConnectionDriver: MuxerStreamOperations {
    typealias StreamKey = Int64

    let eventLoop: any EventLoop
    let direction: ConnectionDirection
    private var conn: OpaquePointer?
    private let channel: any Channel
    private(set) var remote: SocketAddress
    let check: QUICPeerCheck
    private var timer: Scheduled<Void>?
    private var streams: [Int64: QUICStreamIO] = [:]
    private var acceptQueue: Deque<Int64> = []
    private var acceptWaiters: [EventLoopWaiter<(any MuxerStream)?>] = []
    private var openWaiters: [EventLoopWaiter<any MuxerStream>] = []
    private(set) var closeReason: String?
    private var acceptsStreams = true
    let closePromise: EventLoopPromise<Void>
    /// Completes when the handshake did (or fails with why it could not).
    let handshake: EventLoopPromise<Void>
    private var handshakeDone = false
    let startedAt = NIODeadline.now()
    private(set) var steps: [TimedUpgradeStep] = []
    var onStep: (UpgradeStep, Duration) -> Void = { _, _ in }
    var onMuxerEvent: (MuxerEvent) -> Void = { _ in }
    /// Listener routing: a connection ID to send this connection's datagrams to (true) or to forget (false).
    var onRoute: ([UInt8], Bool) -> Void = { _, _ in }
    /// Streams are handed out over this handle (set right after init).
    var handle: LoopBoundHandler<QUICConnectionDriver>?
    private var outBuffer = [UInt8](repeating: 0, count: 1500)
    private var datagramsOut: UInt64 = 0
    private var datagramsIn: UInt64 = 0
    private var bytesIn: UInt64 = 0
    private var bytesOut: UInt64 = 0

    static let maxJoinedRead = 256 * 1024
    static let minimumWriteChunk = 64 * 1024
    static let maxAcceptQueue = 256

    init(conn: OpaquePointer, channel: any Channel, remote: SocketAddress, direction: ConnectionDirection, check: QUICPeerCheck) {
        self.conn = conn
        self.channel = channel
        self.remote = remote
        self.direction = direction
        self.check = check
        self.eventLoop = channel.eventLoop
        self.closePromise = channel.eventLoop.makePromise(of: Void.self)
        self.handshake = channel.eventLoop.makePromise(of: Void.self)
    }

    private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }
    private var elapsed: Duration { .nanoseconds((NIODeadline.now() - startedAt).nanoseconds) }

    func record(_ step: UpgradeStep) {
        let offset = elapsed
        steps.append(TimedUpgradeStep(step: step, offset: offset))
        onStep(step, offset)
    }

    private func quicStep(_ direction: SecurityHandshakeMessage.Direction, _ content: String) {
        record(.transport(.handshakeMessage(TransportHandshakeMessage(protocolName: "quic", direction: direction, content: content))))
    }

    // MARK: - Datagrams and time

    /// True between a datagram read and the `settle()` at the end of the socket's read burst.
    private(set) var needsSettle = false

    /// A datagram from the peer. It is only fed to psq: what psq answers goes out at `settleAfterReads()`,
    /// once per burst of datagrams, so acknowledgements and data leave in batches (one sendmmsg, not one
    /// sendmsg per datagram read). Returns true if this read made the driver need a settle.
    @discardableResult
    func received(_ datagram: ByteBuffer, from sender: SocketAddress) -> Bool {
        guard let conn else { return false }
        datagramsIn += 1
        bytesIn += UInt64(datagram.readableBytes)
        remote = sender
        let status: Int32 = datagram.withUnsafeReadableBytes { bytes in
            sender.withSockAddr { address, length in
                psq_conn_read(conn, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, address, socklen_t(length), now)
            }
        }
        _ = status
        let first = !needsSettle
        needsSettle = true
        return first
    }

    /// The socket's read burst is over (channelReadComplete).
    func settleAfterReads() {
        guard needsSettle else { return }
        settle()
    }

    /// Events, then everything psq has to send, then the timer: after every input.
    func settle() {
        needsSettle = false
        drainEvents()
        flush()
        pumpParkedWrites()
        armTimer()
    }

    /// Sends what psq has to send. Runs of equal-sized datagrams to a loopback peer go out as one UDP GSO
    /// write (the kernel cuts it into the datagrams); elsewhere every datagram is its own message of one
    /// sendmmsg. GSO stays on loopback because a device without checksum offload fails such a write with
    /// EIO, which would close the socket all of a listener's connections share.
    private func flush() {
        guard let conn else { return }
        var wrote = false
        var batch: ByteBuffer?
        var segment = 0
        var segments = 0
        var segmentLimit = 1
        func sendBatch() {
            guard let data = batch else { return }
            let metadata = segments > 1 ? AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: segment) : nil
            channel.write(AddressedEnvelope(remoteAddress: remote, data: data, metadata: metadata), promise: nil)
            batch = nil
            segments = 0
        }
        let coalesce = Self.segmentationOffload && remote.isLoopback
        while true {
            let length = outBuffer.withUnsafeMutableBufferPointer { psq_conn_write(conn, $0.baseAddress, $0.count, now) }
            guard length > 0 else { break }
            datagramsOut += 1
            bytesOut += UInt64(length)
            if datagramsOut == 1, direction == .outbound { quicStep(.sent, "Initial (ClientHello)") }
            wrote = true
            guard coalesce else {
                channel.write(AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(bytes: outBuffer[0..<length])), promise: nil)
                continue
            }
            // A segment may only be followed by one of its size or a shorter last one.
            if batch != nil, length > segment || segments >= segmentLimit { sendBatch() }
            if batch == nil {
                segment = length
                segmentLimit = max(1, min(Self.maxSegments, Self.maxSegmentedBytes / length))
                batch = channel.allocator.buffer(capacity: segment * segmentLimit)
            }
            batch?.writeBytes(outBuffer[0..<length])
            segments += 1
            if length < segment { sendBatch() }
        }
        sendBatch()
        if wrote { channel.flush() }
        drainEvents()
    }

    static let segmentationOffload = System.supportsUDPSegmentationOffload
    /// Linux takes at most 64 segments per GSO write (UDP_MAX_SEGMENTS), of at most 64 KiB in all.
    static let maxSegments = 64
    static let maxSegmentedBytes = 65_000

    private func armTimer() {
        timer?.cancel()
        timer = nil
        guard let conn else { return }
        let expiry = psq_conn_expiry(conn)
        guard expiry != UInt64.max else { return }
        let deadline = NIODeadline.uptimeNanoseconds(expiry)
        timer = eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [self] in
            guard let conn = self.conn else { return }
            _ = psq_conn_handle_expiry(conn, now)
            settle()
        }
    }

    // MARK: - Events

    private func drainEvents() {
        guard let conn else { return }
        var event = psq_event()
        draining = true
        while self.conn != nil, psq_conn_next_event(conn, &event) == 1 {
            handle(event)
        }
        draining = false
        if final { release() }
    }

    private func handle(_ event: psq_event) {
        var bytes: [UInt8] { event.data.map { Array(UnsafeBufferPointer(start: $0, count: event.len)) } ?? [] }
        switch psq_event_type(rawValue: UInt32(bitPattern: event.type)) {
        case PSQ_EV_MILESTONE:
            milestone(psq_milestone(rawValue: UInt32(truncatingIfNeeded: event.code)))
        case PSQ_EV_PEER_CERTIFICATE:
            if let verified = check.verified {
                record(.security(.peerVerified(verified.peerID, keyType: verified.hostKey.keyType)))
            }
        case PSQ_EV_HANDSHAKE_COMPLETED:
            handshakeDone = true
            record(.muxer(.negotiated("quic", earlyIn: "quic")))
            record(.ready)
            handshake.succeed(())
        case PSQ_EV_STREAM_OPENED:
            remoteOpened(event.stream_id)
        case PSQ_EV_STREAM_DATA:
            // One copy, straight from psq's event into the buffer the reader gets.
            let piece = event.data.map { channel.allocator.buffer(bytes: UnsafeRawBufferPointer(start: $0, count: event.len)) }
            data(event.stream_id, piece, fin: event.fin != 0)
        case PSQ_EV_STREAM_RESET:
            if let io = streams[event.stream_id] {
                giveBackUnread(event.stream_id, io)
                io.failAll(.resetByPeer(code: event.code))
            }
        case PSQ_EV_STREAM_STOP_SENDING:
            if let io = streams[event.stream_id], io.writeFailure == nil {
                io.writeFailure = .stopSendingByPeer(code: event.code)
                io.pendingWrite.take()?.waiter.fail(QUICStreamError.stopSendingByPeer(code: event.code))
                io.closeWaiter.take()?.fail(QUICStreamError.stopSendingByPeer(code: event.code))
            }
        case PSQ_EV_STREAM_WRITABLE:
            if let io = streams[event.stream_id] { pumpWrite(event.stream_id, io) }
        case PSQ_EV_STREAM_CLOSED:
            if let io = streams[event.stream_id] {
                // Both directions are done in QUIC; what arrived is still the reader's until it took it.
                io.transportClosed = true
                retireIfDone(event.stream_id, io)
            }
        case PSQ_EV_STREAMS_AVAILABLE:
            serveOpenWaiters()
        case PSQ_EV_CID_NEW:
            onRoute(bytes, true)
        case PSQ_EV_CID_RETIRED:
            onRoute(bytes, false)
        case PSQ_EV_CLOSED:
            let reason = String(decoding: bytes, as: UTF8.self)
            finish(reason.isEmpty ? "code \(event.code)" : reason)
            if event.flags & UInt32(PSQ_EVF_FINAL) != 0 { final = true }
        default:
            break
        }
    }

    private func milestone(_ milestone: psq_milestone) {
        let incoming: SecurityHandshakeMessage.Direction = .received
        switch milestone {
        case PSQ_MS_INITIAL_RECEIVED:
            quicStep(incoming, direction == .outbound ? "Initial (ServerHello)" : "Initial (ClientHello)")
        case PSQ_MS_HANDSHAKE_RECEIVED:
            quicStep(incoming, direction == .outbound ? "Handshake (certificate, Finished)" : "Handshake (client certificate, Finished)")
        case PSQ_MS_TX_1RTT_KEY:
            quicStep(.sent, "1-RTT keys")
        case PSQ_MS_HANDSHAKE_CONFIRMED:
            quicStep(direction == .outbound ? .received : .sent, "HANDSHAKE_DONE (confirmed)")
        default:
            break
        }
    }

    private func remoteOpened(_ id: Int64) {
        guard streams[id] == nil else { return }
        guard acceptsStreams, acceptQueue.count < Self.maxAcceptQueue, conn != nil else {
            if let conn { _ = psq_stream_reset(conn, id, 0) }
            return
        }
        streams[id] = QUICStreamIO(origin: .remote)
        onMuxerEvent(.streamOpened(streamID: UInt64(id), .remote))
        if !acceptWaiters.isEmpty, let stream = makeStream(id) {
            acceptWaiters.removeFirst().succeed(stream)
        } else {
            acceptQueue.append(id)
        }
    }

    private func data(_ id: Int64, _ piece: ByteBuffer?, fin: Bool) {
        if streams[id] == nil { remoteOpened(id) }
        guard let io = streams[id] else { return }
        let count = piece?.readableBytes ?? 0
        if let piece, count > 0, io.readEnd == nil {
            io.unread.append(piece)
            io.unreadBytes += count
            io.bytesIn += UInt64(count)
            io.framesIn += 1
        } else if count > 0, let conn {
            // After a local reset: give the credit back, nobody reads it.
            _ = psq_stream_consumed(conn, id, count)
        }
        if fin, io.readEnd == nil { io.readEnd = .success(nil) }
        serveReader(id, io)
    }

    /// How recently retired streams ended, so a read after the last byte still sees the end (bounded).
    private var ended: [Int64: Result<ByteBuffer?, QUICStreamError>] = [:]
    private var endedOrder: Deque<Int64> = []
    static let endedMemory = 1024

    private func remember(_ id: Int64, _ end: Result<ByteBuffer?, QUICStreamError>) {
        ended[id] = end
        endedOrder.append(id)
        if endedOrder.count > Self.endedMemory, let oldest = endedOrder.popFirst() { ended[oldest] = nil }
    }

    /// Forgets a stream QUIC closed once nothing of it is left to read.
    private func retireIfDone(_ id: Int64, _ io: QUICStreamIO) {
        guard io.transportClosed, io.unreadBytes == 0, io.reader == nil, streams[id] === io else { return }
        streams[id] = nil
        let reset = io.state == .reset
        remember(id, io.readEnd ?? .success(nil))
        io.failAll(.connectionClosed("stream closed"))
        onMuxerEvent(.streamClosed(streamID: UInt64(id), cause: reset ? "reset" : "closed", reset: reset))
    }

    private func serveReader(_ id: Int64, _ io: QUICStreamIO) {
        defer { retireIfDone(id, io) }
        guard let reader = io.reader else { return }
        if let piece = io.takeUnread(joiningUpTo: Self.maxJoinedRead) {
            io.reader = nil
            if let conn { _ = psq_stream_consumed(conn, id, piece.readableBytes) }
            reader.succeed(piece)
        } else if let end = io.readEnd {
            io.reader = nil
            reader.continuation.resume(with: end.mapError { $0 as any Error })
        }
    }

    private func pumpParkedWrites() {
        for (id, io) in streams where io.pendingWrite != nil { pumpWrite(id, io) }
    }

    /// Hands psq as much of the pending write as its send buffer takes; the writer resumes once all of it is.
    private func pumpWrite(_ id: Int64, _ io: QUICStreamIO) {
        guard let conn, var pending = io.pendingWrite else { return }
        while pending.data.readableBytes > 0 {
            let room = Int(clamping: psq_stream_write_room(conn, id))
            // Waiting for a sizeable gap keeps psq's chunks large (each ACK frees only a few KiB); the
            // rest of the send buffer is still in flight, so the wait costs no throughput.
            guard room > 0, room >= min(Self.minimumWriteChunk, pending.data.readableBytes) else { break }
            let count = min(room, pending.data.readableBytes)
            let status = pending.data.withUnsafeReadableBytes { bytes in
                psq_stream_write(conn, id, bytes.bindMemory(to: UInt8.self).baseAddress, count, 0)
            }
            guard status == 0 else {
                io.pendingWrite = nil
                pending.waiter.fail(QUICStreamError.connectionClosed("psq refused the write (\(status))"))
                return
            }
            pending.data.moveReaderIndex(forwardBy: count)
            io.bytesOut += UInt64(count)
            io.framesOut += 1
        }
        if pending.data.readableBytes == 0 {
            io.pendingWrite = nil
            pending.waiter.succeed(())
            if let closeWaiter = io.closeWaiter.take() { sendFin(id, io, closeWaiter) }
        } else {
            io.pendingWrite = pending
        }
    }

    private func sendFin(_ id: Int64, _ io: QUICStreamIO, _ waiter: EventLoopWaiter<Void>) {
        guard let conn else { return waiter.fail(QUICStreamError.connectionClosed(closeReason ?? "gone")) }
        io.finSent = true
        _ = psq_stream_shutdown_write(conn, id)
        waiter.succeed(())
    }

    // MARK: - The end

    /// Closes with a CONNECTION_CLOSE (application code 0) and frees the connection after sending it.
    func close(reason: String) {
        guard let conn, closeReason == nil else { return }
        _ = reason.withCString { psq_conn_close(conn, 0, $0) }
        settle()
        // psq queued CLOSED; if it could not, end here.
        if closeReason == nil { finish("closed locally: \(reason)") }
    }

    func abort() {
        finish("aborted locally")
        if !draining { release() }
    }

    /// The handshake's deadline passed: the dial fails with its last step, and the connection goes.
    func handshakeTimedOut(after limit: Duration) {
        guard !handshakeDone, closeReason == nil else { return }
        handshake.fail(QUICError.handshakeTimedOut(after: limit, lastStep: steps.last?.step.label ?? "quic → Initial (ClientHello)"))
        handshakeDone = true
        close(reason: "handshake timed out")
    }

    /// The Host gave the dial up: an unfinished handshake ends (a finished one is the Host's to close).
    func cancelDial() {
        guard !handshakeDone, closeReason == nil else { return }
        handshakeDone = true
        handshake.fail(QUICError.cancelled)
        close(reason: "dial cancelled")
    }

    /// What the handshake proved, once it completed.
    var peer: TLSCertificateVerifier.Verified? { check.verified }

    private func finish(_ reason: String) {
        guard closeReason == nil else { return }
        closeReason = reason
        acceptsStreams = false
        timer?.cancel()
        timer = nil
        for (id, io) in streams {
            giveBackUnread(id, io)
            io.failAll(.connectionClosed(reason))
        }
        streams.removeAll()
        for waiter in acceptWaiters { waiter.succeed(nil) }
        acceptWaiters.removeAll()
        for waiter in openWaiters { waiter.fail(QUICStreamError.connectionClosed(reason)) }
        openWaiters.removeAll()
        if !handshakeDone {
            if let failure = check.failure {
                handshake.fail(QUICError.peerCertificateRejected(failure))
            } else {
                handshake.fail(QUICError.closed(reason))
            }
        }
        onMuxerEvent(.closed(reason: reason, error: !reason.hasPrefix("closed locally")))
        closePromise.succeed(())
    }

    /// psq's closing or draining period is over: the connection may be freed (set by the final CLOSED).
    private var final = false
    /// Called once the connection is freed (the dialer closes its socket, a listener drops the routes).
    var onFinal: () -> Void = {}

    /// True while psq's event queue is being read (the connection must not be freed under it).
    private var draining = false

    private func release() {
        guard let conn else { return }
        self.conn = nil
        timer?.cancel()
        timer = nil
        psq_conn_free(conn)
        onFinal()
    }

    /// Received bytes nobody will read: their flow-control credit goes back to psq all the same.
    private func giveBackUnread(_ id: Int64, _ io: QUICStreamIO) {
        if let conn, io.unreadBytes > 0 { _ = psq_stream_consumed(conn, id, io.unreadBytes) }
        io.unread.removeAll()
        io.unreadBytes = 0
    }

    // MARK: - Streams

    private func makeStream(_ id: Int64) -> QUICStream? {
        handle.map { QUICStream(id: id, handle: $0) }
    }

    func openStream(_ waiter: EventLoopWaiter<any MuxerStream>) {
        guard let conn, closeReason == nil else { return waiter.fail(QUICStreamError.connectionClosed(closeReason ?? "gone")) }
        let id = psq_stream_open(conn)
        guard id >= 0 else {
            // No stream credit from the peer yet: wait for MAX_STREAMS.
            openWaiters.append(waiter)
            return
        }
        streams[id] = QUICStreamIO(origin: .local)
        onMuxerEvent(.streamOpened(streamID: UInt64(id), .local))
        guard let stream = makeStream(id) else { return waiter.fail(QUICStreamError.connectionClosed("no handle")) }
        waiter.succeed(stream)
    }

    private func serveOpenWaiters() {
        let waiting = openWaiters
        openWaiters.removeAll()
        for waiter in waiting { openStream(waiter) }
    }

    func cancelOpen(_ flag: WaiterCancellationFlag) {
        guard let index = openWaiters.firstIndex(where: { $0.belongs(to: flag) }) else { return }
        openWaiters.remove(at: index).fail(CancellationError())
    }

    func acceptStream(_ waiter: EventLoopWaiter<(any MuxerStream)?>) {
        if let id = acceptQueue.popFirst(), let stream = makeStream(id) {
            waiter.succeed(stream)
        } else if closeReason != nil || !acceptsStreams {
            waiter.succeed(nil)
        } else {
            acceptWaiters.append(waiter)
        }
    }

    func cancelAccept(_ flag: WaiterCancellationFlag) {
        guard let index = acceptWaiters.firstIndex(where: { $0.belongs(to: flag) }) else { return }
        acceptWaiters.remove(at: index).fail(CancellationError())
    }

    /// No more streams from the peer are taken; the connection closes when ours end.
    func goAway() {
        acceptsStreams = false
        for waiter in acceptWaiters { waiter.succeed(nil) }
        acceptWaiters.removeAll()
        if streams.isEmpty { close(reason: "going away") }
    }

    func read(_ id: Int64, _ waiter: EventLoopWaiter<ByteBuffer?>) {
        if streams[id] == nil, let end = ended[id] { return waiter.continuation.resume(with: end.mapError { $0 as any Error }) }
        guard let io = streams[id] else {
            return waiter.fail(closeReason.map { QUICStreamError.connectionClosed($0) } ?? QUICStreamError.unknownStream(id))
        }
        guard io.reader == nil else { return waiter.fail(QUICStreamError.concurrentOperation) }
        io.reader = waiter
        serveReader(id, io)
        settle()
    }

    func cancelRead(_ id: Int64, _ flag: WaiterCancellationFlag) {
        guard let io = streams[id], let waiter = io.reader, waiter.belongs(to: flag) else { return }
        io.reader = nil
        waiter.fail(CancellationError())
    }

    func write(_ id: Int64, _ data: ByteBuffer, _ waiter: EventLoopWaiter<Void>) {
        guard conn != nil, let io = streams[id] else {
            return waiter.fail(closeReason.map { QUICStreamError.connectionClosed($0) } ?? QUICStreamError.unknownStream(id))
        }
        if let failure = io.writeFailure { return waiter.fail(failure) }
        guard !io.finSent, io.closeWaiter == nil else { return waiter.fail(QUICStreamError.writeClosed) }
        guard io.pendingWrite == nil else { return waiter.fail(QUICStreamError.concurrentOperation) }
        io.pendingWrite = (data, waiter)
        pumpWrite(id, io)
        settle()
    }

    func cancelWrite(_ id: Int64, _ flag: WaiterCancellationFlag) {
        // psq may already hold part of it: a cancelled write resets the stream rather than leave half a message.
        guard let io = streams[id], let pending = io.pendingWrite, pending.waiter.belongs(to: flag) else { return }
        io.pendingWrite = nil
        pending.waiter.fail(CancellationError())
        reset(id)
    }

    func closeWrite(_ id: Int64, _ waiter: EventLoopWaiter<Void>) {
        if streams[id] == nil, ended[id] != nil { return waiter.succeed(()) }
        guard conn != nil, let io = streams[id] else {
            return waiter.fail(closeReason.map { QUICStreamError.connectionClosed($0) } ?? QUICStreamError.unknownStream(id))
        }
        if let failure = io.writeFailure { return waiter.fail(failure) }
        guard !io.finSent else { return waiter.succeed(()) }
        guard io.closeWaiter == nil else { return waiter.fail(QUICStreamError.concurrentOperation) }
        if io.pendingWrite != nil {
            io.closeWaiter = waiter
        } else {
            sendFin(id, io, waiter)
        }
        settle()
    }

    func cancelCloseWrite(_ id: Int64, _ flag: WaiterCancellationFlag) {
        guard let io = streams[id], let waiter = io.closeWaiter, waiter.belongs(to: flag) else { return }
        io.closeWaiter = nil
        waiter.fail(CancellationError())
    }

    func reset(_ id: Int64) {
        guard let conn, let io = streams[id] else { return }
        _ = psq_stream_reset(conn, id, 0)
        giveBackUnread(id, io)
        io.failAll(.resetLocally)
        settle()
    }

    /// A stream handle went away: an open stream is reset, as over yamux.
    func release(_ id: Int64) {
        guard let io = streams[id], io.state != .closed else { return }
        if io.state == .remoteClosed && io.finSent { return }
        if !(io.finSent && io.readEnd != nil) { reset(id) }
    }

    // MARK: - Snapshots

    func snapshot() -> MuxedSessionSnapshot? {
        guard let conn else { return nil }
        var infos: [MuxedStreamInfo] = []
        for (id, io) in streams.sorted(by: { $0.key < $1.key }) {
            infos.append(MuxedStreamInfo(
                id: UInt64(id), origin: io.origin, state: io.state,
                sendWindow: UInt32(clamping: psq_stream_send_credit(conn, id)),
                receiveWindow: UInt32(clamping: psq_stream_recv_credit(conn, id)),
                bufferedBytes: UInt32(clamping: io.unreadBytes), bytesIn: io.bytesIn, bytesOut: io.bytesOut,
                framesIn: io.framesIn, framesOut: io.framesOut, openedAt: io.openedAt))
        }
        let path = pathStats()
        return MuxedSessionSnapshot(
            streams: infos, recentlyClosed: [], framesIn: datagramsIn, framesOut: datagramsOut,
            bytesIn: bytesIn, bytesOut: bytesOut,
            lastRTT: path.smoothed_rtt_ns > 0 ? .nanoseconds(Int64(clamping: path.smoothed_rtt_ns)) : nil,
            closing: closeReason != nil || !acceptsStreams)
    }

    /// RTT, congestion window and datagram size as QUIC's recovery sees them.
    func pathStats() -> psq_path_stats {
        var stats = psq_path_stats()
        if let conn { psq_conn_path_stats(conn, &stats) }
        return stats
    }
}
