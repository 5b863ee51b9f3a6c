import Node

func handleKey(_ state: inout AppState, _ key: Key) -> [AppCommand] {
    if key == .resize { return [] }
    switch state.mode {
    case .help:
        if key == .char("q") { return quit(&state) }
        state.mode = state.stream == nil ? .normal : .normal
        return []
    case .command:
        let snapshot = state
        var editor = state.commandLine
        let outcome = editor.handle(key) { completions(snapshot, $0) }
        state.commandLine = editor
        switch outcome {
        case .submitted(let line):
            state.mode = state.modeBeforeCommand
            let commands = runCommandLine(&state, line)
            if state.mode == .stream, state.stream?.open != true { state.mode = .normal }
            return commands
        case .cancelled:
            state.commandLine.clear()
            state.mode = state.modeBeforeCommand
        case .handled, .ignored: break
        }
        return []
    case .filter:
        switch state.filterLine.handle(key) {
        case .submitted(let text):
            state.filter = text
            state.mode = .normal
        case .cancelled:
            state.filterLine.clear()
            state.filter = ""
            state.mode = .normal
        case .handled, .ignored:
            state.filter = state.filterLine.text
        }
        state.logScroll = 0
        return []
    case .stream:
        return handleStreamKey(&state, key)
    case .normal:
        return handleNormalKey(&state, key)
    }
}

private func quit(_ state: inout AppState) -> [AppCommand] {
    state.shouldQuit = true
    return [.quit]
}

private func handleStreamKey(_ state: inout AppState, _ key: Key) -> [AppCommand] {
    switch key {
    case .escape:
        state.mode = .normal
        return []
    case .ctrl("d"):
        return streamCommand(&state, .closeWrite)
    case .ctrl("r"):
        return streamCommand(&state, .reset)
    case .char(":") where state.streamInput.isEmpty:
        state.modeBeforeCommand = .stream
        state.mode = .command
        return []
    default:
        switch state.streamInput.handle(key) {
        case .submitted(let text):
            return streamCommand(&state, .send(text))
        case .cancelled:
            state.mode = .normal
        case .handled, .ignored: break
        }
        return []
    }
}

private func handleNormalKey(_ state: inout AppState, _ key: Key) -> [AppCommand] {
    switch key {
    case .char("q"): return quit(&state)
    case .ctrl("c"): return quit(&state)
    case .char("?"): state.mode = .help
    case .char(":"):
        state.commandLine.clear()
        state.modeBeforeCommand = .normal
        state.mode = .command
    case .char("/"):
        state.filterLine.setText(state.filter)
        state.mode = .filter
    case .tab: cycleFocus(&state, forward: true)
    case .backTab: cycleFocus(&state, forward: false)
    case .char("j"), .down: move(&state, by: 1)
    case .char("k"), .up: move(&state, by: -1)
    case .pageDown: move(&state, by: 10)
    case .pageUp: move(&state, by: -10)
    case .char("t"):
        state.tab = state.tab == .streams ? .timeline : .streams
    case .enter:
        switch state.focus {
        case .connections:
            state.focus = Layout.mode(for: state.size) == .full ? .streams : state.tab
        case .streams:
            if state.stream != nil { state.mode = .stream }
        case .timeline, .events: break
        }
    case .escape:
        state.message = nil
        if state.focus != .connections { state.focus = .connections }
    default: break
    }
    return []
}

/// The panes Tab visits on this screen: tabs sharing a slot are visited as the slot.
func focusOrder(_ state: AppState) -> [PaneID] {
    switch Layout.mode(for: state.size) {
    case .full: return [.connections, .timeline, .streams, .events]
    case .compact, .singlePane, .tooSmall: return [.connections, .streams, .timeline, .events]
    }
}

private func cycleFocus(_ state: inout AppState, forward: Bool) {
    let order = focusOrder(state)
    let current = order.firstIndex(of: state.focus) ?? 0
    let next = (current + (forward ? 1 : order.count - 1)) % order.count
    state.focus = order[next]
    if state.focus == .streams || state.focus == .timeline { state.tab = state.focus }
}

private func move(_ state: inout AppState, by delta: Int) {
    switch state.focus {
    case .connections:
        state.selectedConnection = max(0, min(state.connections.count - 1, state.selectedConnection + delta))
        state.selectedStream = 0
    case .streams:
        let count = state.selected?.streams.count ?? 0
        state.selectedStream = max(0, min(count - 1, state.selectedStream + delta))
    case .events:
        // Up scrolls back in time.
        state.logScroll = max(0, min(state.log.count - 1, state.logScroll - delta))
    case .timeline: break
    }
}

func streamCommand(_ state: inout AppState, _ command: AppCommand) -> [AppCommand] {
    guard let stream = state.stream, stream.open else {
        return refuse(&state, "no open stream: use `open PROTOCOL` on a connection first")
    }
    switch command {
    case .send(let text): state.stream?.append("→ \(text)")
    case .closeWrite: state.stream?.append("── close-write sent")
    case .reset:
        state.stream?.append("── reset")
        state.stream?.open = false
    default: break
    }
    return [command]
}

func refuse(_ state: inout AppState, _ text: String) -> [AppCommand] {
    state.message = (text, true)
    return []
}
