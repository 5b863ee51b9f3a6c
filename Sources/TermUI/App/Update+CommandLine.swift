import Node

/// The command line's vocabulary, in the order help lists it.
public let commandNames = [
    "dial", "diagnose", "ping", "identify", "open", "send", "close", "reset", "hangup", "listen", "perf", "clear",
    "quit",
]

func runCommandLine(_ state: inout AppState, _ line: String) -> [AppCommand] {
    let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    guard let name = words.first else { return [] }
    let arguments = Array(words.dropFirst())
    state.message = nil
    switch name {
    case "quit", "q":
        state.shouldQuit = true
        return [.quit]
    case "clear":
        let selectedID = state.selected?.id
        state.connections.removeAll { $0.state == .failed || $0.state == .closed }
        restoreSelection(&state, selectedID)
        return []
    case "dial", "diagnose", "listen":
        guard arguments.count == 1 else { return refuse(&state, "usage: \(name) ADDR (e.g. /ip4/127.0.0.1/tcp/4001)") }
        let address: Multiaddr
        do {
            address = try Multiaddr(arguments[0])
        } catch {
            return refuse(&state, "bad multiaddr \(arguments[0]): \(error)")
        }
        if name == "listen" { return [.listen(address)] }
        if name == "diagnose" {
            state.tab = .timeline
            state.focus = .timeline
        }
        state.selectNextDial = true
        state.message = ("dialing \(address)…", false)
        return [.dial(address)]
    case "ping":
        guard let id = openConnection(&state) else { return [] }
        var count = 3
        if let text = arguments.first {
            guard let n = Int(text), n > 0, n <= 1000 else { return refuse(&state, "ping: count must be 1…1000, not \(text)") }
            count = n
        }
        return [.ping(id, count: count)]
    case "identify":
        guard let id = openConnection(&state) else { return [] }
        return [.identify(id)]
    case "open":
        guard arguments.count == 1, arguments[0].hasPrefix("/") else { return refuse(&state, "usage: open PROTOCOL (e.g. open /echo/1.0.0)") }
        guard let id = openConnection(&state) else { return [] }
        return [.openStream(id, protocolID: arguments[0])]
    case "send":
        guard !arguments.isEmpty else { return refuse(&state, "usage: send TEXT") }
        let text = String(line.drop { $0 == " " }.dropFirst(name.count).drop { $0 == " " })
        return streamCommand(&state, .send(text))
    case "close":
        return streamCommand(&state, .closeWrite)
    case "reset":
        return streamCommand(&state, .reset)
    case "hangup":
        guard let row = state.selected, row.state == .open || row.state == .closing || row.state == .upgrading else {
            return refuse(&state, "hangup: select an open connection first")
        }
        return [.hangup(row.id)]
    case "perf":
        guard let id = openConnection(&state) else { return [] }
        let sizes = arguments.map { UInt64($0) }
        guard sizes.count <= 2, sizes.allSatisfy({ $0 != nil }) else { return refuse(&state, "usage: perf [UPLOAD_BYTES] [DOWNLOAD_BYTES]") }
        let upload = sizes.first.flatMap { $0 } ?? 1 << 20
        let download = sizes.dropFirst().first.flatMap { $0 } ?? 1 << 20
        return [.perf(id, upload: upload, download: download)]
    default:
        return refuse(&state, "unknown command \"\(name)\": try \(commandNames.joined(separator: ", "))")
    }
}

private func openConnection(_ state: inout AppState) -> ConnectionID? {
    guard let row = state.selected, row.state == .open else {
        _ = refuse(&state, "select an open connection first (j/k in Connections)")
        return nil
    }
    return row.id
}

/// Tab completion: command names first, then protocols, addresses and peer IDs the UI has seen.
func completions(_ state: AppState, _ request: CompletionRequest) -> [String] {
    let before = request.lineBeforeWord.trimmingPrefixSpaces
    if before.isEmpty { return commandNames }
    let command = before.split(separator: " ").first.map(String.init) ?? ""
    switch command {
    case "open":
        return ["/echo/1.0.0", "/ipfs/ping/1.0.0", "/ipfs/id/1.0.0", "/perf/1.0.0"]
    case "dial", "diagnose", "listen":
        var candidates = state.listenAddresses.map(\.description)
        for row in state.connections where row.remote != "?" {
            candidates.append(row.remote)
            if let peer = row.peer { candidates.append("\(row.remote)/p2p/\(peer.base58)") }
        }
        if command == "listen" { candidates += ["/ip4/127.0.0.1/tcp/0", "/ip4/0.0.0.0/tcp/4001"] }
        return Array(Set(candidates)).sorted()
    default:
        return []
    }
}

extension String {
    var trimmingPrefixSpaces: String { String(drop { $0 == " " }) }
}
