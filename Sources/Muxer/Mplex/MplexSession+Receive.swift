import NIOCore

extension MplexSession {
    /// Consumes all of `buffer` (bytes from the peer, in order) and reports what happened.
    ///
    /// A wire-format violation closes the session and ends the list with `.protocolError`; input after
    /// that, or after any close, is discarded.
    mutating func receive(_ buffer: inout ByteBuffer, now: NIODeadline) -> [MplexEvent] {
        guard !isClosed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return []
        }
        var events: [MplexEvent] = []
        counters.bytesIn += UInt64(buffer.readableBytes)
        do throws(MplexProtocolError) {
            while !isClosed, let item = try decoder.next(from: &buffer) {
                switch item {
                case .header(let header):
                    try handle(header, now: now, events: &events)
                case .data(let piece, let endOfFrame):
                    handleData(piece, endOfFrame: endOfFrame, now: now, events: &events)
                }
            }
        } catch {
            close(.protocolError(error))
            events.append(.protocolError(error))
        }
        if isClosed { buffer.moveReaderIndex(to: buffer.writerIndex) }
        return events
    }

    private mutating func handle(
        _ header: MplexFrameHeader, now: NIODeadline, events: inout [MplexEvent]
    ) throws(MplexProtocolError) {
        counters.framesIn += 1
        dataSink = .discard
        let id = header.receivedStreamID
        switch header.flag.kind {
        case .newStream:
            guard streams[id] == nil else { throw .duplicateNewStream(streamNumber: header.streamNumber) }
            if header.length == 0 {
                openRemoteStream(id, name: "", now: now, events: &events)
            } else {
                let capacity = min(header.length, configuration.maxStreamNameBytes)
                dataSink = .streamName(id, collected: allocator.buffer(capacity: capacity))
            }
        case .message:
            acceptMessage(header, on: id, events: &events)
        case .close:
            guard var stream = streams[id] else { return ignoreFrame() }
            stream.framesIn += 1
            streams[id] = stream
            remoteFinished(id, events: &events)
        case .reset:
            guard var stream = streams[id] else { return ignoreFrame() }
            stream.framesIn += 1
            forget(stream, reset: true)
            events.append(.streamReset(id))
        }
    }

    /// A frame for a stream we do not know (never opened, reset, or both sides closed): go-mplex and
    /// rust-libp2p drop these too, since a reset may cross frames already in flight.
    private mutating func ignoreFrame() {
        counters.framesIgnored += 1
    }

    private mutating func acceptMessage(_ header: MplexFrameHeader, on id: MplexStreamID, events: inout [MplexEvent]) {
        guard var stream = streams[id] else { return ignoreFrame() }
        stream.framesIn += 1
        // An empty message carries nothing, even after Close: not worth a reset.
        guard header.length > 0 else {
            streams[id] = stream
            return
        }
        guard stream.canReceive else {
            return abort(stream, .dataAfterClose(length: header.length), events: &events)
        }
        // Counted when the header arrives, so a stream is reset before any of an oversized frame is kept.
        let streamTotal = stream.buffered + header.length
        guard streamTotal <= configuration.maxStreamReceiveBuffer else {
            let violation = MplexStreamViolation.receiveBufferOverrun(
                bytes: streamTotal, limit: configuration.maxStreamReceiveBuffer)
            return abort(stream, violation, events: &events)
        }
        let connectionTotal = totalBuffered + header.length
        guard connectionTotal <= configuration.maxConnectionReceiveBuffer else {
            let violation = MplexStreamViolation.connectionReceiveBufferFull(
                bytes: connectionTotal, limit: configuration.maxConnectionReceiveBuffer)
            return abort(stream, violation, events: &events)
        }
        stream.buffered = streamTotal
        stream.bytesIn += UInt64(header.length)
        streams[id] = stream
        addBuffered(header.length)
        dataSink = .stream(id)
    }

    private mutating func handleData(
        _ piece: ByteBuffer, endOfFrame: Bool, now: NIODeadline, events: inout [MplexEvent]
    ) {
        switch dataSink {
        case .discard:
            return
        case .streamName(let id, var collected):
            dataSink = .discard  // drop the enum's reference so `collected` is not copied on write
            let room = configuration.maxStreamNameBytes - collected.readableBytes
            if room > 0, let kept = piece.getSlice(at: piece.readerIndex, length: min(room, piece.readableBytes)) {
                collected.writeImmutableBuffer(kept)
            }
            if endOfFrame {
                openRemoteStream(id, name: Self.streamName(collected, maxBytes: configuration.maxStreamNameBytes), now: now, events: &events)
            } else {
                dataSink = .streamName(id, collected: collected)
            }
        case .stream(let id):
            // The application may have reset the stream while the data was still arriving.
            guard streams[id] != nil else {
                dataSink = .discard
                return
            }
            events.append(.data(id, piece))
            if endOfFrame { dataSink = .discard }
        }
    }

    /// The name as text. Invalid UTF-8 becomes U+FFFD, three bytes for each bad byte, so the text is cut
    /// again to stay within the limit (found by the mplex-session fuzz target).
    static func streamName(_ bytes: ByteBuffer, maxBytes: Int) -> String {
        var name = String(buffer: bytes)
        while name.utf8.count > maxBytes { name.removeLast() }
        return name
    }

    private mutating func openRemoteStream(
        _ id: MplexStreamID, name: String, now: NIODeadline, events: inout [MplexEvent]
    ) {
        if let rejection = admitRemoteStream(id, name: name, now: now) {
            writeFrame(MplexFrameHeader(streamNumber: id.number, flag: .resetReceiver, length: 0))
            counters.streamsRejected += 1
            events.append(.streamRejected(id, rejection))
            return
        }
        events.append(.streamOpenedByRemote(id, name: name))
    }

    /// We reset a stream because of the peer: the reset goes out, the stream is forgotten.
    private mutating func abort(
        _ stream: MplexStreamRecord, _ violation: MplexStreamViolation, events: inout [MplexEvent]
    ) {
        var stream = stream
        writeStreamFrame(.reset, on: &stream)
        forget(stream, reset: true)
        counters.streamsAborted += 1
        events.append(.streamAborted(stream.id, violation))
    }

    private mutating func remoteFinished(_ id: MplexStreamID, events: inout [MplexEvent]) {
        // A second Close changes nothing (py-libp2p ignores it too).
        guard var stream = streams[id], stream.canReceive else { return }
        stream.remoteClosed = true
        events.append(.remoteFinished(id))
        if stream.localClosed {
            forget(stream)
            events.append(.streamClosed(id))
        } else {
            streams[id] = stream
        }
    }
}
