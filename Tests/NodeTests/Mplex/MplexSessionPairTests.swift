import NIOCore
import Testing

@testable import Core
@testable import Mplex

/// Two sessions wired back to back, with the test as both applications.
struct MplexSessionPair {
    var a: MplexSession
    var b: MplexSession
    var eventsA: [MplexEvent] = []
    var eventsB: [MplexEvent] = []
    /// Data each side received, per stream.
    var receivedA: [MplexStreamID: [UInt8]] = [:]
    var receivedB: [MplexStreamID: [UInt8]] = [:]
    /// Whether each application reads (consumes) what arrives at once.
    var aReads = true
    var bReads = true

    init(a: MplexConfiguration = MplexConfiguration(), b: MplexConfiguration = MplexConfiguration()) {
        self.a = MplexSession(configuration: a)
        self.b = MplexSession(configuration: b)
    }

    /// Moves bytes both ways until neither side has anything to send.
    mutating func pump() {
        while a.outboundBytes > 0 || b.outboundBytes > 0 {
            if let bytes = a.takeOutbound() { deliver(bytes, toA: false) }
            if let bytes = b.takeOutbound() { deliver(bytes, toA: true) }
        }
    }

    private mutating func deliver(_ bytes: ByteBuffer, toA: Bool) {
        let events = toA ? a.feed(bytes) : b.feed(bytes)
        for event in events {
            guard case .data(let id, let piece) = event else { continue }
            if toA {
                receivedA[id, default: []] += Array(piece.readableBytesView)
                if aReads { a.consumed(id, bytes: piece.readableBytes) }
            } else {
                receivedB[id, default: []] += Array(piece.readableBytesView)
                if bReads { b.consumed(id, bytes: piece.readableBytes) }
            }
        }
        if toA { eventsA += events } else { eventsB += events }
    }

    /// A's view of a stream B opened, and the other way round.
    static func peerView(_ id: MplexStreamID) -> MplexStreamID {
        MplexStreamID(number: id.number, origin: id.origin == .local ? .remote : .local)
    }
}

@Suite("mplex: session pairs")
struct MplexSessionPairTests {
    @Test func openEchoAndHalfCloseBothWays() throws {
        var pair = MplexSessionPair()
        let stream = try pair.a.openStream(now: mplexT0)
        let atB = MplexSessionPair.peerView(stream)
        pair.pump()
        #expect(pair.eventsB == [.streamOpenedByRemote(atB, name: "0")])

        let data = bytes(200_000)
        try pair.a.write(stream, buffer(data))
        #expect(try pair.a.closeWrite(stream).isEmpty)
        pair.pump()
        #expect(pair.receivedB[atB] == data)
        #expect(pair.eventsB.last == .remoteFinished(atB))
        #expect(pair.b.streamInfo(atB)?.state == .remoteClosed)
        #expect(pair.a.streamInfo(stream)?.state == .localClosed)
        // 200 000 bytes in 64 KiB frames: four Message frames.
        #expect(pair.b.streamInfo(atB)?.framesIn == 1 + 4 + 1)

        // B echoes after A's Close (half-close keeps B's direction open), then closes.
        try pair.b.write(atB, buffer(data))
        #expect(try pair.b.closeWrite(atB) == [.streamClosed(atB)])
        pair.pump()
        #expect(pair.receivedA[stream] == data)
        #expect(pair.eventsA.suffix(2) == [.remoteFinished(stream), .streamClosed(stream)])
        #expect(!pair.a.hasLiveStreams && !pair.b.hasLiveStreams)
        #expect(pair.a.closedStreamInfo(stream)?.state == .closed)
        #expect(pair.a.snapshot.bufferedBytes == 0 && pair.b.snapshot.bufferedBytes == 0)
    }

    @Test func bothSidesMayUseTheSameNumber() throws {
        var pair = MplexSessionPair()
        let fromA = try pair.a.openStream(now: mplexT0)
        let fromB = try pair.b.openStream(now: mplexT0)
        #expect(fromA.number == 0 && fromB.number == 0)
        pair.pump()
        try pair.a.write(fromA, buffer(bytes(3, seed: 1)))
        try pair.b.write(fromB, buffer(bytes(5, seed: 2)))
        pair.pump()
        // A's stream 0 and B's stream 0 are two streams on each side.
        #expect(pair.receivedB[MplexSessionPair.peerView(fromA)] == bytes(3, seed: 1))
        #expect(pair.receivedA[MplexSessionPair.peerView(fromB)] == bytes(5, seed: 2))
        #expect(pair.a.snapshot.streams.map(\.id) == [ours0, theirs0])
        #expect(pair.a.snapshot.streams.map(\.id.connectionUniqueValue) == [0, 1])
    }

    @Test func resetByEitherSideForgetsTheStreamOnBoth() throws {
        var pair = MplexSessionPair()
        let first = try pair.a.openStream(now: mplexT0)
        let second = try pair.a.openStream(now: mplexT0)
        pair.pump()
        pair.a.reset(first)
        pair.pump()
        #expect(pair.eventsB.last == .streamReset(MplexSessionPair.peerView(first)))
        #expect(pair.a.closedStreamInfo(first)?.state == .reset)

        pair.b.reset(MplexSessionPair.peerView(second))
        pair.pump()
        #expect(pair.eventsA.last == .streamReset(second))
        #expect(!pair.a.hasLiveStreams && !pair.b.hasLiveStreams)
        // Writing to a reset stream is refused locally; frames for it from a slow peer are ignored.
        #expect(throws: MplexStreamError.unknownStream(second)) { try pair.a.write(second, buffer(bytes(1))) }
        #expect(pair.b.feed(mplexFrame(.messageInitiator, stream: 1, payload: bytes(9))).isEmpty)
        #expect(pair.b.counters.framesIgnored == 1)
    }

    @Test func aPeerThatOverrunsTheReceiveBufferLosesTheStream() throws {
        var small = MplexConfiguration()
        small.maxStreamReceiveBuffer = 100_000
        var pair = MplexSessionPair(b: small)
        pair.bReads = false
        let stream = try pair.a.openStream(now: mplexT0)
        try pair.a.write(stream, buffer(bytes(65_536)))
        pair.pump()
        let atB = MplexSessionPair.peerView(stream)
        #expect(pair.b.streamInfo(atB)?.bufferedBytes == 65_536)

        // The next 64 KiB frame would make 131 072 unread bytes: B resets the stream at its header.
        try pair.a.write(stream, buffer(bytes(65_536)))
        pair.pump()
        let overrun = MplexStreamViolation.receiveBufferOverrun(bytes: 131_072, limit: 100_000)
        #expect(pair.eventsB.last == .streamAborted(atB, overrun))
        #expect(overrun.description == "receive buffer overrun (131072 bytes > limit 100000)")
        #expect(pair.receivedB[atB]?.count == 65_536, "none of the overrunning frame is kept")
        #expect(pair.eventsA.last == .streamReset(stream))
        #expect(pair.b.counters.streamsAborted == 1)
        #expect(pair.b.snapshot.bufferedBytes == 0)
    }

    @Test func theConnectionBufferBoundsAllStreamsTogether() throws {
        var small = MplexConfiguration()
        small.maxStreamReceiveBuffer = 1 << 20
        small.maxConnectionReceiveBuffer = 150_000
        var pair = MplexSessionPair(b: small)
        pair.bReads = false
        let first = try pair.a.openStream(now: mplexT0)
        let second = try pair.a.openStream(now: mplexT0)
        try pair.a.write(first, buffer(bytes(100_000)))
        try pair.a.write(second, buffer(bytes(40_000)))
        pair.pump()
        try pair.a.write(second, buffer(bytes(20_000)))
        pair.pump()
        #expect(pair.eventsB.last == .streamAborted(
            MplexSessionPair.peerView(second), .connectionReceiveBufferFull(bytes: 160_000, limit: 150_000)))
        #expect(pair.b.streamInfo(MplexSessionPair.peerView(first))?.bufferedBytes == 100_000)
        // What B's application reads frees room again.
        pair.b.consumed(MplexSessionPair.peerView(first), bytes: 100_000)
        #expect(pair.b.snapshot.bufferedBytes == 0)
    }

    @Test func inboundStreamsBeyondTheLimitAreResetAndNamed() throws {
        var limited = MplexConfiguration()
        limited.maxInboundStreams = 2
        var pair = MplexSessionPair(b: limited)
        let streams = try (0..<3).map { _ in try pair.a.openStream(now: mplexT0) }
        pair.pump()
        let third = MplexSessionPair.peerView(streams[2])
        #expect(pair.eventsB.last == .streamRejected(third, .maxInboundStreams(limit: 2)))
        #expect(pair.eventsA == [.streamReset(streams[2])])
        #expect(pair.b.counters.streamsRejected == 1)
        // One ends, so the next one is admitted.
        pair.a.reset(streams[0])
        _ = try pair.a.openStream(now: mplexT0)
        pair.pump()
        #expect(pair.b.snapshot.streams.count == 2)
        #expect(MplexStreamRejection.maxInboundStreams(limit: 2).muxerRejection
            == MuxerStreamRejection(limit: "mplex max inbound streams", value: 2))
    }

    @Test func ourOwnStreamLimitRefusesOpening() throws {
        var limited = MplexConfiguration()
        limited.maxOutboundStreams = 1
        var session = MplexSession(configuration: limited)
        _ = try session.openStream(now: mplexT0)
        #expect(throws: MplexOpenStreamError.tooManyStreams(limit: 1)) { try session.openStream(now: mplexT0) }
        session.nextStreamNumber = MplexStreamID.maxNumber + 1
        session.reset(ours0)
        #expect(throws: MplexOpenStreamError.streamNumbersExhausted) { try session.openStream(now: mplexT0) }
    }

    @Test func dataAfterThePeersCloseResetsTheStream() throws {
        var session = MplexSession()
        let id = MplexStreamID(number: 5, origin: .remote)
        _ = session.feed(mplexFrame(.newStream, stream: 5))
        _ = session.feed(mplexFrame(.closeInitiator, stream: 5))
        _ = try session.takeFrames()
        let events = session.feed(mplexFrame(.messageInitiator, stream: 5, payload: bytes(7)))
        #expect(events == [.streamAborted(id, .dataAfterClose(length: 7))])
        #expect(try session.takeFrames() == [MplexWireFrame(flag: .resetReceiver, number: 5)])
        #expect(!session.hasLiveStreams && !session.isClosed, "only the stream pays")
    }

    @Test func aNewStreamForAnOpenNumberEndsTheSession() {
        var session = MplexSession()
        _ = session.feed(mplexFrame(.newStream, stream: 2))
        let events = session.feed(mplexFrame(.newStream, stream: 2))
        #expect(events == [.protocolError(.duplicateNewStream(streamNumber: 2))])
        #expect(session.closeReason == .protocolError(.duplicateNewStream(streamNumber: 2)))
        // Nothing more is read after the session closed.
        #expect(session.feed(mplexFrame(.newStream, stream: 3)).isEmpty)
    }

    @Test func anUnknownFlagEndsTheSessionByName() {
        var session = MplexSession()
        _ = session.feed(mplexFrame(.newStream, stream: 0))
        let events = session.feed(hexBytes("07 00"))
        #expect(events == [.protocolError(.unknownFlag(7, streamNumber: 0))])
        #expect(session.isClosed && !session.hasLiveStreams)
    }

    @Test func longStreamNamesAreCutAndFramesForUnknownStreamsIgnored() throws {
        var limited = MplexConfiguration()
        limited.maxStreamNameBytes = 4
        var session = MplexSession(configuration: limited)
        let events = session.feed(mplexFrame(.newStream, stream: 9, payload: Array("streamname".utf8)))
        #expect(events == [.streamOpenedByRemote(MplexStreamID(number: 9, origin: .remote), name: "stre")])
        // Close, Reset and Message for streams nobody opened change nothing.
        #expect(session.feed(mplexFrame(.closeReceiver, stream: 40)).isEmpty)
        #expect(session.feed(mplexFrame(.resetInitiator, stream: 41)).isEmpty)
        #expect(session.feed(mplexFrame(.messageReceiver, stream: 42, payload: bytes(10))).isEmpty)
        #expect(session.counters.framesIgnored == 3)
        #expect(try session.takeFrames().isEmpty)
    }

    @Test func goingAwayRefusesNewStreamsBothWays() throws {
        var session = MplexSession()
        session.goAway()
        #expect(throws: MplexOpenStreamError.goingAway) { try session.openStream(now: mplexT0) }
        let events = session.feed(mplexFrame(.newStream, stream: 0))
        #expect(events == [.streamRejected(theirs0, .goingAway)])
        #expect(try session.takeFrames() == [MplexWireFrame(flag: .resetReceiver, number: 0)])
    }
}
