import NIOCore
import Identity
import Multistream
import Protocols
import Yamux
import Core
import Multiformats

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
        let stream = try await connection.muxed.openStream()
        let driver = outboundNegotiation(on: stream, protocols: protocols)
        await driver.run()
        return try admitOutbound(stream, driver, on: connection, protocols: protocols)
    }

    @inline(never)
    private func outboundNegotiation(
        on stream: any MuxerStream, protocols: [String]
    ) -> NegotiationDriver<MultistreamDialer> {
        let driver = NegotiationDriver(on: stream, dialerProposing: protocols)
        driver.deadline = negotiationDeadline(for: stream)
        return driver
    }

    @inline(never)
    private func admitOutbound(
        _ stream: any MuxerStream, _ driver: NegotiationDriver<MultistreamDialer>, on connection: HostConnection,
        protocols: [String]
    ) throws -> (NegotiatedStream, String) {
        let streamID = stream.streamID
        let negotiated: (protocol: String, stream: NegotiatedStream)
        do {
            if driver.disarmDeadline() { throw negotiationTimeout(onStream: streamID) }
            negotiated = try driver.result()
        } catch {
            stream.reset()
            emit(.streamNegotiationFailed(connection.id, streamID: streamID, reason: "\(error)"))
            throw HostError.streamNegotiationFailed(protocols: protocols, reason: "\(error)")
        }
        if let rejection = connection.admitStream(streamID, protocolID: negotiated.protocol, configuration: configuration) {
            stream.reset()
            emit(.streamRejected(connection.id, streamID: streamID, limit: rejection))
            throw HostError.limitReached(rejection)
        }
        emit(.streamProtocolNegotiated(connection.id, streamID: streamID, protocol: negotiated.protocol))
        return (negotiated.stream, negotiated.protocol)
    }

    /// Accepts the peer's streams for the connection's whole life; each is negotiated and handed to
    /// its handler in its own task. The muxer bounds how many exist at once.
    ///
    /// A handler that holds its stream keeps the task parked, and a task keeps every allocator slab it
    /// ever grew until it ends. So the task's body is written out here (one frame less than calling a
    /// function), negotiation runs in a call that has returned before the handler starts, and nothing
    /// nests deeper than the handler's own read.
    func serveInboundStreams(on connection: HostConnection) async {
        await withDiscardingTaskGroup { group in
            for await stream in connection.muxed.inboundStreams {
                group.addTask {
                    guard let (handler, incoming) = await self.negotiateInbound(stream, on: connection) else { return }
                    do {
                        try await handler(incoming)
                    } catch {
                        incoming.stream.reset()
                        return
                    }
                    await Self.finish(incoming.stream)
                }
            }
        }
    }

    /// Negotiates an inbound stream under `streamNegotiationTimeout` and admits it; nil (stream reset,
    /// reason emitted) if either fails. Its frame and the negotiation's stack on top of the stream task's
    /// while it runs, so both hold little more than pointers; everything else is synchronous.
    @inline(never)
    private func negotiateInbound(
        _ stream: any MuxerStream, on connection: HostConnection
    ) async -> (handler: StreamHandler, incoming: IncomingStream)? {
        let driver = inboundNegotiation(on: stream)
        await driver.run()
        return admitInbound(stream, driver, on: connection)
    }

    @inline(never)
    private func inboundNegotiation(on stream: any MuxerStream) -> NegotiationDriver<MultistreamListener> {
        let driver = NegotiationDriver(on: stream, listenerMatching: { [weak self] in self?.handler(for: $0) != nil })
        driver.deadline = negotiationDeadline(for: stream)
        return driver
    }

    @inline(never)
    private func admitInbound(
        _ stream: any MuxerStream, _ driver: NegotiationDriver<MultistreamListener>, on connection: HostConnection
    ) -> (handler: StreamHandler, incoming: IncomingStream)? {
        let streamID = stream.streamID
        let negotiated: (protocol: String, stream: NegotiatedStream)
        do {
            if driver.disarmDeadline() { throw negotiationTimeout(onStream: streamID) }
            negotiated = try driver.result()
        } catch {
            stream.reset()
            emit(.streamNegotiationFailed(connection.id, streamID: streamID, reason: "\(error)"))
            return nil
        }
        // The registered key, not the negotiated copy: every stream of a protocol shares one string.
        guard let (protocolID, handler) = registeredHandler(for: negotiated.protocol) else {
            stream.reset()
            return nil
        }
        if let rejection = connection.admitStream(streamID, protocolID: protocolID, configuration: configuration) {
            stream.reset()
            emit(.streamRejected(connection.id, streamID: streamID, limit: rejection))
            return nil
        }
        emit(.streamProtocolNegotiated(connection.id, streamID: streamID, protocol: protocolID))
        return (handler, IncomingStream(connection: connection, streamID: streamID, protocolID: protocolID,
                                        stream: negotiated.stream))
    }

    /// The handler for `protocolID` with the protocol ID as registered (its key in the handler table).
    private func registeredHandler(for protocolID: String) -> (protocolID: String, handler: StreamHandler)? {
        state.withLockedValue { state in
            guard let index = state.handlers.index(forKey: protocolID) else { return nil }
            let (key, handler) = state.handlers[index]
            return (key, handler)
        }
    }

    /// `streamNegotiationTimeout` as a timer on the stream's event loop (any loop for a stream without
    /// one) that resets the stream (no task group, no watchdog task per stream).
    private func negotiationDeadline(for stream: any MuxerStream) -> EventLoopDeadline {
        EventLoopDeadline(configuration.streamNegotiationTimeout, on: stream.owningEventLoop ?? group.next()) {
            stream.reset()
        }
    }

    private func negotiationTimeout(onStream streamID: UInt64) -> ProtocolTimeoutError {
        ProtocolTimeoutError(activity: "protocol negotiation on stream \(streamID)",
                             limit: configuration.streamNegotiationTimeout)
    }

    /// Ends our use of a stream without losing what we sent: half-close, then wait (bounded) for the
    /// peer's end before the stream is released. Releasing a stream the peer still has open resets it,
    /// and a reset can overtake data the peer has not read yet (identify responses, pushes). At the
    /// limit the stream is reset.
    static func finish(_ stream: NegotiatedStream, timeout: Duration = .seconds(5), maxDrainedBytes: Int = 1 << 20) async {
        guard let deadline = lingerDeadline(for: stream, timeout: timeout) else {
            return await finishWithoutEventLoop(stream, timeout: timeout, maxDrainedBytes: maxDrainedBytes)
        }
        await closeAndDrain(stream, upTo: maxDrainedBytes)
        _ = deadline.disarm()
    }

    /// A timer that resets the stream after `timeout`; nil if the stream has no event loop.
    @inline(never)
    private static func lingerDeadline(for stream: NegotiatedStream, timeout: Duration) -> EventLoopDeadline? {
        guard let eventLoop = stream.owningEventLoop else { return nil }
        return EventLoopDeadline(timeout, on: eventLoop) { stream.reset() }
    }

    /// Half-closes, then reads until the peer's end, an error, or more than `maxDrainedBytes`.
    @inline(never)
    private static func closeAndDrain(_ stream: NegotiatedStream, upTo maxDrainedBytes: Int) async {
        try? await stream.closeWrite()
        var drained = 0
        while drained <= maxDrainedBytes, let chunk = try? await stream.read() {
            drained += chunk.readableBytes
        }
    }

    /// `finish` over a stream without an event loop (tests): the deadline is a watchdog task.
    @inline(never)
    private static func finishWithoutEventLoop(_ stream: NegotiatedStream, timeout: Duration, maxDrainedBytes: Int) async {
        _ = try? await withTimeout(timeout, activity: "waiting for the peer to close the stream") {
            await closeAndDrain(stream, upTo: maxDrainedBytes)
        }
    }

    /// Runs once per new connection: identify, as go and rust do.
    func connectionReady(_ connection: HostConnection) {
        guard configuration.identifyOnConnect else { return }
        Task { _ = try? await identify(connection) }
    }
}
