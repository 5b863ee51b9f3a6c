import NIOConcurrencyHelpers
import NIOCore
import Core
import Events
import Identity
import Multiformats
import Resolve
import Upgrade

extension Host {
    /// Dials `address`. With a `/p2p/<id>` suffix the remote must prove that peer ID, and an
    /// existing connection to that peer is reused instead of dialing.
    @discardableResult
    public func dial(_ address: Multiaddr) async throws -> HostConnection {
        let peer = address.peerID
        if let peer, let existing = connections(to: peer).first {
            let dialID = DialID.next()
            emit(.dialReusedConnection(dialID, existing.id, peer: peer))
            return existing
        }
        return try await dial(peer: peer, addresses: [address])
    }

    /// Dials a peer over several addresses: attempts start as `dialRanking` plans them, the first that
    /// upgrades wins and the others are cancelled. Without addresses, the peerstore's are used.
    @discardableResult
    public func dial(peer: PeerID?, addresses given: [Multiaddr] = []) async throws -> HostConnection {
        if let peer, let existing = connections(to: peer).first {
            emit(.dialReusedConnection(DialID.next(), existing.id, peer: peer))
            return existing
        }
        var addresses = given
        if addresses.isEmpty, let peer { addresses = peerstore.addresses(for: peer) }
        guard !addresses.isEmpty else {
            if let peer { throw HostError.noAddresses(peer) }
            throw HostError.dialFailed([])
        }
        guard !state.withLockedValue({ $0.isShuttingDown }) else { throw HostError.shuttingDown }
        let dialID = DialID.next()
        emit(.dialStarted(dialID, peer: peer, addresses: addresses))

        let (dialable, resolutionFailures) = await resolveNames(in: addresses, dialID: dialID)
        addresses = dialable
        let result: Result<HostConnection, HostError>
        if addresses.isEmpty {
            result = .failure(.dialFailed(resolutionFailures))
        } else if addresses.count == 1 {
            // Nothing to race: dial in this task, without a child task to start and wait for.
            result = await attempt(addresses[0], expectedPeer: peer ?? addresses[0].peerID, dialID: dialID)
                .mapError { .dialFailed([$0]) }
        } else {
            result = await race(addresses, peer: peer, dialID: dialID)
        }
        switch result {
        case .success(let connection):
            emit(.dialSucceeded(dialID, connection.id, peer: connection.peer))
            return connection
        case .failure(let error):
            if case .dialFailed(let failures) = error {
                // Names that resolved to nothing are part of why the dial failed.
                let all = addresses.isEmpty ? failures : resolutionFailures + failures
                emit(.dialFailed(dialID, peer: peer, failures: all))
                throw HostError.dialFailed(all)
            }
            throw error
        }
    }

    /// Every `/dns*` and `/dnsaddr` address replaced by what it resolves to (each hop reported), in the
    /// given order; the names that resolved to nothing, as failures of their `dns` or `dnsaddr` step.
    private func resolveNames(in addresses: [Multiaddr], dialID: DialID) async -> ([Multiaddr], [DialFailure]) {
        guard addresses.contains(where: MultiaddrResolution.needsResolution) else { return (addresses, []) }
        var dialable: [Multiaddr] = []
        var failures: [DialFailure] = []
        for address in addresses {
            guard MultiaddrResolution.needsResolution(address) else {
                if !dialable.contains(address) { dialable.append(address) }
                continue
            }
            let step = NameResolutionHopStep()
            let outcome = await configuration.resolver.resolve(address) { [self] hop in
                step.record(hop)
                emit(.dialNameResolved(dialID, hop))
            }
            switch outcome {
            case .success(let resolved):
                for candidate in resolved where !dialable.contains(candidate) { dialable.append(candidate) }
            case .failure(let failure):
                failures.append(DialFailure(address: address, connectionID: nil, step: step.lastStepName,
                                            reason: failure.reasons.joined(separator: "; ")))
            }
        }
        return (dialable, failures)
    }

    /// Several addresses: attempts start as ranked, the first that upgrades wins.
    private func race(_ addresses: [Multiaddr], peer: PeerID?, dialID: DialID) async -> Result<HostConnection, HostError> {
        let plan = configuration.dialRanking.plan(addresses)
        emit(.dialRanked(dialID, plan.map { DialPlanEntry(address: $0.address, delay: $0.delay, reason: "\($0.scope) \($0.transport)") }))
        let pacer = DialPacer()
        return await withTaskGroup(
            of: Result<HostConnection, DialFailure>.self
        ) { group in
            for (index, entry) in plan.enumerated() {
                let address = entry.address
                group.addTask {
                    guard await pacer.waitForTurn(index, delay: entry.delay) else {
                        return .failure(DialFailure(address: address, connectionID: nil, step: "cancelled",
                                                    reason: "another address connected first"))
                    }
                    let outcome = await self.attempt(address, expectedPeer: peer ?? address.peerID, dialID: dialID)
                    if case .failure = outcome { pacer.attemptFailed(index) }
                    return outcome
                }
            }
            var failures: [DialFailure] = []
            for await outcome in group {
                switch outcome {
                case .success(let connection):
                    pacer.cancelAll()
                    group.cancelAll()
                    // The cancelled attempts end quickly; each still gets its outcome reported.
                    for await rest in group {
                        switch rest {
                        case .failure(let failure): emit(.dialAttemptFailed(dialID, failure))
                        case .success(let extra): await close(connection: extra.id, reason: "another address connected first")
                        }
                    }
                    return .success(connection)
                case .failure(let failure):
                    emit(.dialAttemptFailed(dialID, failure))
                    failures.append(failure)
                }
            }
            return .failure(.dialFailed(failures))
        }
    }

    /// One address: the transport's connect, then the upgrade, both bounded; cancellation closes the
    /// connection.
    private func attempt(_ address: Multiaddr, expectedPeer: PeerID?, dialID: DialID) async -> Result<HostConnection, DialFailure> {
        let id = ConnectionID.next()
        emit(.dialAttempt(dialID, id, address: address))
        guard let transport = transports.first(where: { $0.canDial(address) }) else {
            let supported = transports.map(\.addressPattern).joined(separator: " or ")
            return .failure(DialFailure(address: address, connectionID: id, step: "address",
                                        reason: "only \(supported) addresses can be dialed"))
        }
        // The upgrade handlers go in before the connection's first read: the listener sends its
        // multistream header at once, and it must not reach an empty pipeline.
        let context = upgradeContext(id: id, direction: .outbound, expectedPeer: expectedPeer)
        let dialed = NIOLockedValueBox<(channel: any Channel, upgrade: EventLoopFuture<UpgradedConnection>)?>(nil)
        let request = TransportDialRequest(id: id, expectedPeer: expectedPeer)
        let connected = transport.dial(address, request: request, environment: transportEnvironment) { connection in
            guard case .raw(let channel, let transport, let establishment) = connection else { return }
            dialed.withLockedValue {
                $0 = (channel, ConnectionUpgrade.start(
                    on: channel, transport: transport, establishment: establishment, context: context))
            }
        }
        // Connect and upgrade are awaited as one future (the step between them runs on the event
        // loop): one task suspension and wake-up per dial instead of two.
        let upgrading = connected.flatMapError { error in
            connected.eventLoop.makeFailedFuture(AttemptFailure.transport(
                (error as? any TransportStepFailure)?.failedStep ?? transport.name, "\(error)"))
        }.flatMap { [self] connection -> EventLoopFuture<UpgradedConnection> in
            let channel: any Channel
            let transport: any Transport
            var remote: Multiaddr?
            switch connection {
            case .upgraded(let upgraded):
                return connected.eventLoop.makeSucceededFuture(upgraded)
            case .handshaking(let handshake):
                // Only listeners hand these over; a dial's transport that did would be finished by its result.
                return handshake.result
            case .raw(let rawChannel, let rawTransport, let establishment):
                (channel, transport) = (rawChannel, rawTransport)
                remote = establishment?.remoteAddress
            }
            let registered = state.withLockedValue { state -> Bool in
                guard !state.isShuttingDown else { return false }
                state.upgrading[id] = UpgradingConnection(
                    cancel: { channel.close(promise: nil) }, direction: .outbound,
                    remote: remote ?? channel.remoteAddress.flatMap(transport.multiaddr(of:)), startedAt: .now)
                return true
            }
            guard registered, let upgrade = dialed.withLockedValue({ $0?.upgrade }) else {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(AttemptFailure.shuttingDown)
            }
            return upgrade
        }
        do {
            let upgraded = try await withTaskCancellationHandler {
                try await upgrading.get()
            } onCancel: {
                dialed.withLockedValue { $0?.channel }?.close(promise: nil)
                request.cancellation.cancel()
            }
            guard let connection = register(upgraded) else {
                return .failure(DialFailure(address: address, connectionID: id, step: "limits",
                                            reason: "the connection was refused by a local limit (see events)"))
            }
            return .success(connection)
        } catch AttemptFailure.transport(let name, let reason) {
            return .failure(DialFailure(address: address, connectionID: id, step: name, reason: reason))
        } catch AttemptFailure.shuttingDown {
            return .failure(DialFailure(address: address, connectionID: id, step: "cancelled", reason: "node shutting down"))
        } catch {
            state.withLockedValue { _ = $0.upgrading.removeValue(forKey: id) }
            let upgradeError = error as? UpgradeError ?? UpgradeError(phase: .securityNegotiation, other: error)
            return .failure(DialFailure(address: address, connectionID: id, step: upgradeError.phase.rawValue,
                                        reason: upgradeError.description))
        }
    }
}

/// Which kind of hop (`dns` or `dnsaddr`) a resolution failed at, for its `DialFailure`.
private final class NameResolutionHopStep: Sendable {
    private let last = NIOLockedValueBox("dns")
    func record(_ hop: NameResolutionHop) {
        if hop.failure != nil { last.withLockedValue { $0 = hop.stepName } }
    }
    var lastStepName: String { last.withLockedValue { $0 } }
}

/// How a dial attempt ended before the upgrade could report anything.
private enum AttemptFailure: Error {
    /// The transport (named) could not connect.
    case transport(String, String)
    case shuttingDown
}
