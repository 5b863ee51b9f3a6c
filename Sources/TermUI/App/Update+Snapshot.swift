import Node

func applySnapshot(_ state: inout AppState, _ snapshot: HostSnapshot) {
    let time = snapshot.takenAt
    state.localPeer = snapshot.peerID
    state.listenAddresses = snapshot.listenAddresses
    var totalIn: UInt64 = 0
    var totalOut: UInt64 = 0
    for connection in snapshot.connections {
        totalIn &+= connection.bytesIn
        totalOut &+= connection.bytesOut
        let index: Int
        if let found = state.index(of: connection.id) {
            index = found
        } else {
            index = state.insert(
                ConnectionRow(
                    id: connection.id, remote: connection.remoteAddress?.description ?? "?", direction: connection.direction,
                    state: .open, startedAt: time - connection.age))
        }
        var row = state.connections[index]
        row.peer = connection.peer
        row.direction = connection.direction
        if row.state == .upgrading || row.state == .open { row.state = connection.closing ? .closing : .open }
        row.security = connection.security
        row.muxer = connection.muxer
        row.earlyMuxer = connection.earlyMuxerNegotiation
        row.rtt = connection.rtt ?? row.rtt
        row.agent = connection.agentVersion ?? row.agent
        row.bytesIn = connection.bytesIn
        row.bytesOut = connection.bytesOut
        row.startedAt = time - connection.age
        let previous = Dictionary(row.streams.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        row.streams = (connection.streams + connection.recentlyClosedStreams).map { stream in
            let blockedSince: ContinuousClock.Instant? =
                stream.sendWindow == 0 && stream.state != .reset && stream.state != .closed
                ? (previous[stream.id]?.blockedSince ?? time) : nil
            return StreamRow(
                id: stream.id, direction: stream.direction, protocolID: stream.protocolID, state: stream.state,
                sendWindow: stream.sendWindow, receiveWindow: stream.receiveWindow, bufferedBytes: stream.bufferedBytes,
                bytesIn: stream.bytesIn,
                bytesOut: stream.bytesOut, age: stream.age, blockedSince: blockedSince)
        }
        state.connections[index] = row
    }
    // Rows the node no longer reports as open are gone, unless the UI knows why (failed, closed).
    let live = Set(snapshot.connections.map(\.id)).union(snapshot.upgrading.map(\.id))
    let selectedID = state.selected?.id
    for index in state.connections.indices where !live.contains(state.connections[index].id) {
        if state.connections[index].state == .open || state.connections[index].state == .closing {
            state.connections[index].state = .closed
            state.connections[index].closedAt = state.connections[index].closedAt ?? time
        }
    }
    restoreSelection(&state, selectedID)
    if let last = state.lastSnapshotAt, time > last {
        let seconds = Format.seconds(time - last)
        state.rates.inPerSecond = Double(totalIn &- min(totalIn, state.rates.totalIn)) / seconds
        state.rates.outPerSecond = Double(totalOut &- min(totalOut, state.rates.totalOut)) / seconds
    }
    state.rates.totalIn = totalIn
    state.rates.totalOut = totalOut
    state.lastSnapshotAt = time
    state.now = max(state.now, time)
}
