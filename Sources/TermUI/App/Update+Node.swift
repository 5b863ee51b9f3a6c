import Node

func applyNodeEvent(_ state: inout AppState, _ event: NodeEvent, at time: ContinuousClock.Instant) {
    switch event {
    case .listening(let address):
        if !state.listenAddresses.contains(address) { state.listenAddresses.append(address) }
        log(&state, .info, "listening on \(address)", at: time)
    case .listenFailed(let address, let reason):
        log(&state, .error, "listen \(address) failed: \(reason)", at: time)
    case .listenerClosed(let address):
        state.listenAddresses.removeAll { $0 == address }
        log(&state, .info, "listener \(address) closed", at: time)
    case .dialStarted(let dial, let peer, let addresses):
        let target = peer.map { $0.shortDescription } ?? addresses.map(\.description).joined(separator: ", ")
        log(&state, .info, "\(dial) dial \(target)", at: time)
    case .dialNameResolved(let dial, let hop):
        guard state.dialResolutions[dial] != nil || state.dialResolutions.count < AppState.pendingResolutionLimit else { return }
        var steps = state.dialResolutions[dial] ?? []
        if steps.count < AppState.resolutionStepLimit {
            steps.append(TimelineStep(label: "\(hop.stepName) \(hop.question) (\(hop.duration.formattedShort))", offset: .zero,
                                      failed: hop.failure != nil, reason: hop.failure ?? "→ \(hop.answers.joined(separator: ", "))"))
        }
        state.dialResolutions[dial] = steps
        log(&state, hop.failure == nil ? .debug : .warn, "\(dial) \(hop)", at: time)
    case .dialRanked(let dial, let plan):
        log(&state, .debug, "\(dial) plan: " + plan.map(\.description).joined(separator: "; "), at: time)
    case .dialAttempt(let dial, let id, let address):
        upsert(&state, id, remote: address.description, direction: .outbound, at: time)
        if let index = state.index(of: id), state.connections[index].steps.isEmpty, let steps = state.dialResolutions[dial] {
            state.connections[index].steps = steps
        }
        if state.selectNextDial, let index = state.index(of: id) {
            state.selectNextDial = false
            state.selectedConnection = index
        }
        log(&state, .debug, "\(dial) \(id) trying \(address)", at: time)
    case .dialAttemptFailed(let dial, let failure):
        if let id = failure.connectionID, let index = state.index(of: id) {
            markFailed(&state, index, step: failure.step, reason: failure.reason, at: time)
        }
        log(&state, .warn, "\(dial) \(failure.address): \(failure.step): \(failure.reason)", at: time)
    case .dialSucceeded(let dial, let id, let peer):
        state.dialResolutions[dial] = nil
        log(&state, .info, "\(dial) \(id) connected to \(peer.shortDescription)", at: time)
    case .dialReusedConnection(let dial, let id, let peer):
        log(&state, .info, "\(dial) reused \(id) to \(peer.shortDescription)", at: time)
    case .dialFailed(let dial, let peer, let failures):
        for failure in failures {
            let id = failure.connectionID ?? syntheticID(for: dial)
            upsert(&state, id, remote: failure.address.description, direction: .outbound, at: time)
            if let index = state.index(of: id) {
                if failure.connectionID == nil, state.connections[index].steps.isEmpty, let steps = state.dialResolutions[dial] {
                    state.connections[index].steps = steps
                }
                state.connections[index].peer = state.connections[index].peer ?? peer
                markFailed(&state, index, step: failure.step, reason: failure.reason, at: time)
            }
            log(&state, .error, "\(dial) \(failure.address): \(failure.step): \(failure.reason)", at: time)
        }
        if failures.isEmpty { log(&state, .error, "\(dial) failed: no addresses", at: time) }
        state.dialResolutions[dial] = nil
    case .inboundAccepted(let id, let remote, _):
        upsert(&state, id, remote: remote?.description ?? "?", direction: .inbound, at: time)
        log(&state, .debug, "\(id) inbound from \(remote?.description ?? "?")", at: time)
    case .inboundRejected(let remote, let limit):
        log(&state, .warn, "inbound from \(remote?.description ?? "?") rejected: \(limit)", at: time)
    case .inboundFailed(let failure):
        log(&state, .warn, "inbound from \(failure.remoteAddress?.description ?? "?") failed in \(failure.step): \(failure.reason)", at: time)
    case .upgradeStep(let id, let step, let offset):
        upsert(&state, id, remote: remoteOf(step) ?? "?", direction: nil, at: time)
        guard let index = state.index(of: id) else { return }
        state.connections[index].steps.append(TimelineStep(label: step.label, offset: offset, failed: false))
        switch step {
        case .security(.negotiated(let name)): state.connections[index].security = name
        case .muxer(.negotiated(let name, let earlyIn)):
            state.connections[index].muxer = name
            state.connections[index].earlyMuxer = earlyIn != nil
        case .security(.peerVerified(let peer, _)): state.connections[index].peer = peer
        default: break
        }
    case .upgradeFailed(let id, let direction, let error, let offset):
        upsert(&state, id, remote: "?", direction: direction, at: time)
        if let index = state.index(of: id) {
            state.connections[index].steps.append(
                TimelineStep(label: error.phase.rawValue, offset: offset, failed: true, reason: "expected \(error.expected); got \(error.got)"))
            state.connections[index].state = .failed
            state.connections[index].failure = error.description
        }
        log(&state, .error, "\(id) upgrade failed: \(error)", at: time)
    case .connectionEstablished(let summary):
        upsert(&state, summary.id, remote: summary.remoteAddress?.description ?? "?", direction: summary.direction, at: time)
        if let index = state.index(of: summary.id) {
            state.connections[index].peer = summary.peer
            state.connections[index].state = .open
            state.connections[index].security = summary.security
            state.connections[index].muxer = summary.muxer
            state.connections[index].earlyMuxer = summary.earlyMuxerNegotiation
            if let remote = summary.remoteAddress { state.connections[index].remote = remote.description }
        }
        log(&state, .info, "\(summary.id) established with \(summary.peer.shortDescription) (\(summary.direction)) in \(Format.duration(summary.upgradeDuration))", at: time)
    case .connectionClosed(let id, let peer, let cause):
        if let index = state.index(of: id) {
            state.connections[index].state = .closed
            state.connections[index].closedAt = time
            state.connections[index].failure = cause.description
        }
        if state.stream?.connection == id, state.stream?.open == true {
            state.stream?.open = false
            state.stream?.append("── connection closed")
        }
        log(&state, .info, "\(id) to \(peer.shortDescription) closed: \(cause)", at: time)
    case .connectionRejected(let id, let peer, let limit):
        if let index = state.index(of: id) { markFailed(&state, index, step: "limits", reason: limit.description, at: time) }
        log(&state, .warn, "\(id) to \(peer.shortDescription) rejected: \(limit)", at: time)
    case .streamOpened(let id, let streamID, let direction):
        log(&state, .debug, "\(id) stream \(streamID) opened (\(direction))", at: time)
    case .streamProtocolNegotiated(let id, let streamID, let protocolID):
        log(&state, .debug, "\(id) stream \(streamID) speaks \(protocolID)", at: time)
    case .streamNegotiationFailed(let id, let streamID, let reason):
        log(&state, .warn, "\(id) stream \(streamID) negotiation failed: \(reason)", at: time)
    case .streamClosed(let id, let streamID, let protocolID, let cause, let reset):
        log(&state, reset ? .warn : .debug, "\(id) stream \(streamID) \(protocolID ?? "") \(reset ? "reset" : "closed"): \(cause)", at: time)
    case .streamRejected(let id, let streamID, let limit):
        log(&state, .warn, "\(id) stream \(streamID) rejected: \(limit)", at: time)
    case .streamSendWindowExhausted(let id, let streamID):
        log(&state, .warn, "\(id) stream \(streamID) waits on a zero send window", at: time)
    case .identifyCompleted(let id, let peer, let summary):
        if let index = state.index(of: id) { state.connections[index].agent = summary.agentVersion }
        log(&state, .info, "\(id) identify \(peer.shortDescription): \(summary.agentVersion ?? "no agent"), \(summary.protocols.count) protocols", at: time)
    case .identifyFailed(let id, _, let reason):
        log(&state, .warn, "\(id) identify failed: \(reason)", at: time)
    case .pingRTT(let id, _, let rtt):
        if let index = state.index(of: id) { state.connections[index].rtt = rtt }
        log(&state, .debug, "\(id) ping \(Format.duration(rtt))", at: time)
    case .pingFailed(let id, _, let reason):
        log(&state, .warn, "\(id) ping failed: \(reason)", at: time)
    case .peerProtocolsChanged(let peer, let added, let removed):
        log(&state, .debug, "\(peer.shortDescription) protocols +\(added.count) -\(removed.count)", at: time)
    case .shutDown:
        log(&state, .warn, "node shut down", at: time)
    }
}

/// Dials that failed before a connection had an ID get one of their own, far from real IDs.
func syntheticID(for dial: DialID) -> ConnectionID {
    ConnectionID(rawValue: UInt64.max - dial.rawValue)
}

private func remoteOf(_ step: UpgradeStep) -> String? {
    if case .transport(.connected(_, _, let remote)) = step { return remote?.description }
    return nil
}

private func upsert(_ state: inout AppState, _ id: ConnectionID, remote: String, direction: ConnectionDirection?, at time: ContinuousClock.Instant) {
    if let index = state.index(of: id) {
        if state.connections[index].remote == "?" { state.connections[index].remote = remote }
        if let direction { state.connections[index].direction = direction }
        return
    }
    state.insert(ConnectionRow(id: id, remote: remote, direction: direction, state: .upgrading, startedAt: time))
}

private func markFailed(_ state: inout AppState, _ index: Int, step: String, reason: String, at time: ContinuousClock.Instant) {
    state.connections[index].state = .failed
    state.connections[index].failure = "\(step): \(reason)"
    let offset = time - state.connections[index].startedAt
    // The dial's verdict is the last word: it names the step that really failed.
    state.connections[index].steps.removeAll(where: \.failed)
    state.connections[index].steps.append(TimelineStep(label: step, offset: offset, failed: true, reason: reason))
    var failedCount = 0
    var oldestFailed: Int?
    for candidate in state.connections.indices where state.connections[candidate].state == .failed {
        failedCount += 1
        if oldestFailed.map({ state.connections[candidate].startedAt < state.connections[$0].startedAt }) ?? true { oldestFailed = candidate }
    }
    if failedCount > AppState.failedRowLimit, let oldestFailed {
        let selectedID = state.selected?.id
        state.connections.remove(at: oldestFailed)
        restoreSelection(&state, selectedID)
    }
}
