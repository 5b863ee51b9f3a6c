import NIOCore

/// Upgrades one raw TCP channel: multistream-select for security, Noise XX, the muxer (early
/// through Noise extensions, else multistream-select over the secured channel), then yamux.
///
/// Each phase is a handler that leaves the pipeline when done; the next one is added from the
/// previous one's completion callback, which runs on the event loop before any leftover byte is
/// forwarded, so nothing the peer pipelined is lost. The whole run is bounded by one deadline.
/// All state lives on the channel's event loop.
final class ConnectionUpgrade {
    struct Context {
        let id: ConnectionID
        let direction: ConnectionDirection
        let identity: PrivateKey
        let expectedPeer: PeerID?
        let configuration: UpgraderConfiguration
        /// Receives each step as it happens (already on the event loop).
        let onStep: @Sendable (ConnectionID, UpgradeStep, Duration) -> Void
        let onYamuxEvent: @Sendable (ConnectionID, YamuxConnectionEvent) -> Void
        /// Receives the failure with its offset from the TCP connect, before the future fails.
        let onFailure: @Sendable (ConnectionID, UpgradeError, Duration) -> Void
    }

    private let context: Context
    private let channel: any Channel
    private let eventLoop: any EventLoop
    private var startedAt: NIODeadline
    private let promise: EventLoopPromise<UpgradedConnection>
    private var phase: UpgradePhase = .securityNegotiation
    private var steps: [TimedUpgradeStep] = []
    private var timeout: Scheduled<Void>?
    private var finished = false
    /// False until the TCP connection is up: a dial that never connected is a TCP failure, reported by
    /// the dialer, not an upgrade failure.
    private var connected = false
    private var security = ""
    private var noiseResult: NoiseHandshakeResult?

    private init(context: Context, channel: any Channel, startedAt: NIODeadline) {
        self.context = context
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.startedAt = startedAt
        self.promise = channel.eventLoop.makePromise(of: UpgradedConnection.self)
    }

    /// Starts the upgrade on `channel` (which must be active). Call on the channel's event loop.
    static func start(
        on channel: any Channel, context: Context, startedAt: NIODeadline = .now()
    ) -> EventLoopFuture<UpgradedConnection> {
        channel.eventLoop.preconditionInEventLoop()
        let run = ConnectionUpgrade(context: context, channel: channel, startedAt: startedAt)
        run.begin()
        return run.promise.futureResult
    }

    private var isOutbound: Bool { context.direction == .outbound }

    private func begin() {
        let deadline = context.configuration.upgradeTimeout
        timeout = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(deadline.totalNanoseconds))) { [self] in
            fail(UpgradeError(
                phase: phase, kind: .timedOut(after: deadline),
                expected: "\(phase) to finish", got: "last step: \(steps.last?.step.label ?? "none")"))
        }
        let proposals = context.configuration.securityProtocols
        let connected = { [self] in
            self.connected = true
            record(.tcpConnected(local: channel.localAddress?.multiaddr, remote: channel.remoteAddress?.multiaddr))
            if isOutbound { record(.securityProposed(proposals, lazy: context.configuration.proposesSecurityLazily)) }
        }
        if channel.isActive {
            connected()
        } else {
            // Installed before the connect finished (a dial): offsets count from the moment it did.
            add(ChannelActiveObserver { [self] in
                startedAt = .now()
                connected()
            })
        }

        let negotiated = eventLoop.makePromise(of: String.self)
        let handler: MultistreamNegotiationHandler
        if isOutbound {
            let lazy = context.configuration.proposesSecurityLazily
            var confirmed: EventLoopPromise<String>?
            if lazy {
                // Noise message 1 follows the proposal in the same flush; the listener's header and
                // echo are still checked, and a refusal is still a security-negotiation failure.
                let confirmation = eventLoop.makePromise(of: String.self)
                confirmation.futureResult.assumeIsolated().whenComplete { [self] result in
                    switch result {
                    case .success(let chosen): securityConfirmed(chosen)
                    case .failure(let error): fail(UpgradeError(phase: .securityNegotiation, other: error))
                    }
                }
                confirmed = confirmation
            }
            handler = MultistreamNegotiationHandler(
                dialer: MultistreamDialer(protocols: proposals, lazy: lazy), negotiated: negotiated, confirmed: confirmed)
            negotiated.futureResult.assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let chosen): startNoise(security: chosen, confirmed: !lazy)
                case .failure(let error): fail(UpgradeError(phase: .securityNegotiation, other: error))
                }
            }
        } else {
            handler = MultistreamNegotiationHandler(
                listener: MultistreamListener(supportedProtocols: Set(context.configuration.securityProtocols)),
                negotiated: negotiated)
            negotiated.futureResult.assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let chosen): startNoise(security: chosen, confirmed: true)
                case .failure(let error): fail(UpgradeError(phase: .securityNegotiation, other: error))
                }
            }
        }
        add(handler)
    }

    /// The listener accepted the lazily proposed security protocol (its echo arrived after our first
    /// Noise message went out): only now is security negotiated.
    private func securityConfirmed(_ chosen: String) {
        guard !finished else { return }
        record(.securityNegotiated(chosen))
        phase = .noiseHandshake
    }

    /// `confirmed` is false when the protocol was selected lazily: Noise starts at once, and the
    /// upgrade stays in security negotiation (for timeouts and the timeline) until the echo arrives.
    private func startNoise(security chosen: String, confirmed: Bool) {
        guard !finished else { return }
        security = chosen
        if confirmed {
            record(.securityNegotiated(chosen))
            phase = .noiseHandshake
        }
        let local: NoiseLocalIdentity
        do {
            // The static key and its signed payload are made once per identity, not per connection.
            local = try NoiseLocalIdentity.cached(identity: context.identity, streamMuxers: context.configuration.muxers)
        } catch {
            fail(UpgradeError(phase: .noiseHandshake, other: error))
            return
        }
        let handshake = NoiseLibp2pHandshake(
            role: isOutbound ? .initiator : .responder, local: local, expectedRemotePeer: context.expectedPeer)
        let completed = eventLoop.makePromise(of: NoiseHandshakeResult.self)
        completed.futureResult.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let noise): noiseFinished(noise)
            case .failure(let error): fail(UpgradeError(phase: .noiseHandshake, other: error))
            }
        }
        let handler = NoiseChannelHandler(handshake: handshake, completion: completed) { [self] event in
            switch event {
            case .messageSent(let number, let bytes): record(.noiseMessageSent(number: number, bytes: bytes))
            case .messageReceived(let number, let bytes): record(.noiseMessageReceived(number: number, bytes: bytes))
            case .peerVerified(let peer, let keyType): record(.peerVerified(peer, keyType: keyType))
            }
        }
        add(handler)
    }

    private func noiseFinished(_ noise: NoiseHandshakeResult) {
        guard !finished else { return }
        noiseResult = noise
        if let early = noise.earlyMuxer {
            record(.muxerNegotiated(early, early: true))
            startMuxer(early, early: true)
            return
        }
        phase = .muxerNegotiation
        let negotiated = eventLoop.makePromise(of: String.self)
        let handler: MultistreamNegotiationHandler
        if isOutbound {
            record(.muxerProposed(context.configuration.muxers))
            handler = MultistreamNegotiationHandler(
                dialer: MultistreamDialer(protocols: context.configuration.muxers), negotiated: negotiated)
        } else {
            handler = MultistreamNegotiationHandler(
                listener: MultistreamListener(supportedProtocols: Set(context.configuration.muxers)), negotiated: negotiated)
        }
        negotiated.futureResult.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let muxer):
                record(.muxerNegotiated(muxer, early: false))
                startMuxer(muxer, early: false)
            case .failure(let error):
                fail(UpgradeError(phase: .muxerNegotiation, other: error))
            }
        }
        add(handler)
    }

    private func startMuxer(_ muxer: String, early: Bool) {
        guard !finished, let noise = noiseResult else { return }
        phase = .muxerStart
        guard muxer == YamuxProtocolID.multistreamID else {
            fail(UpgradeError(phase: .muxerStart, kind: .noCommonProtocol,
                              expected: YamuxProtocolID.multistreamID, got: muxer))
            return
        }
        let id = context.id
        let onYamuxEvent = context.onYamuxEvent
        let yamux: YamuxConnection
        do {
            yamux = try channel.pipeline.syncOperations.addYamuxHandler(
                role: isOutbound ? .client : .server, configuration: context.configuration.yamux,
                onEvent: { onYamuxEvent(id, $0) })
        } catch {
            fail(UpgradeError(phase: .muxerStart, other: error))
            return
        }
        record(.ready)
        finished = true
        timeout?.cancel()
        promise.succeed(UpgradedConnection(
            id: context.id, direction: context.direction,
            localAddress: channel.localAddress?.multiaddr, remoteAddress: channel.remoteAddress?.multiaddr,
            remotePeer: noise.remotePeerID, remotePublicKey: noise.remotePublicKey,
            security: security, muxer: muxer, earlyMuxerNegotiation: early,
            steps: steps, upgradeDuration: elapsed, channel: channel, yamux: yamux))
    }

    private func add(_ handler: any ChannelHandler) {
        do {
            try channel.pipeline.syncOperations.addHandler(handler)
        } catch {
            fail(UpgradeError(phase: phase, other: error))
        }
    }

    private var elapsed: Duration {
        let nanos = (NIODeadline.now() - startedAt).nanoseconds
        return .nanoseconds(nanos)
    }

    private func record(_ step: UpgradeStep) {
        let offset = elapsed
        steps.append(TimedUpgradeStep(step: step, offset: offset))
        context.onStep(context.id, step, offset)
    }

    private func fail(_ error: UpgradeError) {
        guard !finished else { return }
        finished = true
        timeout?.cancel()
        if connected { context.onFailure(context.id, error, elapsed) }
        promise.fail(error)
        channel.close(promise: nil)
    }
}

/// Calls back once when the channel becomes active, then leaves the pipeline.
private final class ChannelActiveObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let onActive: () -> Void

    init(onActive: @escaping () -> Void) {
        self.onActive = onActive
    }

    func channelActive(context: ChannelHandlerContext) {
        onActive()
        context.fireChannelActive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
