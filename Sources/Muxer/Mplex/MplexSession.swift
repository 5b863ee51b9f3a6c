import Core
import DequeModule
import NIOCore

/// Sans-IO mplex session (`/mplex/6.7.0`, libp2p/specs mplex/README.md).
///
/// Bytes from the peer go in through `receive(_:now:)`; commands (`openStream`, `write`, `closeWrite`,
/// `reset`, `consumed`, `goAway`, `close`) change state. Both report `MplexEvent`s; every frame they
/// produce is appended to one outbound buffer the driver drains with `takeOutbound()`. Time is passed in
/// (only for stream ages); nothing here reads a clock, schedules work or touches a channel.
///
/// mplex has no flow control, so the session counts each stream's unread data itself (`consumed` tells it
/// what the application read) and resets a stream whose peer outruns `maxStreamReceiveBuffer`.
///
/// Stream lifecycle: NewStream → Close each way → forgotten; Reset from either side → forgotten at once.
struct MplexSession: Sendable {
    enum Phase: Hashable, Sendable {
        case active
        /// No new streams either way (local only: mplex cannot tell the peer); existing ones continue.
        case goingAway
        case closed(MplexSessionCloseReason)
    }

    /// Where the data of the frame being read goes.
    enum DataSink: Hashable, Sendable {
        case discard
        /// A NewStream's name, collected up to `maxStreamNameBytes`.
        case streamName(MplexStreamID, collected: ByteBuffer)
        case stream(MplexStreamID)
    }

    let configuration: MplexConfiguration
    var phase: Phase = .active
    var counters = MplexSessionCounters()
    var streams: [MplexStreamID: MplexStreamRecord] = [:]
    var decoder = MplexFrameDecoder()
    var dataSink: DataSink = .discard
    var outbound: ByteBuffer
    let allocator: ByteBufferAllocator
    /// The number our next stream gets (internal so tests can start near the end of the number space).
    var nextStreamNumber: UInt64 = 0

    // Limits bookkeeping, kept as counters so each check is O(1).
    private(set) var inboundStreamCount = 0
    private(set) var outboundStreamCount = 0
    /// Unread bytes of all live streams (the sum of their `buffered`).
    private(set) var totalBuffered = 0
    /// Final views of the most recently forgotten streams, newest last (bounded by `closedStreamHistory`).
    private(set) var recentlyClosed: Deque<MplexStreamInfo> = []

    init(configuration: MplexConfiguration = MplexConfiguration(), allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        configuration.validate()
        self.configuration = configuration
        self.allocator = allocator
        self.outbound = allocator.buffer(capacity: 0)
    }

    // MARK: - State queries

    var closeReason: MplexSessionCloseReason? {
        if case .closed(let reason) = phase { return reason }
        return nil
    }

    var isClosed: Bool { closeReason != nil }
    var acceptsNewStreams: Bool { phase == .active }
    var isGoingAway: Bool { phase != .active }
    var hasLiveStreams: Bool { !streams.isEmpty }

    func streamInfo(_ id: MplexStreamID) -> MplexStreamInfo? { streams[id]?.info }

    /// The final view of a stream the session has forgotten, while it is still in the history.
    func closedStreamInfo(_ id: MplexStreamID) -> MplexStreamInfo? { recentlyClosed.last { $0.id == id } }

    var snapshot: MplexSessionSnapshot {
        MplexSessionSnapshot(
            streams: streams.values.map(\.info).sorted { $0.id < $1.id }, recentlyClosed: Array(recentlyClosed),
            counters: counters, bufferedBytes: totalBuffered, goingAway: phase != .active, closeReason: closeReason)
    }

    /// Bytes waiting for `takeOutbound()`.
    var outboundBytes: Int { outbound.readableBytes }

    /// Hands over every frame produced since the last call, as one buffer; nil when there is nothing to send.
    mutating func takeOutbound() -> ByteBuffer? {
        guard outbound.readableBytes > 0 else { return nil }
        let taken = outbound
        outbound = allocator.buffer(capacity: 0)
        return taken
    }

    // MARK: - Commands

    /// Opens a stream: sends NewStream at once, named with the decimal stream number (as go-mplex does).
    mutating func openStream(now: NIODeadline) throws(MplexOpenStreamError) -> MplexStreamID {
        switch phase {
        case .closed: throw .sessionClosed
        case .goingAway: throw .goingAway
        case .active: break
        }
        guard outboundStreamCount < configuration.maxOutboundStreams else {
            throw .tooManyStreams(limit: configuration.maxOutboundStreams)
        }
        guard nextStreamNumber <= MplexStreamID.maxNumber else { throw .streamNumbersExhausted }
        let id = MplexStreamID(number: nextStreamNumber, origin: .local)
        nextStreamNumber += 1
        let name = String(id.number)
        var stream = MplexStreamRecord(id: id, name: name, now: now)
        writeStreamFrame(.newStream, payload: ByteBuffer(string: name), on: &stream)
        streams[id] = stream
        outboundStreamCount += 1
        counters.streamsOpenedLocally += 1
        return id
    }

    /// Sends all of `buffer` in frames of at most `maxFramePayload` bytes (mplex has no window to wait for;
    /// the driver applies backpressure before calling this).
    mutating func write(_ id: MplexStreamID, _ buffer: ByteBuffer) throws(MplexStreamError) {
        if let reason = closeReason { throw .sessionClosed(reason) }
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard stream.canWrite else { throw .writeClosed }
        var remaining = buffer
        let frames = (remaining.readableBytes + configuration.maxFramePayload - 1) / configuration.maxFramePayload
        outbound.reserveCapacity(minimumWritableBytes: remaining.readableBytes + frames * MplexFrameHeader.maxEncodedSize)
        while remaining.readableBytes > 0,
            let payload = remaining.readSlice(length: min(remaining.readableBytes, configuration.maxFramePayload))
        {
            writeStreamFrame(.message, payload: payload, on: &stream)
            stream.bytesOut += UInt64(payload.readableBytes)
        }
        streams[id] = stream
    }

    /// Half-closes our direction with Close. Returns `.streamClosed` when the peer had closed already.
    /// Closing twice is a no-op.
    mutating func closeWrite(_ id: MplexStreamID) throws(MplexStreamError) -> [MplexEvent] {
        if let reason = closeReason { throw .sessionClosed(reason) }
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard stream.canWrite else { return [] }
        writeStreamFrame(.close, on: &stream)
        stream.localClosed = true
        if stream.remoteClosed {
            forget(stream)
            return [.streamClosed(id)]
        }
        streams[id] = stream
        return []
    }

    /// Aborts both directions with Reset. Unknown streams are ignored.
    mutating func reset(_ id: MplexStreamID) {
        guard !isClosed, var stream = streams[id] else { return }
        writeStreamFrame(.reset, on: &stream)
        forget(stream, reset: true)
    }

    /// The application read `count` bytes of a stream: they no longer count against its buffer.
    mutating func consumed(_ id: MplexStreamID, bytes count: Int) {
        guard var stream = streams[id], count > 0 else { return }
        let taken = min(count, stream.buffered)
        stream.buffered -= taken
        totalBuffered -= taken
        streams[id] = stream
    }

    /// Stops new streams both ways; existing ones continue. mplex has no GoAway frame, so the peer learns
    /// of it only through the resets of the streams it opens from now on.
    mutating func goAway() {
        guard phase == .active else { return }
        phase = .goingAway
    }

    /// Ends the session and forgets every stream. Frames already queued stay in the outbound buffer.
    mutating func close(_ reason: MplexSessionCloseReason) {
        guard !isClosed else { return }
        phase = .closed(reason)
        streams.removeAll()
        inboundStreamCount = 0
        outboundStreamCount = 0
        totalBuffered = 0
        dataSink = .discard
    }

    // MARK: - Helpers shared by the command and receive paths

    mutating func writeStreamFrame(_ kind: MplexFrameKind, payload: ByteBuffer? = nil, on stream: inout MplexStreamRecord) {
        stream.framesOut += 1
        writeFrame(
            MplexFrameHeader(streamNumber: stream.id.number, flag: stream.outboundFlag(kind), length: payload?.readableBytes ?? 0),
            payload: payload)
    }

    mutating func writeFrame(_ header: MplexFrameHeader, payload: ByteBuffer? = nil) {
        let size = header.encodedSize + header.length
        outbound.reserveCapacity(minimumWritableBytes: size)
        header.write(to: &outbound)
        if let payload { outbound.writeImmutableBuffer(payload) }
        counters.framesOut += 1
        counters.bytesOut += UInt64(size)
    }

    /// Adds a peer-opened stream, or says which limit refuses it.
    mutating func admitRemoteStream(_ id: MplexStreamID, name: String, now: NIODeadline) -> MplexStreamRejection? {
        guard acceptsNewStreams else { return .goingAway }
        guard inboundStreamCount < configuration.maxInboundStreams else {
            return .maxInboundStreams(limit: configuration.maxInboundStreams)
        }
        var stream = MplexStreamRecord(id: id, name: name, now: now)
        stream.framesIn = 1
        streams[id] = stream
        inboundStreamCount += 1
        counters.streamsOpenedRemotely += 1
        return nil
    }

    /// Data for a live stream was accepted into its buffer.
    mutating func addBuffered(_ count: Int) {
        totalBuffered += count
    }

    /// Drops a stream from the table and from every limit counter, keeping its final view in the history.
    mutating func forget(_ stream: MplexStreamRecord, reset: Bool = false) {
        guard streams.removeValue(forKey: stream.id) != nil else { return }
        var info = stream.info
        if reset { info.state = .reset }
        recentlyClosed.append(info)
        if recentlyClosed.count > configuration.closedStreamHistory { recentlyClosed.removeFirst() }
        switch stream.id.origin {
        case .local: outboundStreamCount -= 1
        case .remote: inboundStreamCount -= 1
        }
        totalBuffered -= stream.buffered
    }
}
