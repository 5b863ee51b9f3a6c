import Node

/// Draws the whole screen for `state`: a pure function, the same state gives the same grid.
public func render(_ state: AppState, glyphs: GlyphSet = .unicode) -> Grid {
    var grid = Grid(size: state.size, glyphs: glyphs)
    let visiblePane: PaneID = state.focus == .streams || state.focus == .timeline ? state.focus : state.tab
    let layout = Layout.compute(size: state.size, focus: state.focus)
    if layout.mode == .tooSmall {
        if let line = layout.message { grid.put(Layout.tooSmallMessage(for: state.size), x: line.x, y: line.y, style: CellStyle(.warn)) }
        return grid
    }
    if let header = layout.header { renderHeader(&grid, state, header) }
    for slot in layout.slots {
        let pane: PaneID
        if slot.panes.count > 1 {
            pane = slot.panes.contains(visiblePane) ? visiblePane : slot.panes[0]
        } else {
            pane = slot.panes[0]
        }
        renderPane(&grid, state, pane, slot: slot)
    }
    if let line = layout.commandLine { renderCommandLine(&grid, state, line) }
    if let line = layout.hintBar { renderHints(&grid, state, line) }
    if state.mode == .help { renderHelp(&grid, state) }
    return grid
}

/// Where the terminal cursor goes: in whichever line editor has the keyboard.
public func cursorPosition(_ state: AppState) -> Point? {
    let layout = Layout.compute(size: state.size, focus: state.focus)
    guard let line = layout.commandLine else { return nil }
    switch state.mode {
    case .command: return Point(x: line.x + 1 + state.commandLine.viewport(width: line.width - 2).cursorColumn, y: line.y)
    case .filter: return Point(x: line.x + 1 + state.filterLine.viewport(width: line.width - 2).cursorColumn, y: line.y)
    case .stream:
        return Point(x: line.x + 6 + state.streamInput.viewport(width: line.width - 7).cursorColumn, y: line.y)
    case .normal, .help: return nil
    }
}

private func renderPane(_ grid: inout Grid, _ state: AppState, _ pane: PaneID, slot: PaneSlot) {
    let focused = state.focus == pane || (slot.panes.count > 1 && slot.panes.contains(state.focus))
    var title: [Span]
    if slot.panes.count > 1 {
        title = []
        for (index, tab) in slot.panes.enumerated() {
            if index > 0 { title.append(Span(" | ", CellStyle(.title))) }
            title.append(Span(tabTitle(state, tab), CellStyle(tab == pane ? (focused ? .focusTitle : .title) : .muted)))
        }
    } else {
        title = [Span(tabTitle(state, pane), CellStyle(focused ? .focusTitle : .title))]
    }
    let inner = grid.box(slot.rect, title: title, focused: focused)
    switch pane {
    case .connections: renderConnections(&grid, state, inner, focused: focused)
    case .timeline: renderTimeline(&grid, state, inner)
    case .streams:
        if state.mode == .stream || (state.stream != nil && state.focus == .streams && state.mode != .normal) {
            renderStreamView(&grid, state, inner)
        } else {
            renderStreams(&grid, state, inner, focused: focused)
        }
    case .events: renderEvents(&grid, state, inner)
    }
}

private func tabTitle(_ state: AppState, _ pane: PaneID) -> String {
    switch pane {
    case .connections: return "Connections (\(state.connections.count))"
    case .timeline: return "Upgrade \(state.selected.map { $0.id.description } ?? "")"
    case .streams:
        if state.mode == .stream, let stream = state.stream { return "Stream \(stream.protocolID) on \(stream.connection)" }
        guard let row = state.selected else { return PaneID.streams.title }
        // Named after the connection's muxer: "Yamux streams c3".
        let muxer = shortProtocol(row.muxer)
        return muxer.isEmpty ? "Streams \(row.id)" : "\(muxer.prefix(1).uppercased() + muxer.dropFirst()) streams \(row.id)"
    case .events:
        var title = "Events"
        if !state.filter.isEmpty { title += " /\(state.filter)" }
        if state.droppedEvents > 0 { title += " (\(state.droppedEvents) dropped)" }
        return title
    }
}

private func renderHeader(_ grid: inout Grid, _ state: AppState, _ rect: Rect) {
    grid.fill(rect, style: CellStyle(.header))
    let peer = state.localPeer?.shortDescription ?? "starting…"
    let listen = state.listenAddresses.first?.description ?? "not listening"
    let more = state.listenAddresses.count > 1 ? " +\(state.listenAddresses.count - 1)" : ""
    // Counted in place: a closure over each row copies it (strings, arrays), which with 10,000
    // connections cost more than drawing the whole rest of the frame.
    var open = 0
    var streams = 0
    for index in state.connections.indices {
        if state.connections[index].state == .open { open += 1 }
        for stream in state.connections[index].streams.indices
        where state.connections[index].streams[stream].state != .closed && state.connections[index].streams[stream].state != .reset {
            streams += 1
        }
    }
    let text = " peerscope \(peer) \(grid.glyphs.dot) \(listen)\(more) \(grid.glyphs.dot) conns \(open) streams \(streams) \(grid.glyphs.dot) in \(Format.rate(state.rates.inPerSecond)) out \(Format.rate(state.rates.outPerSecond))"
    grid.put(text, x: rect.x, y: rect.y, style: CellStyle(.header), maxWidth: rect.width)
}

private let connectionColumns = [
    TableColumn("ID", width: .fixed(3)),
    TableColumn("PEER", width: .fixed(9)),
    TableColumn("REMOTE", width: .flexible(minimum: 15), truncation: .middle),
    TableColumn("DIR", width: .fixed(3)),
    TableColumn("STATE", width: .fixed(9)),
    TableColumn("AGENT", width: .flexible(minimum: 12)),
    TableColumn("ST", width: .fixed(2), alignment: .right),
    TableColumn("RTT", width: .fixed(6), alignment: .right),
    TableColumn("IN", width: .fixed(5), alignment: .right),
    TableColumn("OUT", width: .fixed(5), alignment: .right),
    TableColumn("AGE", width: .fixed(5), alignment: .right),
    TableColumn("SEC", width: .fixed(5)),
    TableColumn("MUX", width: .fixed(6)),
]

private func renderConnections(_ grid: inout Grid, _ state: AppState, _ rect: Rect, focused: Bool) {
    guard !state.connections.isEmpty else {
        grid.put("no connections yet: `:dial ADDR`, or run with --demo", x: rect.x + 1, y: rect.y + 1, style: CellStyle(.muted), maxWidth: rect.width - 1)
        return
    }
    // Only the visible window of rows is built, so 10,000 connections cost what a screenful does.
    let visible = max(0, rect.height - 1)
    let first = Table.firstVisibleRow(current: max(0, state.selectedConnection - visible / 2), selected: state.selectedConnection, visibleRows: visible, rowCount: state.connections.count)
    let window = state.connections[first..<min(state.connections.count, first + visible)]
    let rows = window.map { connectionCells($0, state, grid.glyphs) }
    let table = Table(
        columns: connectionColumns, rows: rows, selectedRow: state.selectedConnection - first)
    grid.table(table, in: rect, selectionStyle: CellStyle(focused ? .selection : .inactiveSelection))
}

private func connectionCells(_ row: ConnectionRow, _ state: AppState, _ glyphs: GlyphSet) -> [TableCell] {
    let dead = row.state == .failed || row.state == .closed
    func cell(_ text: String, _ role: StyleRole = .plain) -> TableCell {
        TableCell(text, dead ? CellStyle(role == .plain ? .muted : role, .dim) : CellStyle(role))
    }
    let stateRole: StyleRole =
        switch row.state {
        case .open: .ok
        case .upgrading, .closing: .pending
        case .failed: .error
        case .closed: .muted
        }
    let stateText = row.state == .failed ? "\(glyphs.failed) failed" : row.state.rawValue
    if row.state == .failed {
        return [
            cell(row.id.rawValue > UInt64.max / 2 ? "-" : row.id.description), cell(row.peer?.shortDescription ?? "-"),
            cell(row.remote), cell(row.direction == .inbound ? "in" : "out"), cell(stateText, .error),
            cell(row.failure ?? "", .error),
        ]
    }
    let liveStreams = row.streams.filter { $0.state != .closed && $0.state != .reset }.count
    return [
        cell(row.id.description), cell(row.peer?.shortDescription ?? "…"), cell(row.remote),
        cell(row.direction.map { $0 == .inbound ? "in" : "out" } ?? "?"), cell(stateText, stateRole),
        cell(row.agent ?? (row.state == .open ? "identifying…" : ""), row.agent?.hasPrefix("peerscope-demo") == true ? .pending : .plain),
        cell(row.state == .upgrading ? "" : "\(liveStreams)"), cell(row.rtt.map(Format.duration) ?? "-"),
        cell(Format.bytes(row.bytesIn)), cell(Format.bytes(row.bytesOut)), cell(Format.age(state.now - row.startedAt)),
        cell(shortProtocol(row.security)), cell(shortProtocol(row.muxer) + (row.earlyMuxer ? "*" : "")),
    ]
}

/// "/noise" → "noise", "/yamux/1.0.0" → "yamux".
private func shortProtocol(_ id: String) -> String {
    id.split(separator: "/").first.map(String.init) ?? id
}

private func renderTimeline(_ grid: inout Grid, _ state: AppState, _ rect: Rect) {
    guard let row = state.selected else {
        grid.put("select a connection", x: rect.x + 1, y: rect.y, style: CellStyle(.muted), maxWidth: rect.width - 1)
        return
    }
    var y = rect.y
    var previous: Duration = .zero
    let steps = row.steps
    let skip = max(0, steps.count + (row.failure != nil && row.state == .failed ? 1 : 0) - rect.height)
    for step in steps.dropFirst(skip) where y < rect.maxY {
        let symbol = step.failed ? grid.glyphs.failed : grid.glyphs.ok
        let role: StyleRole = step.failed ? .error : .ok
        let delta = step.offset - previous
        previous = step.offset
        let timing = "\(Format.duration(step.offset).leftPadded(7)) +\(Format.duration(delta).leftPadded(6))"
        grid.put(
            [Span("\(symbol) ", CellStyle(role)), Span(timing + " ", CellStyle(.muted)), Span(step.label, CellStyle(step.failed ? .error : .plain))],
            x: rect.x, y: y, maxWidth: rect.width)
        y += 1
        if step.failed, let reason = step.reason, y < rect.maxY {
            grid.put("  " + reason, x: rect.x, y: y, style: CellStyle(.error), maxWidth: rect.width)
            y += 1
        }
    }
    if steps.isEmpty {
        grid.put("no upgrade steps seen (connection predates the UI)", x: rect.x, y: y, style: CellStyle(.muted), maxWidth: rect.width)
    }
}

private let streamLeadingColumns = [
    TableColumn("ID", width: .fixed(5), alignment: .right),
    TableColumn("DIR", width: .fixed(3)),
    TableColumn("PROTOCOL", width: .flexible(minimum: 14)),
    TableColumn("STATE", width: .fixed(19)),
]
private let streamTrailingColumns = [
    TableColumn("IN", width: .fixed(6), alignment: .right),
    TableColumn("OUT", width: .fixed(6), alignment: .right),
    TableColumn("AGE", width: .fixed(6), alignment: .right),
    TableColumn("FLAG", width: .flexible(minimum: 8)),
]
/// A muxer with flow control shows both windows; one without (mplex) shows what sits unread in its
/// receive buffer instead, the figure that grows when a reader falls behind.
private let windowColumns = [
    TableColumn("SENDWIN", width: .fixed(7), alignment: .right),
    TableColumn("RECVWIN", width: .fixed(7), alignment: .right),
]
private let bufferedColumns = [TableColumn("BUFFERED", width: .fixed(15), alignment: .right)]

private func renderStreams(_ grid: inout Grid, _ state: AppState, _ rect: Rect, focused: Bool) {
    guard let row = state.selected else { return }
    guard !row.streams.isEmpty else {
        grid.put("no streams on \(row.id)", x: rect.x + 1, y: rect.y, style: CellStyle(.muted), maxWidth: rect.width - 1)
        return
    }
    let windows = row.streams.contains(where: \.hasWindows)
    let rows: [[TableCell]] = row.streams.map { stream in
        let role: StyleRole =
            switch stream.state {
            case .open: .ok
            case .reset: .error
            case .closed: .muted
            default: .pending
            }
        var flag = TableCell("")
        if let since = stream.blockedSince {
            flag = TableCell("⚠ blocked \(Format.age(state.now - since))", CellStyle(.warn))
        }
        let flow: [TableCell] =
            windows
            ? [TableCell(stream.sendWindow.map { Format.bytes(UInt64($0)) } ?? "—",
                         CellStyle(stream.sendWindow == 0 ? .warn : .plain)),
               TableCell(stream.receiveWindow.map { Format.bytes(UInt64($0)) } ?? "—")]
            : [TableCell(stream.bufferedBytes.map { Format.bytes(UInt64($0)) } ?? "—")]
        return [
            TableCell("\(stream.id)"), TableCell(stream.direction == .inbound ? "in" : "out"),
            TableCell(stream.protocolID ?? (stream.state == .closed || stream.state == .reset ? "-" : "(negotiating)")), TableCell(stream.state.description, CellStyle(role)),
        ] + flow + [
            TableCell(Format.bytes(stream.bytesIn)), TableCell(Format.bytes(stream.bytesOut)), TableCell(Format.age(stream.age)), flag,
        ]
    }
    let selected = focused ? min(state.selectedStream, rows.count - 1) : nil
    let columns = streamLeadingColumns + (windows ? windowColumns : bufferedColumns) + streamTrailingColumns
    grid.table(Table(columns: columns, rows: rows, selectedRow: selected), in: rect)
}

private func renderStreamView(_ grid: inout Grid, _ state: AppState, _ rect: Rect) {
    guard let stream = state.stream else { return }
    let lines = stream.transcript.suffix(max(0, rect.height))
    for (offset, line) in lines.enumerated() {
        let role: StyleRole = line.hasPrefix("←") ? .ok : line.hasPrefix("→") ? .plain : .muted
        grid.put(line, x: rect.x, y: rect.y + offset, style: CellStyle(role), maxWidth: rect.width)
    }
}

private func renderEvents(_ grid: inout Grid, _ state: AppState, _ rect: Rect) {
    let lines = state.log.matching(state.filter)
    let end = max(0, lines.count - state.logScroll)
    let start = max(0, end - rect.height)
    for (offset, line) in lines[start..<end].enumerated() {
        let role: StyleRole =
            switch line.level {
            case .error: .error
            case .warn: .warn
            case .info: .plain
            case .debug: .muted
            }
        let stamp = Format.seconds(line.time)
        let time = "\(Int(stamp) / 60 < 10 ? "0" : "")\(Int(stamp) / 60):\(Int(stamp) % 60 < 10 ? "0" : "")\(Int(stamp) % 60)"
        grid.put(
            [Span(time + " ", CellStyle(.muted)), Span(line.level.rawValue.uppercased().padded(5) + " ", CellStyle(role)), Span(line.text, CellStyle(role == .muted ? .plain : role))],
            x: rect.x, y: rect.y + offset, maxWidth: rect.width)
    }
}

private func renderCommandLine(_ grid: inout Grid, _ state: AppState, _ rect: Rect) {
    switch state.mode {
    case .command:
        grid.put(":", x: rect.x, y: rect.y, style: CellStyle(.prompt))
        grid.put(state.commandLine.viewport(width: rect.width - 2).text, x: rect.x + 1, y: rect.y, maxWidth: rect.width - 1)
    case .filter:
        grid.put("/", x: rect.x, y: rect.y, style: CellStyle(.prompt))
        grid.put(state.filterLine.viewport(width: rect.width - 2).text, x: rect.x + 1, y: rect.y, maxWidth: rect.width - 1)
    case .stream:
        grid.put("send>", x: rect.x, y: rect.y, style: CellStyle(.prompt))
        grid.put(state.streamInput.viewport(width: rect.width - 7).text, x: rect.x + 6, y: rect.y, maxWidth: rect.width - 6)
    case .normal, .help:
        if let message = state.message {
            grid.put(message.text, x: rect.x, y: rect.y, style: CellStyle(message.isError ? .error : .plain), maxWidth: rect.width)
        }
    }
}

private func renderHints(_ grid: inout Grid, _ state: AppState, _ rect: Rect) {
    let hints: [(String, String)] =
        switch state.mode {
        case .stream: [("Enter", "send"), ("C-d", "close-write"), ("C-r", "reset"), (":", "cmd"), ("Esc", "back")]
        case .command: [("Enter", "run"), ("Tab", "complete"), ("↑↓", "history"), ("Esc", "cancel")]
        case .filter: [("Enter", "keep filter"), ("Esc", "clear filter")]
        case .help: [("any key", "close help")]
        case .normal:
            [("q", "quit"), ("?", "help"), ("Tab", "pane"), ("j/k", "move"), ("Enter", "open"), ("t", "tab"), ("/", "filter"), (":", "cmd")]
        }
    var x = rect.x
    for (key, text) in hints where x < rect.maxX {
        x += grid.put(key, x: x, y: rect.y, style: CellStyle(.hintKey), maxWidth: rect.maxX - x)
        x += grid.put(" \(text)  ", x: x, y: rect.y, style: CellStyle(.hintText), maxWidth: rect.maxX - x)
    }
}

private let helpLines: [(String, String)] = [
    ("q", "quit"), ("?", "this help"), ("Tab / S-Tab", "next / previous pane"), ("j k ↑ ↓", "move selection, scroll events"),
    ("Enter", "drill into the selected connection"), ("Esc", "back, clear message"), ("t", "switch streams / upgrade tab"),
    ("/", "filter the event log"), (":", "command line (Tab completes, ↑↓ history)"), ("", ""),
    ("dial ADDR", "connect (e.g. /ip4/127.0.0.1/tcp/4001)"), ("diagnose ADDR", "dial and show the upgrade timeline"),
    ("ping [N]", "ping the selected connection"), ("identify", "identify the selected peer"),
    ("open PROTOCOL", "open a stream (try /echo/1.0.0)"), ("send TEXT", "send a line on the stream"),
    ("close / reset", "close-write / reset the stream"), ("hangup", "close the selected connection"),
    ("listen ADDR", "listen on another address"), ("perf [UP] [DOWN]", "run /perf/1.0.0"),
    ("clear", "forget failed and closed rows"), ("quit", "leave"),
]

private func renderHelp(_ grid: inout Grid, _ state: AppState) {
    let width = min(grid.width - 4, 64)
    let height = min(grid.height - 2, helpLines.count + 2)
    let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
    grid.fill(rect)
    let inner = grid.box(rect, title: "Help", focused: true)
    for (offset, line) in helpLines.prefix(inner.height).enumerated() {
        grid.put(line.0, x: inner.x + 1, y: inner.y + offset, style: CellStyle(.hintKey), maxWidth: 18)
        grid.put(line.1, x: inner.x + 19, y: inner.y + offset, maxWidth: inner.width - 20)
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
