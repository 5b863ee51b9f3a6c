import NIOCore

extension Host {
    func upgradeContext(
        id: ConnectionID, direction: ConnectionDirection, expectedPeer: PeerID?
    ) -> ConnectionUpgrade.Context {
        ConnectionUpgrade.Context(
            id: id, direction: direction, identity: identity, expectedPeer: expectedPeer,
            configuration: configuration.upgrader,
            onStep: { [weak self] id, step, offset in self?.emit(.upgradeStep(id, step, offset: offset)) },
            onYamuxEvent: { [weak self] id, event in self?.handleYamuxEvent(event, on: id) },
            onFailure: { [weak self] id, error, offset in
                self?.emit(.upgradeFailed(id, direction: direction, error, offset: offset))
            })
    }

    /// Called by the listener for every accepted socket. Never waits: the upgrade runs on the
    /// channel's own event loop, so one slow peer cannot hold up the accept loop or other upgrades.
    func acceptInbound(_ channel: any Channel) {
        let remote = channel.remoteAddress?.multiaddr
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
                channel: channel, direction: .inbound, remote: remote, startedAt: .now)
            return true
        }
        guard registered else {
            inboundLimiter.release(ip: ip)
            channel.close(promise: nil)
            return
        }
        emit(.inboundAccepted(id, remote: remote, local: channel.localAddress?.multiaddr))
        let context = upgradeContext(id: id, direction: .inbound, expectedPeer: nil)
        // The child initializer runs on the channel's event loop before its first read, so the
        // handlers are in place before any pipelined byte arrives.
        do {
            ConnectionUpgrade.start(on: channel, context: context).whenComplete { [self] result in
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
                return LimitRejection(limit: "node shutting down", value: 0, peer: upgraded.remotePeer)
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
            upgraded.channel.close(promise: nil)
            return nil
        }
        peerstore.setPublicKey(upgraded.remotePublicKey, for: upgraded.remotePeer)
        if upgraded.direction == .outbound, let remote = upgraded.remoteAddress {
            peerstore.addAddresses([remote], for: upgraded.remotePeer)
        }
        emit(.connectionEstablished(upgraded.summary))
        upgraded.channel.closeFuture.whenComplete { [weak self] _ in
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

    func handleYamuxEvent(_ event: YamuxConnectionEvent, on id: ConnectionID) {
        switch event {
        case .streamOpened(let streamID, let origin):
            let direction: ConnectionDirection = origin == .local ? .outbound : .inbound
            connection(id)?.noteDirection(streamID.rawValue, direction)
            emit(.streamOpened(id, streamID: streamID.rawValue, direction: direction))
        case .streamClosed(let streamID, let cause):
            let protocolID = connection(id)?.streamEnded(streamID.rawValue)
            let reset: Bool
            switch cause {
            case .finished: reset = false
            default: reset = true
            }
            emit(.streamClosed(id, streamID: streamID.rawValue, protocol: protocolID, cause: cause.description, reset: reset))
        case .streamRejected(let streamID, let rejection):
            let limit: LimitRejection
            switch rejection {
            case .maxStreams(let value):
                limit = LimitRejection(limit: "yamux max inbound streams", value: value, peer: connection(id)?.peer)
            case .ackBacklogFull(let value):
                limit = LimitRejection(limit: "yamux accept backlog", value: value, peer: connection(id)?.peer)
            case .goingAway, .streamIDInUse:
                limit = LimitRejection(limit: "yamux", value: 0, peer: connection(id)?.peer, detail: rejection.description)
            }
            emit(.streamRejected(id, streamID: streamID.rawValue, limit: limit))
        case .sendWindowExhausted(let streamID):
            emit(.streamSendWindowExhausted(id, streamID: streamID.rawValue))
        case .pingRTT(let rtt):
            if let peer = connection(id)?.peer { peerstore.recordLatency(rtt, for: peer) }
        case .goAwayReceived(let code):
            connection(id)?.noteCloseCause(.goAwayReceived(code: code.rawValue))
        case .goAwaySent:
            break
        case .closed(let reason):
            switch reason {
            case .localClose, .remoteGoAway, .connectionLost:
                break
            default:
                connection(id)?.noteCloseCause(.error("\(reason)"))
            }
        }
    }
}
