import NIOCore
import Core
import Identity
import Multistream
import Multiformats

/// Upgrades one raw transport channel: multistream-select over the configured security protocols,
/// the chosen one's handshake, the muxer (early through the handshake where the protocol can, else
/// multistream-select over the secured channel), then the chosen muxer. Names no implementation:
/// everything comes from `UpgraderConfiguration`'s lists.
///
/// Each phase is a handler that leaves the pipeline when done; the next one is added from the
/// previous one's completion callback, which runs on the event loop before any leftover byte is
/// forwarded, so nothing the peer pipelined is lost. The whole run is bounded by one deadline.
/// All state lives on the channel's event loop.
public final class ConnectionUpgrade {
    public struct Context: Sendable {
        public let id: ConnectionID
        public let direction: ConnectionDirection
        public let identity: PrivateKey
        public let expectedPeer: PeerID?
        public let configuration: UpgraderConfiguration
        /// Receives each step as it happens (already on the event loop).
        public let onStep: @Sendable (ConnectionID, UpgradeStep, Duration) -> Void
        /// Receives the chosen muxer's events, on the event loop.
        public let onMuxerEvent: @Sendable (ConnectionID, MuxerEvent) -> Void
        /// Receives the failure with its offset from the transport connect, before the future fails.
        public let onFailure: @Sendable (ConnectionID, UpgradeError, Duration) -> Void

        public init(
            id: ConnectionID, direction: ConnectionDirection, identity: PrivateKey, expectedPeer: PeerID?,
            configuration: UpgraderConfiguration,
            onStep: @escaping @Sendable (ConnectionID, UpgradeStep, Duration) -> Void,
            onMuxerEvent: @escaping @Sendable (ConnectionID, MuxerEvent) -> Void,
            onFailure: @escaping @Sendable (ConnectionID, UpgradeError, Duration) -> Void
        ) {
            self.id = id
            self.direction = direction
            self.identity = identity
            self.expectedPeer = expectedPeer
            self.configuration = configuration
            self.onStep = onStep
            self.onMuxerEvent = onMuxerEvent
            self.onFailure = onFailure
        }
    }

    private let context: Context
    private let channel: any Channel
    private let transport: any Transport
    private let eventLoop: any EventLoop
    private var startedAt: NIODeadline
    private let promise: EventLoopPromise<UpgradedConnection>
    private var phase: UpgradePhase = .securityNegotiation
    private var steps: [TimedUpgradeStep] = []
    private var timeout: Scheduled<Void>?
    private var finished = false
    /// False until the transport connection is up: a dial that never connected is a transport failure,
    /// reported by the dialer, not an upgrade failure.
    private var connected = false
    private var security: (any SecurityProtocol)?
    private var secured: SecuredConnection?

    private let establishment: TransportEstablishment?

    private init(
        context: Context, channel: any Channel, transport: any Transport, establishment: TransportEstablishment?,
        startedAt: NIODeadline
    ) {
        self.context = context
        self.channel = channel
        self.transport = transport
        self.establishment = establishment
        self.eventLoop = channel.eventLoop
        self.startedAt = startedAt
        self.promise = channel.eventLoop.makePromise(of: UpgradedConnection.self)
    }

    /// Starts the upgrade on `channel`, a raw connection of `transport`: at once when it is active,
    /// else when it becomes active (a dial, from the channel initializer). Call on the channel's event loop.
    /// `establishment`: what the transport did before handing the channel over (its steps lead the timeline).
    public static func start(
        on channel: any Channel, transport: any Transport, establishment: TransportEstablishment? = nil,
        context: Context, startedAt: NIODeadline = .now()
    ) -> EventLoopFuture<UpgradedConnection> {
        channel.eventLoop.preconditionInEventLoop()
        let run = ConnectionUpgrade(
            context: context, channel: channel, transport: transport, establishment: establishment,
            startedAt: establishment?.connectedAt ?? startedAt)
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
        let proposals = context.configuration.securityProtocolIDs
        let connected = { [self] in
            self.connected = true
            if let establishment {
                for step in establishment.steps {
                    record(.transport(step.step), offset: .nanoseconds((step.at - startedAt).nanoseconds))
                }
            } else {
                record(.transport(.connected(transport: transport.name, local: localAddress, remote: remoteAddress)))
            }
            if isOutbound {
                record(.security(.proposed(proposals, lazy: context.configuration.proposesSecurityLazily)))
            }
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
                // The first handshake message follows the proposal in the same flush; the listener's header and
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
                case .success(let chosen): startSecurity(chosen, confirmed: !lazy)
                case .failure(let error): fail(UpgradeError(phase: .securityNegotiation, other: error))
                }
            }
        } else {
            handler = MultistreamNegotiationHandler(
                listener: MultistreamListener(supportedProtocols: Set(proposals)),
                negotiated: negotiated)
            negotiated.futureResult.assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let chosen): startSecurity(chosen, confirmed: true)
                case .failure(let error): fail(UpgradeError(phase: .securityNegotiation, other: error))
                }
            }
        }
        add(handler)
    }

    private var localAddress: Multiaddr? {
        establishment?.localAddress ?? channel.localAddress.flatMap(transport.multiaddr(of:))
    }
    private var remoteAddress: Multiaddr? {
        establishment?.remoteAddress ?? channel.remoteAddress.flatMap(transport.multiaddr(of:))
    }

    /// The listener accepted the lazily proposed security protocol (its echo arrived after our first
    /// handshake message went out): only now is security negotiated.
    private func securityConfirmed(_ chosen: String) {
        guard !finished, let security else { return }
        record(.security(.negotiated(chosen)))
        phase = .securityHandshake(security.name)
    }

    /// `confirmed` is false when the protocol was selected lazily: the handshake starts at once, and the
    /// upgrade stays in security negotiation (for timeouts and the timeline) until the echo arrives.
    private func startSecurity(_ chosen: String, confirmed: Bool) {
        guard !finished else { return }
        guard let protocolToRun = context.configuration.securityProtocol(chosen) else {
            fail(UpgradeError(phase: .securityNegotiation, kind: .noCommonProtocol,
                              expected: context.configuration.securityProtocolIDs.joined(separator: " or "), got: chosen))
            return
        }
        security = protocolToRun
        if confirmed {
            record(.security(.negotiated(chosen)))
            phase = .securityHandshake(protocolToRun.name)
        }
        let handshakePhase = UpgradePhase.securityHandshake(protocolToRun.name)
        let session = SecuritySession(
            direction: context.direction, identity: context.identity, expectedPeer: context.expectedPeer,
            muxers: protocolToRun.negotiatesMuxerEarly ? context.configuration.muxerIDs : [],
            onStep: { [self] step in
                eventLoop.assertInEventLoop()
                record(.security(step))
            })
        protocolToRun.secure(channel: channel, session: session).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let secured): securityFinished(secured)
            case .failure(let error): fail(UpgradeError(phase: handshakePhase, other: error))
            }
        }
    }

    private func securityFinished(_ secured: SecuredConnection) {
        guard !finished else { return }
        self.secured = secured
        if let early = secured.earlyMuxer {
            record(.muxer(.negotiated(early, earlyIn: security?.name)))
            startMuxer(early, early: true)
            return
        }
        phase = .muxerNegotiation
        let muxerIDs = context.configuration.muxerIDs
        let negotiated = eventLoop.makePromise(of: String.self)
        let handler: MultistreamNegotiationHandler
        if isOutbound {
            record(.muxer(.proposed(muxerIDs)))
            handler = MultistreamNegotiationHandler(
                dialer: MultistreamDialer(protocols: muxerIDs), negotiated: negotiated)
        } else {
            handler = MultistreamNegotiationHandler(
                listener: MultistreamListener(supportedProtocols: Set(muxerIDs)), negotiated: negotiated)
        }
        negotiated.futureResult.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let muxer):
                record(.muxer(.negotiated(muxer, earlyIn: nil)))
                startMuxer(muxer, early: false)
            case .failure(let error):
                fail(UpgradeError(phase: .muxerNegotiation, other: error))
            }
        }
        add(handler)
    }

    private func startMuxer(_ muxerID: String, early: Bool) {
        guard !finished, let secured, let security else { return }
        phase = .muxerStart
        guard let muxer = context.configuration.muxer(muxerID) else {
            fail(UpgradeError(phase: .muxerStart, kind: .noCommonProtocol,
                              expected: context.configuration.muxerIDs.joined(separator: " or "), got: muxerID))
            return
        }
        let id = context.id
        let onMuxerEvent = context.onMuxerEvent
        let muxed: any MuxedConnection
        do {
            muxed = try muxer.start(on: channel, direction: context.direction, onEvent: { onMuxerEvent(id, $0) })
        } catch {
            fail(UpgradeError(phase: .muxerStart, other: error))
            return
        }
        record(.ready)
        finished = true
        timeout?.cancel()
        promise.succeed(UpgradedConnection(
            id: context.id, direction: context.direction, localAddress: localAddress, remoteAddress: remoteAddress,
            remotePeer: secured.remotePeer, remotePublicKey: secured.remotePublicKey,
            security: security.protocolID, muxer: muxerID, earlyMuxerNegotiation: early,
            steps: steps, upgradeDuration: elapsed, connection: muxed))
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

    private func record(_ step: UpgradeStep, offset: Duration? = nil) {
        let offset = offset ?? elapsed
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
