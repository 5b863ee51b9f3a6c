import NIOCore

extension Host {
    /// Opens a stream to `peer` (dialing it if needed) and negotiates the first protocol of
    /// `protocols` the peer accepts. With one protocol the negotiation is lazy: data can be
    /// written at once and the peer's answer is checked on the first read.
    public func newStream(to peer: PeerID, protocols: [String]) async throws -> (stream: NegotiatedStream, protocol: String, connection: HostConnection) {
        let connection = try await dial(peer: peer)
        let (stream, chosen) = try await newStream(on: connection, protocols: protocols)
        return (stream, chosen, connection)
    }

    public func newStream(on connection: HostConnection, protocols: [String]) async throws -> (NegotiatedStream, String) {
        precondition(!protocols.isEmpty, "newStream needs at least one protocol")
        let yamuxStream = try await connection.yamux.openStream()
        let streamID = yamuxStream.id.rawValue
        let negotiated: (protocol: String, stream: NegotiatedStream)
        do {
            negotiated = try await withTimeout(configuration.streamNegotiationTimeout,
                                               activity: "protocol negotiation on stream \(streamID)") {
                try await StreamNegotiation.select(on: yamuxStream, protocols: protocols)
            }
        } catch {
            yamuxStream.reset()
            emit(.streamNegotiationFailed(connection.id, streamID: streamID, reason: "\(error)"))
            throw HostError.streamNegotiationFailed(protocols: protocols, reason: "\(error)")
        }
        if let rejection = connection.admitStream(streamID, protocolID: negotiated.protocol, configuration: configuration) {
            yamuxStream.reset()
            emit(.streamRejected(connection.id, streamID: streamID, limit: rejection))
            throw HostError.limitReached(rejection)
        }
        emit(.streamProtocolNegotiated(connection.id, streamID: streamID, protocol: negotiated.protocol))
        return (negotiated.stream, negotiated.protocol)
    }

    /// Accepts the peer's streams for the connection's whole life; each is negotiated and handed to
    /// its handler in its own task. The muxer bounds how many exist at once.
    func serveInboundStreams(on connection: HostConnection) async {
        await withDiscardingTaskGroup { group in
            for await stream in connection.yamux.inboundStreams {
                group.addTask { await self.serve(stream, on: connection) }
            }
        }
    }

    private func serve(_ stream: YamuxStream, on connection: HostConnection) async {
        let streamID = stream.id.rawValue
        let negotiated: (protocol: String, stream: NegotiatedStream)
        do {
            negotiated = try await withTimeout(configuration.streamNegotiationTimeout,
                                               activity: "protocol negotiation on stream \(streamID)") {
                try await StreamNegotiation.accept(on: stream) { [weak self] in self?.handler(for: $0) != nil }
            }
        } catch {
            stream.reset()
            emit(.streamNegotiationFailed(connection.id, streamID: streamID, reason: "\(error)"))
            return
        }
        guard let handler = handler(for: negotiated.protocol) else {
            stream.reset()
            return
        }
        if let rejection = connection.admitStream(streamID, protocolID: negotiated.protocol, configuration: configuration) {
            stream.reset()
            emit(.streamRejected(connection.id, streamID: streamID, limit: rejection))
            return
        }
        emit(.streamProtocolNegotiated(connection.id, streamID: streamID, protocol: negotiated.protocol))
        do {
            try await handler(IncomingStream(connection: connection, streamID: streamID,
                                             protocolID: negotiated.protocol, stream: negotiated.stream))
            await Self.finish(negotiated.stream)
        } catch {
            stream.reset()
        }
    }

    /// Ends our use of a stream without losing what we sent: half-close, then wait (bounded) for the
    /// peer's end before the stream is released. Releasing a stream the peer still has open resets it,
    /// and a reset can overtake data the peer has not read yet (identify responses, pushes).
    static func finish(_ stream: some MuxedStream, timeout: Duration = .seconds(5), maxDrainedBytes: Int = 1 << 20) async {
        try? await stream.closeWrite()
        _ = try? await withTimeout(timeout, activity: "waiting for the peer to close the stream") {
            var drained = 0
            while let chunk = try await stream.read() {
                drained += chunk.readableBytes
                if drained > maxDrainedBytes { break }
            }
        }
    }

    /// Runs once per new connection: identify, as go and rust do.
    func connectionReady(_ connection: HostConnection) {
        guard configuration.identifyOnConnect else { return }
        Task { _ = try? await identify(connection) }
    }
}
