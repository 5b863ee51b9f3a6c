import DequeModule
import NIOCore
import Core

/// Sans-IO yamux session (`/yamux/1.0.0`, yamux spec in shared/specs/yamux.md).
///
/// Bytes from the peer go in through `receive(_:now:)`; commands (`openStream`, `write`, `closeWrite`,
/// `reset`, `consumed`, `sendPing`, `goAway`, …) change state. Both return events; every frame they
/// produces is appended to one outbound buffer that the driver drains with `takeOutbound()` when it flushes,
/// so all frames of one read or flush cycle leave in a single write. Time is passed in; nothing here reads a
/// clock, schedules work or touches a channel.
///
/// Session phases:
///
///     active ──(Go Away sent or received)──▶ goingAway ──▶ closed
///        └──────(protocol error, keepalive timeout, close)───────▲
///
/// Stream lifecycle (per stream, `YamuxStreamRecord`): SYN → (ACK) → FIN each way → forgotten; RST from
/// either side → forgotten at once.
struct YamuxSession: Sendable {
    /// What each side said with Go Away, if anything.
    struct GoAwayExchange: Hashable, Sendable {
        var sent: YamuxGoAwayCode?
        var received: YamuxGoAwayCode?
    }

    enum Phase: Hashable, Sendable {
        case active
        /// No new streams in either direction; existing ones continue.
        case goingAway(GoAwayExchange)
        case closed(YamuxSessionCloseReason, GoAwayExchange)
    }

    /// Where the body bytes of the Data frame being read go.
    enum BodySink: Hashable, Sendable {
        case discard
        case stream(YamuxStreamID, finishAfter: Bool)
    }

    struct OutstandingPing: Hashable, Sendable {
        var value: UInt32
        var sentAt: NIODeadline
    }

    let role: YamuxRole
    let configuration: YamuxConfiguration
    // Mutated by the receive and ping paths in the extension files too.
    var phase: Phase = .active
    var counters = YamuxSessionCounters()

    var streams: [YamuxStreamID: YamuxStreamRecord] = [:]
    var decoder: YamuxFrameDecoder
    var bodySink: BodySink = .discard
    var outbound: ByteBuffer
    /// The last buffer handed out by `takeOutbound`, reused for the next frames (see `reserveOutbound`).
    var spareOutbound: ByteBuffer?
    let allocator: ByteBufferAllocator
    /// The ID our next stream gets (internal so tests can start near the end of the ID space).
    var nextStreamID: UInt32

    // Limits bookkeeping (kept as counters so each check is O(1)).
    private(set) var inboundStreamCount = 0
    private(set) var outboundStreamCount = 0
    private(set) var unacknowledgedInbound = 0
    private(set) var unacknowledgedOutbound = 0
    private(set) var totalReceiveTarget: UInt64 = 0
    /// Final views of the most recently forgotten streams, newest last (bounded by `closedStreamHistory`).
    private(set) var recentlyClosed: Deque<YamuxStreamInfo> = []

    // Ping and keepalive.
    var outstandingPing: OutstandingPing?
    var nextPingValue: UInt32 = 1
    var lastPingSentAt: NIODeadline
    var lastInboundAt: NIODeadline
    /// The last measured RTT, which window auto-tuning compares update intervals with.
    var roundTripTime: TimeAmount?

    init(
        role: YamuxRole, configuration: YamuxConfiguration = YamuxConfiguration(), now: NIODeadline,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        configuration.validate()
        self.role = role
        self.configuration = configuration
        self.allocator = allocator
        self.outbound = allocator.buffer(capacity: 0)
        self.decoder = YamuxFrameDecoder(maxDataLength: configuration.maxStreamWindow)
        self.nextStreamID = role.firstStreamID
        self.lastPingSentAt = now
        self.lastInboundAt = now
    }

    // MARK: - State queries

    var goAwayExchange: GoAwayExchange {
        switch phase {
        case .active: GoAwayExchange()
        case .goingAway(let exchange), .closed(_, let exchange): exchange
        }
    }

    var closeReason: YamuxSessionCloseReason? {
        if case .closed(let reason, _) = phase { return reason }
        return nil
    }

    var isClosed: Bool { closeReason != nil }

    /// Whether new streams may be opened (in either direction).
    var acceptsNewStreams: Bool { phase == .active }

    var liveStreamIDs: [YamuxStreamID] { streams.keys.sorted() }

    /// Checked after every operation, so it must not cost more than the operation (no sort, no copy).
    var hasLiveStreams: Bool { !streams.isEmpty }

    func streamInfo(_ id: YamuxStreamID) -> YamuxStreamInfo? { streams[id]?.info }

    /// The final view of a stream the session has forgotten, while it is still in the history.
    func closedStreamInfo(_ id: YamuxStreamID) -> YamuxStreamInfo? { recentlyClosed.last { $0.id == id } }

    var snapshot: YamuxSessionSnapshot {
        YamuxSessionSnapshot(
            role: role, streams: streams.values.map(\.info).sorted { $0.id < $1.id },
            recentlyClosed: Array(recentlyClosed), counters: counters, goAwaySent: goAwayExchange.sent,
            goAwayReceived: goAwayExchange.received, closeReason: closeReason)
    }

    /// Whether frames are waiting for `takeOutbound()`.
    var hasOutbound: Bool { outbound.readableBytes > 0 }

    /// How many bytes of frames are waiting for `takeOutbound()`.
    var outboundBytes: Int { outbound.readableBytes }

    /// Hands over every frame produced since the last call, as one buffer; nil when there is nothing to send.
    mutating func takeOutbound() -> ByteBuffer? {
        guard outbound.readableBytes > 0 else { return nil }
        let taken = outbound
        outbound = allocator.buffer(capacity: 0)
        // The next frames reuse this memory if the driver has let go of it by then (a bulk sender would
        // otherwise page-fault a fresh buffer per flush). Small buffers are cheap to allocate and are not kept,
        // so idle sessions hold none; very large ones are not kept either.
        spareOutbound = Self.spareOutboundCapacities.contains(taken.capacity) ? taken : nil
        return taken
    }

    static let spareOutboundCapacities = (32 * 1024)...(1024 * 1024)

    /// Makes room for `count` more outbound bytes, starting from the spare buffer when `outbound` is empty.
    mutating func reserveOutbound(_ count: Int) {
        if outbound.readableBytes == 0, var spare = spareOutbound {
            spareOutbound = nil
            // Allocates fresh storage, without copying, if the driver still holds the previous flush.
            spare.clear(minimumCapacity: max(count, outbound.capacity))
            outbound = spare
        } else {
            outbound.reserveCapacity(minimumWritableBytes: count)
        }
    }

    // MARK: - Commands

    /// Opens a stream: sends `WindowUpdate{SYN}` at once (go/py style), granting any initial window above
    /// 256 KiB in the same frame.
    mutating func openStream(now: NIODeadline) throws(YamuxOpenStreamError) -> YamuxStreamID {
        switch phase {
        case .closed: throw .sessionClosed
        case .goingAway: throw .goingAway
        case .active: break
        }
        guard outboundStreamCount < configuration.maxOutboundStreams else {
            throw .tooManyStreams(limit: configuration.maxOutboundStreams)
        }
        guard unacknowledgedOutbound < configuration.maxUnacknowledgedOutboundStreams else {
            throw .ackBacklogFull(limit: configuration.maxUnacknowledgedOutboundStreams)
        }
        // go-yamux refuses once the ID would reach 2^32 − 2.
        guard nextStreamID < UInt32.max - 1 else { throw .streamIDsExhausted }
        let id = YamuxStreamID(nextStreamID)
        nextStreamID += 2
        var stream = YamuxStreamRecord(
            id: id, origin: .local, receiveTarget: configuration.initialStreamWindow, now: now)
        outboundStreamCount += 1
        unacknowledgedOutbound += 1
        totalReceiveTarget += UInt64(stream.receive.target)
        counters.streamsOpenedLocally += 1
        let delta = stream.receive.grant(
            now: now, rtt: nil, force: true, maxWindow: configuration.maxStreamWindow, growthAllowance: 0)
        writeStreamFrame(.windowUpdate, flags: .syn, length: delta?.delta ?? 0, on: &stream)
        streams[id] = stream
        return id
    }

    /// The application accepted a peer-opened stream: send ACK now (go-yamux acks on accept), with any
    /// initial window above 256 KiB. No effect if the stream was already ACKed or is gone.
    mutating func acceptStream(_ id: YamuxStreamID, now: NIODeadline) {
        guard var stream = streams[id], stream.handshake == .synReceived else { return }
        sendWindowUpdate(on: &stream, now: now)
        streams[id] = stream
    }

    /// Sends as much of `buffer` as the send window allows, in Data frames of at most `maxFramePayload`
    /// bytes, advancing `buffer`'s reader index. Returns the number of bytes taken; when that is less than
    /// what was offered, `.sendWindowOpened` is reported once the peer grants more.
    mutating func write(_ id: YamuxStreamID, _ buffer: inout ByteBuffer) throws(YamuxStreamError) -> Int {
        if let reason = closeReason { throw .sessionClosed(reason) }
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard stream.canWrite else { throw .writeClosed }
        var taken = 0
        let writable = min(buffer.readableBytes, Int(stream.sendWindow))
        if writable > 0 {
            // One allocation for all frames of this write instead of repeated doubling of `outbound`.
            let frames = (writable + configuration.maxFramePayload - 1) / configuration.maxFramePayload
            reserveOutbound(writable + frames * YamuxFrameHeader.size)
        }
        while buffer.readableBytes > 0, stream.sendWindow > 0 {
            let count = min(buffer.readableBytes, Int(stream.sendWindow), configuration.maxFramePayload)
            guard let payload = buffer.readSlice(length: count) else { break }
            writeStreamFrame(.data, flags: [], length: UInt32(count), payload: payload, on: &stream)
            stream.sendWindow -= UInt32(count)
            stream.bytesOut += UInt64(count)
            taken += count
        }
        stream.writeBlocked = buffer.readableBytes > 0
        streams[id] = stream
        return taken
    }

    /// Half-closes our direction with `WindowUpdate{FIN}`. Returns `.streamClosed` when the peer had already
    /// finished. Closing twice is a no-op.
    mutating func closeWrite(_ id: YamuxStreamID) throws(YamuxStreamError) -> [YamuxEvent] {
        if let reason = closeReason { throw .sessionClosed(reason) }
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard stream.canWrite else { return [] }
        writeStreamFrame(.windowUpdate, flags: .fin, length: 0, on: &stream)
        if stream.halfClose == .remoteClosed {
            forget(stream, finalState: .closed)
            return [.streamClosed(id)]
        }
        stream.halfClose = .localClosed
        streams[id] = stream
        return []
    }

    /// Aborts both directions with `WindowUpdate{RST}` carrying `code` in the length (go-libp2p style).
    /// Unknown streams are ignored.
    mutating func reset(_ id: YamuxStreamID, code: UInt32 = 0) {
        guard !isClosed, let stream = streams[id] else { return }
        writeFrame(YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id, length: code))
        forget(stream, finalState: .reset)
    }

    /// The application read `count` bytes of a stream: maybe grant more window (and auto-tune it).
    mutating func consumed(_ id: YamuxStreamID, bytes count: Int, now: NIODeadline) {
        guard !isClosed, var stream = streams[id], count > 0 else { return }
        // At most what this record holds: a peer may reset a stream and open a new one with the same ID in
        // one read, and the bytes the application took from the old one are then reported against the new
        // record (found by the yamux-session fuzz target; trapping here let a peer crash the node).
        stream.receive.consume(UInt32(min(count, Int(stream.receive.buffered))))
        if stream.canReceive {
            sendWindowUpdate(on: &stream, now: now)
        }
        streams[id] = stream
    }

    /// Sends Go Away once; afterwards neither side may open streams. Existing streams continue.
    mutating func goAway(_ code: YamuxGoAwayCode = .normal) {
        var exchange: GoAwayExchange
        switch phase {
        case .closed: return
        case .active: exchange = GoAwayExchange()
        case .goingAway(let current): exchange = current
        }
        guard exchange.sent == nil else { return }
        exchange.sent = code
        writeFrame(YamuxFrameHeader(type: .goAway, streamID: .session, length: code.rawValue))
        phase = .goingAway(exchange)
    }

    /// Ends the session and forgets every stream. Frames already queued stay in the outbound buffer.
    mutating func close(_ reason: YamuxSessionCloseReason) {
        guard !isClosed else { return }
        phase = .closed(reason, goAwayExchange)
        streams.removeAll()
        inboundStreamCount = 0
        outboundStreamCount = 0
        unacknowledgedInbound = 0
        unacknowledgedOutbound = 0
        totalReceiveTarget = 0
        outstandingPing = nil
    }

    // MARK: - Helpers shared by the command and receive paths

    /// Sends a window update if the receive policy wants one, or unconditionally when an ACK is owed.
    mutating func sendWindowUpdate(on stream: inout YamuxStreamRecord, now: NIODeadline) {
        let force = stream.handshake == .synReceived
        let budget = configuration.maxTotalReceiveWindow
        let allowance = budget - min(budget, totalReceiveTarget)
        guard
            let grant = stream.receive.grant(
                now: now, rtt: roundTripTime, force: force, maxWindow: configuration.maxStreamWindow,
                growthAllowance: allowance)
        else { return }
        totalReceiveTarget += UInt64(grant.growth)
        writeStreamFrame(.windowUpdate, flags: [], length: grant.delta, on: &stream)
    }

    /// Writes a Data or Window Update frame for `stream`, adding ACK if we still owe one.
    mutating func writeStreamFrame(
        _ type: YamuxFrameType, flags: YamuxFlags, length: UInt32, payload: ByteBuffer? = nil,
        on stream: inout YamuxStreamRecord
    ) {
        var flags = flags
        if stream.handshake == .synReceived {
            flags.insert(.ack)
            stream.handshake = .established
            unacknowledgedInbound -= 1
        }
        stream.framesOut += 1
        writeFrame(YamuxFrameHeader(type: type, flags: flags, streamID: stream.id, length: length), payload: payload)
    }

    mutating func writeFrame(_ header: YamuxFrameHeader, payload: ByteBuffer? = nil) {
        reserveOutbound(YamuxFrameHeader.size + (payload?.readableBytes ?? 0))
        header.write(to: &outbound)
        if let payload { outbound.writeImmutableBuffer(payload) }
        counters.framesOut += 1
        counters.bytesOut += UInt64(YamuxFrameHeader.size + (payload?.readableBytes ?? 0))
    }

    /// Adds a peer-opened stream, or says which limit refuses it.
    mutating func admitRemoteStream(_ id: YamuxStreamID, now: NIODeadline) -> YamuxStreamRejection? {
        guard acceptsNewStreams else { return .goingAway }
        guard inboundStreamCount < configuration.maxInboundStreams else {
            return .maxStreams(limit: configuration.maxInboundStreams)
        }
        guard unacknowledgedInbound < configuration.maxUnacknowledgedInboundStreams else {
            return .ackBacklogFull(limit: configuration.maxUnacknowledgedInboundStreams)
        }
        let stream = YamuxStreamRecord(
            id: id, origin: .remote, receiveTarget: configuration.initialStreamWindow, now: now)
        streams[id] = stream
        inboundStreamCount += 1
        unacknowledgedInbound += 1
        totalReceiveTarget += UInt64(stream.receive.target)
        counters.streamsOpenedRemotely += 1
        return nil
    }

    /// Our ACK arrived for a stream we opened.
    mutating func markAcknowledged(_ stream: inout YamuxStreamRecord) {
        guard stream.handshake == .synSent else { return }
        stream.handshake = .established
        unacknowledgedOutbound -= 1
    }

    /// Drops a stream from the table and from every limit counter, keeping its final view in the history.
    mutating func forget(_ stream: YamuxStreamRecord, finalState: MuxedStreamState) {
        guard streams.removeValue(forKey: stream.id) != nil else { return }
        var info = stream.info
        info.state = finalState
        recentlyClosed.append(info)
        if recentlyClosed.count > configuration.closedStreamHistory { recentlyClosed.removeFirst() }
        switch stream.origin {
        case .local: outboundStreamCount -= 1
        case .remote: inboundStreamCount -= 1
        }
        switch stream.handshake {
        case .synSent: unacknowledgedOutbound -= 1
        case .synReceived: unacknowledgedInbound -= 1
        case .established: break
        }
        totalReceiveTarget -= UInt64(stream.receive.target)
    }
}
