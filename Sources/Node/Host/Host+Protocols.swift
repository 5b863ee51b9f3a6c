import NIOCore
import Events
import Identity
import Protocols
import Multiformats

extension Host {
    /// Registers the protocols every node serves (ping, identify, identify/push) and, when configured,
    /// perf and echo. Called by `init`.
    func registerDefaultProtocols() {
        setStreamHandler(PingProtocol.id) { incoming in
            _ = try await PingServer().serve(incoming.stream)
        }
        setStreamHandler(IdentifyProtocol.id) { [weak self] incoming in
            guard let self else { return }
            _ = try await IdentifyService(timeout: configuration.identifyTimeout)
                .respond(incoming.stream, info: identifyInfo(for: incoming.connection))
        }
        setStreamHandler(IdentifyProtocol.pushID) { [weak self] incoming in
            guard let self else { return }
            let push = try await IdentifyService(timeout: configuration.identifyTimeout)
                .receivePush(incoming.stream, expectedPeer: incoming.connection.peer)
            apply(push.update, from: incoming.connection)
        }
        if configuration.servePerf {
            setStreamHandler(PerfProtocol.id) { incoming in
                _ = try await PerfServer().serve(incoming.stream)
            }
        }
        if configuration.serveEcho {
            setStreamHandler(EchoProtocol.id) { incoming in
                _ = try await EchoServer().serve(incoming.stream)
            }
        }
    }

    /// What we tell `connection`'s peer about ourselves.
    func identifyInfo(for connection: HostConnection?) -> IdentifyInfo {
        let addresses = listenAddresses
        // Re-signed only when the addresses change, not for every identify request.
        let record = try? SignedPeerRecordCache.shared.record(addresses: addresses, signingKey: identity)
        return IdentifyInfo(
            publicKey: identity.publicKey,
            listenAddrs: addresses,
            observedAddr: connection?.upgraded.remoteAddress,
            protocols: supportedProtocols,
            protocolVersion: HostConfiguration.protocolVersion,
            agentVersion: configuration.agentVersion,
            signedPeerRecord: record.map { .valid($0) } ?? .absent)
    }

    /// Asks the peer of `connection` who it is; updates the peerstore and reports the result.
    @discardableResult
    public func identify(_ connection: HostConnection) async throws -> IdentifyResult {
        do {
            let (stream, _) = try await newStream(on: connection, protocols: [IdentifyProtocol.id])
            let result = try await IdentifyService(timeout: configuration.identifyTimeout)
                .request(stream, expectedPeer: connection.peer)
            let info = result.info
            let summary = IdentifySummary(
                agentVersion: info.agentVersion, protocolVersion: info.protocolVersion, protocols: info.protocols,
                listenAddresses: info.listenAddrs, observedAddress: info.observedAddr)
            connection.setIdentify(summary)
            peerstore.setVersions(agent: info.agentVersion, protocolVersion: info.protocolVersion, for: connection.peer)
            peerstore.addAddresses(info.listenAddrs, for: connection.peer)
            updateProtocols(info.protocols, of: connection.peer)
            emit(.identifyCompleted(connection.id, peer: connection.peer, summary))
            return result
        } catch {
            emit(.identifyFailed(connection.id, peer: connection.peer, reason: "\(error)"))
            throw error
        }
    }

    private func apply(_ update: IdentifyUpdate, from connection: HostConnection) {
        if let protocols = update.protocols { updateProtocols(protocols, of: connection.peer) }
        if let addresses = update.listenAddrs { peerstore.addAddresses(addresses, for: connection.peer) }
        peerstore.setVersions(agent: update.agentVersion, protocolVersion: update.protocolVersion, for: connection.peer)
    }

    private func updateProtocols(_ protocols: [String], of peer: PeerID) {
        let change = peerstore.setProtocols(protocols, for: peer)
        if !change.added.isEmpty || !change.removed.isEmpty {
            emit(.peerProtocolsChanged(peer, added: change.added, removed: change.removed))
        }
    }

    /// Tells every connected peer what changed about us (`/ipfs/id/push/1.0.0`). Best effort: a peer
    /// that does not speak push is skipped.
    func pushIdentifyToAll() {
        let current = connections
        guard !current.isEmpty else { return }
        for connection in current {
            Task {
                guard let (stream, _) = try? await newStream(on: connection, protocols: [IdentifyProtocol.pushID])
                else { return }
                _ = try? await IdentifyService(timeout: configuration.identifyTimeout)
                    .push(stream, info: identifyInfo(for: connection))
                await Self.finish(stream)
            }
        }
    }

    /// Pings the peer of `connection` `count` times; each RTT is reported as an event and feeds the
    /// peerstore's latency average.
    @discardableResult
    public func ping(
        _ connection: HostConnection, count: Int, interval: Duration = .seconds(1), timeout: Duration = .seconds(20),
        onRTT: @escaping @Sendable (Int, Duration) -> Void = { _, _ in }
    ) async throws -> [Duration] {
        do {
            let (stream, _) = try await newStream(on: connection, protocols: [PingProtocol.id])
            return try await PingClient.ping(stream, count: count, interval: interval, timeout: timeout) { [self] sample in
                connection.setLastPingRTT(sample.roundTripTime)
                peerstore.recordLatency(sample.roundTripTime, for: connection.peer)
                emit(.pingRTT(connection.id, peer: connection.peer, rtt: sample.roundTripTime))
                onRTT(sample.index, sample.roundTripTime)
            }
        } catch {
            emit(.pingFailed(connection.id, peer: connection.peer, reason: "\(error)"))
            throw error
        }
    }
}
