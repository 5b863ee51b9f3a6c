import NIOCore

extension YamuxSession {
    /// Consumes all of `buffer` (bytes from the peer, in order) and reports what happened.
    ///
    /// A protocol violation queues Go Away (protocol error), closes the session and ends the list with
    /// `.protocolError`; input after that, or after any close, is discarded.
    mutating func receive(_ buffer: inout ByteBuffer, now: NIODeadline) -> [YamuxEvent] {
        guard !isClosed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return []
        }
        var events: [YamuxEvent] = []
        if buffer.readableBytes > 0 { lastInboundAt = now }
        counters.bytesIn += UInt64(buffer.readableBytes)
        do throws(YamuxError) {
            while !isClosed, let item = try decoder.next(from: &buffer) {
                switch item {
                case .header(let header):
                    try handle(header, now: now, events: &events)
                case .body(let piece, let endOfFrame):
                    handleBody(piece, endOfFrame: endOfFrame, events: &events)
                }
            }
        } catch {
            fail(error, events: &events)
        }
        if isClosed { buffer.moveReaderIndex(to: buffer.writerIndex) }
        return events
    }

    /// Queues Go Away (protocol error) and closes: the driver flushes it and closes the connection.
    mutating func fail(_ error: YamuxError, events: inout [YamuxEvent]) {
        var exchange = goAwayExchange
        exchange.sent = .protocolError
        writeFrame(YamuxFrameHeader(type: .goAway, streamID: .session, length: YamuxGoAwayCode.protocolError.rawValue))
        phase = .goingAway(exchange)
        close(.protocolError(error))
        events.append(.protocolError(error))
    }

    private mutating func handle(
        _ header: YamuxFrameHeader, now: NIODeadline, events: inout [YamuxEvent]
    ) throws(YamuxError) {
        counters.framesIn += 1
        bodySink = .discard
        switch header.type {
        case .data, .windowUpdate:
            try handleStreamFrame(header, now: now, events: &events)
        case .ping:
            handlePing(header, now: now, events: &events)
        case .goAway:
            handleGoAway(header, events: &events)
        }
    }

    // MARK: - Stream frames

    private mutating func handleStreamFrame(
        _ header: YamuxFrameHeader, now: NIODeadline, events: inout [YamuxEvent]
    ) throws(YamuxError) {
        let id = header.streamID
        if header.flags.contains(.syn) {
            guard try openRemoteStream(header, now: now, events: &events) else {
                counters.framesIgnored += 1
                return
            }
        }
        guard var stream = streams[id] else {
            // Unknown or already closed stream: drain any body and ignore (go-yamux, spec §3).
            counters.framesIgnored += 1
            return
        }
        stream.framesIn += 1
        if header.flags.contains(.ack) {
            let wasPending = stream.handshake == .synSent
            markAcknowledged(&stream)
            if wasPending { events.append(.streamAcknowledged(id)) }
        }
        if header.flags.contains(.rst) {
            // The length of a RST frame is an opaque error code (go-libp2p), never window credit.
            forget(stream, finalState: .reset)
            events.append(.streamReset(id, code: header.type == .windowUpdate ? header.length : 0))
            return
        }
        switch header.type {
        case .windowUpdate:
            try addSendCredit(header.length, to: &stream, events: &events)
            streams[id] = stream
            if header.flags.contains(.fin) { remoteFinished(id, events: &events) }
        case .data:
            try acceptData(header, on: &stream, events: &events)
        case .ping, .goAway:
            preconditionFailure("session frame routed to a stream")
        }
    }

    /// Validates a SYN and admits or rejects the stream. Returns whether the frame should be processed.
    private mutating func openRemoteStream(
        _ header: YamuxFrameHeader, now: NIODeadline, events: inout [YamuxEvent]
    ) throws(YamuxError) -> Bool {
        let id = header.streamID
        guard id != .session else { throw .synOnSessionStream(frameType: header.type.rawValue) }
        let isOdd = id.rawValue % 2 == 1
        guard isOdd == role.remoteIDsAreOdd else {
            throw .streamIDParityMismatch(streamID: id, expectedOdd: role.remoteIDsAreOdd)
        }
        guard streams[id] == nil else { throw .duplicateStreamOpen(streamID: id) }
        // Opened and aborted in the same frame: there is nothing to track.
        if header.flags.contains(.rst) { return false }
        if let rejection = admitRemoteStream(id, now: now) {
            writeFrame(YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0))
            counters.streamsRejected += 1
            events.append(.streamRejected(id, rejection))
            return false
        }
        events.append(.streamOpenedByRemote(id))
        return true
    }

    private mutating func addSendCredit(
        _ delta: UInt32, to stream: inout YamuxStreamRecord, events: inout [YamuxEvent]
    ) throws(YamuxError) {
        guard delta > 0 else { return }
        let (sum, overflow) = stream.sendWindow.addingReportingOverflow(delta)
        guard !overflow else {
            throw .sendWindowOverflow(streamID: stream.id, window: stream.sendWindow, delta: delta)
        }
        stream.sendWindow = sum
        if stream.writeBlocked {
            stream.writeBlocked = false
            events.append(.sendWindowOpened(stream.id))
        }
    }

    private mutating func acceptData(
        _ header: YamuxFrameHeader, on stream: inout YamuxStreamRecord, events: inout [YamuxEvent]
    ) throws(YamuxError) {
        let id = stream.id
        let finishes = header.flags.contains(.fin)
        guard header.length > 0 else {
            streams[id] = stream
            if finishes { remoteFinished(id, events: &events) }
            return
        }
        guard stream.canReceive else {
            // Data after FIN breaks this stream only: reset it and drain the body.
            writeFrame(YamuxFrameHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0))
            forget(stream, finalState: .reset)
            events.append(.streamAborted(id, .dataAfterFin(length: header.length)))
            return
        }
        let window = stream.receive.credit
        guard stream.receive.receive(header.length) else {
            throw .receiveWindowExceeded(streamID: id, length: header.length, window: window)
        }
        stream.bytesIn += UInt64(header.length)
        streams[id] = stream
        bodySink = .stream(id, finishAfter: finishes)
    }

    private mutating func handleBody(_ piece: ByteBuffer, endOfFrame: Bool, events: inout [YamuxEvent]) {
        guard case .stream(let id, let finishAfter) = bodySink else { return }
        // The application may have reset the stream while the body was still arriving.
        guard streams[id] != nil else {
            bodySink = .discard
            return
        }
        events.append(.data(id, piece))
        if endOfFrame {
            bodySink = .discard
            if finishAfter { remoteFinished(id, events: &events) }
        }
    }

    private mutating func remoteFinished(_ id: YamuxStreamID, events: inout [YamuxEvent]) {
        guard var stream = streams[id], stream.canReceive else { return }
        events.append(.remoteFinished(id))
        if stream.halfClose == .localClosed {
            forget(stream, finalState: .closed)
            events.append(.streamClosed(id))
        } else {
            stream.halfClose = .remoteClosed
            streams[id] = stream
        }
    }

    // MARK: - Session frames

    private mutating func handleGoAway(_ header: YamuxFrameHeader, events: inout [YamuxEvent]) {
        var exchange = goAwayExchange
        guard exchange.received == nil else { return }
        let code = YamuxGoAwayCode(rawValue: header.length)
        exchange.received = code
        phase = .goingAway(exchange)
        events.append(.goAwayReceived(code))
    }
}
