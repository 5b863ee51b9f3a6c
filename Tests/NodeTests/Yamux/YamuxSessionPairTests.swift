import NIOCore
import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

/// A session plus a tiny application model: accepts streams, collects data, optionally echoes and consumes.
struct SimulatedPeer {
    var session: YamuxSession
    var received: [YamuxStreamID: ByteBuffer] = [:]
    var pendingWrites: [YamuxStreamID: ByteBuffer] = [:]
    var closeAfterWrites: Set<YamuxStreamID> = []
    var remoteFinished: Set<YamuxStreamID> = []
    var closed: Set<YamuxStreamID> = []
    var events: [YamuxEvent] = []
    var echo = false
    var consumeImmediately = true
    var maxBuffered: UInt32 = 0

    init(role: YamuxRole, configuration: YamuxConfiguration = YamuxConfiguration()) {
        session = YamuxSession(role: role, configuration: configuration, now: yamuxT0)
    }

    mutating func write(_ id: YamuxStreamID, _ data: ByteBuffer) throws {
        var queued = pendingWrites[id] ?? ByteBuffer()
        queued.writeImmutableBuffer(data)
        pendingWrites[id] = queued
        try flushWrites(id)
    }

    mutating func closeWhenWritten(_ id: YamuxStreamID) throws {
        closeAfterWrites.insert(id)
        try flushWrites(id)
    }

    mutating func flushWrites(_ id: YamuxStreamID) throws {
        if var queued = pendingWrites[id] {
            _ = try session.write(id, &queued)
            pendingWrites[id] = queued.readableBytes > 0 ? queued : nil
        }
        if pendingWrites[id] == nil, closeAfterWrites.remove(id) != nil {
            note(try session.closeWrite(id))
        }
    }

    mutating func consume(_ id: YamuxStreamID, _ count: Int, now: NIODeadline = yamuxT0) {
        session.consumed(id, bytes: count, now: now)
    }

    mutating func deliver(_ input: ByteBuffer, now: NIODeadline) throws {
        var input = input
        let newEvents = session.receive(&input, now: now)
        for event in newEvents { try handle(event, now: now) }
        for id in session.liveStreamIDs {
            maxBuffered = max(maxBuffered, session.streamInfo(id)?.bufferedBytes ?? 0)
        }
    }

    private mutating func note(_ more: [YamuxEvent]) {
        for event in more { if case .streamClosed(let id) = event { closed.insert(id) } }
        events += more
    }

    private mutating func handle(_ event: YamuxEvent, now: NIODeadline) throws {
        events.append(event)
        switch event {
        case .streamOpenedByRemote(let id):
            session.acceptStream(id, now: now)
        case .data(let id, let piece):
            received[id, default: ByteBuffer()].writeImmutableBuffer(piece)
            if consumeImmediately { session.consumed(id, bytes: piece.readableBytes, now: now) }
            if echo { try write(id, piece) }
        case .remoteFinished(let id):
            remoteFinished.insert(id)
            if echo { try closeWhenWritten(id) }
        case .sendWindowOpened(let id):
            try flushWrites(id)
        case .streamClosed(let id):
            closed.insert(id)
        case .protocolError(let error):
            Issue.record("unexpected protocol error \(error)")
        default:
            break
        }
    }
}

/// Two sessions wired back to back in memory.
struct SessionPair {
    var client = SimulatedPeer(role: .client)
    var server = SimulatedPeer(role: .server)
    var now = yamuxT0
    var bytesMoved = 0

    /// Moves frames both ways until neither side has anything to send.
    mutating func pump(maxRounds: Int = 100_000) throws {
        for _ in 0..<maxRounds {
            let toServer = client.session.takeOutbound()
            let toClient = server.session.takeOutbound()
            if toServer == nil && toClient == nil { return }
            now = now + .microseconds(50)
            if let toServer {
                bytesMoved += toServer.readableBytes
                try server.deliver(toServer, now: now)
            }
            if let toClient {
                bytesMoved += toClient.readableBytes
                try client.deliver(toClient, now: now)
            }
        }
        Issue.record("pump did not settle")
    }
}

@Suite struct YamuxSessionPairTests {
    @Test func manyStreamsEchoThroughWindowUpdates() throws {
        var pair = SessionPair()
        pair.server.echo = true
        let payloadSize = 300_000  // more than the initial window each way
        var ids: [YamuxStreamID] = []
        let payloads = (0..<40).map { buffer(bytes(payloadSize, seed: UInt8($0))) }
        for payload in payloads {
            let id = try pair.client.session.openStream(now: pair.now)
            ids.append(id)
            try pair.client.write(id, payload)
            try pair.client.closeWhenWritten(id)
        }
        try pair.pump()
        for (index, id) in ids.enumerated() {
            #expect(pair.server.received[id]?.readableBytes == payloadSize)
            #expect(pair.client.received[id] == payloads[index], "stream \(id) echo")
        }
        #expect(pair.client.closed == Set(ids))
        #expect(pair.server.closed == Set(ids))
        #expect(pair.client.session.liveStreamIDs.isEmpty)
        #expect(pair.server.session.liveStreamIDs.isEmpty)
        #expect(pair.server.maxBuffered <= 262_144)
    }

    @Test func pausedReaderBlocksTheSenderAndBoundsMemory() throws {
        var pair = SessionPair()
        pair.server.consumeImmediately = false
        let id = try pair.client.session.openStream(now: pair.now)
        let total = 1024 * 1024
        try pair.client.write(id, buffer(bytes(total)))
        try pair.pump()

        // The reader does not read: exactly one window crossed, the rest waits at the sender.
        #expect(pair.server.received[id]?.readableBytes == 262_144)
        #expect(pair.server.session.streamInfo(id)?.bufferedBytes == 262_144)
        #expect(pair.server.session.streamInfo(id)?.receiveWindow == 0)
        #expect(pair.client.session.streamInfo(id)?.sendWindow == 0)
        #expect(pair.client.pendingWrites[id]?.readableBytes == total - 262_144)
        try pair.pump()
        #expect(pair.server.received[id]?.readableBytes == 262_144, "no progress without reading")

        // Reading resumes the flow; memory never exceeds the window.
        var consumed = 0
        while consumed < total {
            let available = (pair.server.received[id]?.readableBytes ?? 0) - consumed
            #expect(available > 0)
            pair.server.consume(id, available, now: pair.now)
            consumed += available
            try pair.pump()
        }
        #expect(pair.server.received[id] == buffer(bytes(total)))
        #expect(pair.server.maxBuffered <= 262_144)
        #expect(pair.client.pendingWrites[id] == nil)
    }

    @Test func goAwayLetsExistingStreamsFinish() throws {
        var pair = SessionPair()
        pair.server.echo = true
        let id = try pair.client.session.openStream(now: pair.now)
        try pair.pump()
        pair.server.session.goAway()
        try pair.pump()
        #expect(pair.client.events.contains(.goAwayReceived(.normal)))
        #expect(throws: YamuxOpenStreamError.goingAway) { try pair.client.session.openStream(now: pair.now) }
        try pair.client.write(id, buffer(bytes(1000)))
        try pair.client.closeWhenWritten(id)
        try pair.pump()
        #expect(pair.client.received[id] == buffer(bytes(1000)))
        #expect(pair.client.closed == [id])
    }

    @Test func resetMidTransferIsSeenByThePeer() throws {
        var pair = SessionPair()
        pair.server.consumeImmediately = false
        let id = try pair.client.session.openStream(now: pair.now)
        try pair.client.write(id, buffer(bytes(500_000)))
        try pair.pump()
        pair.server.session.reset(id, code: 0x1002)
        try pair.pump()
        #expect(pair.client.events.contains(.streamReset(id, code: 0x1002)))
        #expect(pair.client.session.liveStreamIDs.isEmpty && pair.server.session.liveStreamIDs.isEmpty)
    }
}
