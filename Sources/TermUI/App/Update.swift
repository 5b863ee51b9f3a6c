import Node

/// The pure heart of the UI: applies one event to the state and says which effects to run.
public func update(_ state: inout AppState, _ event: AppEvent) -> [AppCommand] {
    switch event {
    case .key(let key):
        return handleKey(&state, key)
    case .resize(let size):
        state.size = size
    case .node(let record):
        state.now = max(state.now, record.time)
        if record.droppedBefore > 0 {
            state.droppedEvents += record.droppedBefore
        }
        applyNodeEvent(&state, record.event, at: record.time)
    case .snapshot(let snapshot):
        applySnapshot(&state, snapshot)
    case .tick(let now):
        state.now = max(state.now, now)
        pruneClosed(&state)
    case .commandResult(let result):
        applyResult(&state, result)
    case .forwardingDropped(let count):
        state.droppedEvents += count
    }
    return []
}

func log(_ state: inout AppState, _ level: LogLevel, _ text: String, at time: ContinuousClock.Instant? = nil) {
    state.log.append(LogLine(time: (time ?? state.now) - state.startedAt, level: level, text: text))
}

/// Closed connections linger a few seconds so their end is visible, then go; failed dials stay until `clear`.
func pruneClosed(_ state: inout AppState) {
    let selectedID = state.selected?.id
    state.connections.removeAll { row in
        guard row.state == .closed, let closedAt = row.closedAt else { return false }
        return state.now - closedAt > .seconds(5)
    }
    restoreSelection(&state, selectedID)
}

func restoreSelection(_ state: inout AppState, _ id: ConnectionID?) {
    if let id, let index = state.index(of: id) {
        state.selectedConnection = index
    }
    state.selectedConnection = max(0, min(state.selectedConnection, state.connections.count - 1))
}

func applyResult(_ state: inout AppState, _ result: CommandResult) {
    switch result {
    case .info(let text):
        state.message = (text, false)
        log(&state, .info, text)
    case .error(let text):
        state.message = (text, true)
        log(&state, .error, text)
    case .streamOpened(let connection, let protocolID):
        state.stream = StreamSession(connection: connection, protocolID: protocolID, open: true)
        state.stream?.append("── opened \(protocolID) on \(connection)")
        state.mode = .stream
    case .streamReceived(let text):
        state.stream?.append("← \(text)")
    case .streamEnded(let reason):
        state.stream?.open = false
        state.stream?.append("── \(reason)")
    }
}
