import Node

/// Everything that can change the UI's state, funnelled through one `update`.
public enum AppEvent: Sendable {
    case key(Key)
    case resize(TerminalSize)
    case node(EventRecord<NodeEvent>)
    case snapshot(HostSnapshot)
    /// The clock moved; ages and rates are computed against it.
    case tick(ContinuousClock.Instant)
    case commandResult(CommandResult)
    /// Events the forwarding channel had to drop because the UI fell behind.
    case forwardingDropped(Int)
}

/// What an effect reported back.
public enum CommandResult: Sendable, Hashable {
    case info(String)
    case error(String)
    case streamOpened(ConnectionID, protocolID: String)
    case streamReceived(String)
    case streamEnded(String)
}

/// Effects `update` asks the program to run; the only way the UI acts on the node.
public enum AppCommand: Sendable, Hashable {
    case quit
    case dial(Multiaddr)
    case listen(Multiaddr)
    case ping(ConnectionID, count: Int)
    case identify(ConnectionID)
    case openStream(ConnectionID, protocolID: String)
    case send(String)
    case closeWrite
    case reset
    case hangup(ConnectionID)
    case perf(ConnectionID, upload: UInt64, download: UInt64)
}
