import NIOCore
import Core
import Events
import Identity
import Upgrade
import Yamux
import Multiformats

extension Host {
    func upgradeContext(
        id: ConnectionID, direction: ConnectionDirection, expectedPeer: PeerID?
    ) -> ConnectionUpgrade.Context {
        ConnectionUpgrade.Context(
            id: id, direction: direction, identity: identity, expectedPeer: expectedPeer,
            configuration: configuration.upgrader,
            onStep: { [weak self] id, step, offset in self?.emit(.upgradeStep(id, step, offset: offset)) },
            onMuxerEvent: { [weak self] id, event in self?.handleMuxerEvent(event, on: id) },
            onFailure: { [weak self] id, error, offset in
                self?.emit(.upgradeFailed(id, direction: direction, error, offset: offset))
            })
    }

    /// Called by a listener for every accepted connection. Never waits: the upgrade runs on the
    /// connection's own event loop, so one slow peer cannot hold up the accept loop or other upgrades.
    func acceptInbound(_ accepted: TransportConnection) {
        switch accepted {
        case .raw(let channel, let transport, let establishment):
            acceptInbound(channel, transport: transport, establishment: establishment)
        case .upgraded(let upgraded):
            // Secured and multiplexed by the transport itself: only the connection limits apply.
            if let rejection = admitInbound() {
                emit(.inboundRejected(remote: upgraded.remoteAddress, limit: rejection))
                upgraded.connection.abort()
                return
            }
            emit(.inboundAccepted(upgraded.id, remote: upgraded.remoteAddress, local: upgraded.localAddress))
            register(upgraded)
        case .handshaking(let handshake):
            acceptInbound(handshake)
        }
    }

    /// A transport's own inbound handshake (QUIC): admitted like a raw connection, by the same limits,
    /// before its first step; its failure is the upgrade's failure.
    private func acceptInbound(_ handshake: TransportInboundHandshake) {
        let remote = handshake.remoteAddress
        if let rejection = admitInbound() ?? inboundLimiter.acquire(ip: handshake.remoteIP) {
            emit(.inboundRejected(remote: remote, limit: rejection))
            handshake.abort("refused: \(rejection)")
            return
        }
        let id = handshake.id
        let registered = state.withLockedValue { state -> Bool in
            guard !state.isShuttingDown else { return false }
            state.upgrading[id] = UpgradingConnection(
                cancel: { handshake.abort("node shutting down") }, direction: .inbound, remote: remote, startedAt: .now)
            return true
        }
        guard registered else {
            inboundLimiter.release(ip: handshake.remoteIP)
            handshake.abort("node shutting down")
            return
        }
        emit(.inboundAccepted(id, remote: remote, local: handshake.localAddress))
        let started = ContinuousClock.now
        handshake.result.whenComplete { [self] result in
            inboundLimiter.release(ip: handshake.remoteIP)
            switch result {
            case .success(let upgraded):
                register(upgraded)
            case .failure(let error):
                state.withLockedValue { _ = $0.upgrading.removeValue(forKey: id) }
                let failure = (error as? any UpgradeErrorConvertible)?.upgradeError(in: .transport)
                    ?? UpgradeError(phase: .transport, kind: .connectionClosed, expected: "the transport's handshake to finish", got: "\(error)")
                emit(.upgradeFailed(id, direction: .inbound, failure, offset: ContinuousClock.now - started))
            }
        }
    }

    private func acceptInbound(_ channel: any Channel, transport: any Transport, establishment: TransportEstablishment?) {
        let remote = establishment?.remoteAddress ?? channel.remoteAddress.flatMap(transport.multiaddr(of:))
        let local = establishment?.localAddress ?? channel.localAddress.flatMap(transport.multiaddr(of:))
        let ip = channel.remoteAddress?.ipAddress ?? "unknown"
        if let rejection = admitInbound() {
            emit(.inboundRejected(remote: remote, limit: rejection))
            channel.close(promise: nil)
            return
        }
        if let rejection = inboundLimiter.acquire(ip: ip) {
            emit(.inboundRejected(remote: remote, limit: rejection))
            channel.close(promise: nil)
            return
        }
        let id = ConnectionID.next()
        let registered = state.withLockedValue { state -> Bool in
            guard !state.isShuttingDown else { return false }
            state.upgrading[id] = UpgradingConnection(
                cancel: { channel.close(promise: nil) }, direction: .inbound, remote: remote, startedAt: .now)
            return true
        }
        guard registered else {
            inboundLimiter.release(ip: ip)
            channel.close(promise: nil)
            return
        }
        emit(.inboundAccepted(id, remote: remote, local: local))
        let context = upgradeContext(id: id, direction: .inbound, expectedPeer: nil)
        // The child initializer runs on the channel's event loop before its first read, so the
        // handlers are in place before any pipelined byte arrives.
        do {
            ConnectionUpgrade.start(on: channel, transport: transport, establishment: establishment, context: context).whenComplete { [self] result in
                inboundLimiter.release(ip: ip)
                switch result {
                case .success(let upgraded):
                    register(upgraded)
                case .failure:
                    state.withLockedValue { _ = $0.upgrading.removeValue(forKey: id) }
                }
            }
        }
    }

    private func admitInbound() -> LimitRejection? {
        state.withLockedValue { state in
            let inbound = state.inboundConnectionCount
                + state.upgrading.values.filter { $0.direction == .inbound }.count
            if inbound >= configuration.maxInboundConnections {
                return LimitRejection(limit: "max inbound connections", value: configuration.maxInboundConnections)
            }
            if state.connections.count + state.upgrading.count >= configuration.maxConnections {
                return LimitRejection(limit: "max connections", value: configuration.maxConnections)
            }
            return nil
        }
    }

    /// Takes an upgraded connection into the host (or refuses it when a per-peer limit is full).
    @discardableResult
    func register(_ upgraded: UpgradedConnection) -> HostConnection? {
        let connection = HostConnection(upgraded: upgraded)
        let rejection = state.withLockedValue { state -> LimitRejection? in
            state.upgrading.removeValue(forKey: upgraded.id)
            if state.isShuttingDown {
                return LimitRejection(limit: "node shutting down", value: nil, peer: upgraded.remotePeer)
            }
            let toPeer = state.connectionCountByPeer[upgraded.remotePeer, default: 0]
            if toPeer >= configuration.maxConnectionsPerPeer {
                return LimitRejection(limit: "max connections per peer", value: configuration.maxConnectionsPerPeer,
                                      peer: upgraded.remotePeer)
            }
            state.insert(connection)
            return nil
        }
        if let rejection {
            emit(.connectionRejected(upgraded.id, peer: upgraded.remotePeer, limit: rejection))
            connection.noteCloseCause(.closedLocally(reason: rejection.description))
            upgraded.connection.abort()
            return nil
        }
        peerstore.setPublicKey(upgraded.remotePublicKey, for: upgraded.remotePeer)
        if upgraded.direction == .outbound, let remote = upgraded.remoteAddress {
            peerstore.addAddresses([remote], for: upgraded.remotePeer)
        }
        emit(.connectionEstablished(upgraded.summary))
        upgraded.connection.closeFuture.whenComplete { [weak self] _ in
            self?.connectionClosed(connection)
        }
        Task { await self.serveInboundStreams(on: connection) }
        connectionReady(connection)
        return connection
    }

    private func connectionClosed(_ connection: HostConnection) {
        let removed = state.withLockedValue { $0.remove(connection.id) != nil }
        guard removed else { return }
        emit(.connectionClosed(connection.id, peer: connection.peer, cause: connection.closeCause ?? .closedByRemote))
    }

    func handleMuxerEvent(_ event: MuxerEvent, on id: ConnectionID) {
        switch event {
        case .streamOpened(let streamID, let origin):
            let direction: ConnectionDirection = origin == .local ? .outbound : .inbound
            connection(id)?.noteDirection(streamID, direction)
            emit(.streamOpened(id, streamID: streamID, direction: direction))
        case .streamClosed(let streamID, let cause, let reset):
            let protocolID = connection(id)?.streamEnded(streamID)
            emit(.streamClosed(id, streamID: streamID, protocol: protocolID, cause: cause, reset: reset))
        case .streamRejected(let streamID, let rejection):
            emit(.streamRejected(id, streamID: streamID, limit: LimitRejection(
                limit: rejection.limit, value: rejection.value, peer: connection(id)?.peer, detail: rejection.detail)))
        case .windowStalled(let streamID):
            emit(.streamSendWindowExhausted(id, streamID: streamID))
        case .pingRTT(let rtt):
            if let peer = connection(id)?.peer { peerstore.recordLatency(rtt, for: peer) }
        case .goAwayReceived(let code):
            connection(id)?.noteCloseCause(.goAwayReceived(code: code))
        case .goAwaySent:
            break
        case .closed(let reason, let error):
            if error { connection(id)?.noteCloseCause(.error(reason)) }
        }
    }
}
