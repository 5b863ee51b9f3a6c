import Node

/// The whole UI state: built only from `AppEvent`s, drawn by `render`.
public struct AppState: Sendable {
    public enum Mode: Sendable, Hashable {
        case normal
        case command
        case filter
        case help
        case stream
    }

    public static let logLimit = 1000
    public static let transcriptLimit = 200

    public var size: TerminalSize
    public var now: ContinuousClock.Instant
    /// Log times count from here.
    public let startedAt: ContinuousClock.Instant
    public var localPeer: PeerID?
    public var listenAddresses: [Multiaddr] = []
    /// Rows of the connections table, oldest first.
    public var connections: [ConnectionRow] = []
    public var focus: PaneID = .connections
    /// Which tab shows in the streams/timeline slot when they share it.
    public var tab: PaneID = .streams
    public var selectedConnection = 0
    public var selectedStream = 0
    public var mode: Mode = .normal
    /// Where the command line returns to when it is done.
    public var modeBeforeCommand: Mode = .normal
    public var commandLine = LineEditor()
    public var filterLine = LineEditor()
    public var filter = ""
    /// One line under the prompt: what the last command did or why it was refused.
    public var message: (text: String, isError: Bool)?
    public var log = EventLog(limit: AppState.logLimit)
    /// Lines scrolled up from the newest in the event log.
    public var logScroll = 0
    public var droppedEvents = 0
    public var stream: StreamSession?
    public var streamInput = LineEditor()
    public var rates = Rates()
    public var lastSnapshotAt: ContinuousClock.Instant?
    public var shouldQuit = false
    /// Set by `dial`/`diagnose`: the next dial attempt's row gets selected, so its timeline shows.
    public var selectNextDial = false
    /// DNS hops of dials still in progress, shown as the first steps of each attempt they led to.
    public var dialResolutions: [DialID: [TimelineStep]] = [:]

    public init(size: TerminalSize, now: ContinuousClock.Instant) {
        self.size = size
        self.now = now
        self.startedAt = now
    }

    public var selected: ConnectionRow? {
        connections.indices.contains(selectedConnection) ? connections[selectedConnection] : nil
    }

    /// Rows stay sorted by ID, so lookups are a binary search even with 10,000 connections.
    func index(of id: ConnectionID) -> Int? {
        let slot = insertionIndex(of: id)
        return slot < connections.count && connections[slot].id == id ? slot : nil
    }

    func insertionIndex(of id: ConnectionID) -> Int {
        var low = 0
        var high = connections.count
        while low < high {
            let middle = (low + high) / 2
            if connections[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Adds `row` in ID order, keeping the selection on the row it was on; returns the row's index.
    @discardableResult
    mutating func insert(_ row: ConnectionRow) -> Int {
        let slot = insertionIndex(of: row.id)
        connections.insert(row, at: slot)
        if slot <= selectedConnection, connections.count > 1 { selectedConnection += 1 }
        return slot
    }

    /// Failed dials stay until `clear`, but no more than this many: a dial storm cannot grow the table without bound.
    public static let failedRowLimit = 256
    /// Dials whose DNS hops are kept until they end (a dial that never ends cannot grow the state).
    public static let pendingResolutionLimit = 64
    /// DNS hops kept per dial (the resolver's own question limit is 16).
    public static let resolutionStepLimit = 16
}

public enum ConnectionState: String, Sendable, Hashable {
    case upgrading, open, closing, closed, failed
}

/// One step of a connection's upgrade as the timeline shows it.
public struct TimelineStep: Sendable, Hashable {
    public var label: String
    public var offset: Duration
    public var failed: Bool
    public var reason: String?
}

/// One connection (or failed dial) as the UI knows it.
public struct ConnectionRow: Sendable, Hashable {
    public var id: ConnectionID
    public var peer: PeerID?
    public var remote: String
    public var direction: ConnectionDirection?
    public var state: ConnectionState
    public var security = ""
    public var muxer = ""
    public var earlyMuxer = false
    public var rtt: Duration?
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var startedAt: ContinuousClock.Instant
    public var agent: String?
    public var steps: [TimelineStep] = []
    public var failure: String?
    public var streams: [StreamRow] = []
    public var closedAt: ContinuousClock.Instant?
}

/// One stream from the latest snapshot. Windows are nil for muxers that have none.
public struct StreamRow: Sendable, Hashable {
    /// Whether the stream's muxer has flow-control windows (yamux, QUIC) or not (mplex).
    public var hasWindows: Bool { sendWindow != nil || receiveWindow != nil }

    public var id: UInt64
    public var direction: ConnectionDirection
    public var protocolID: String?
    public var state: MuxedStreamState
    public var sendWindow: UInt32?
    public var receiveWindow: UInt32?
    /// Received bytes the application has not read yet (what a windowless muxer such as mplex shows).
    public var bufferedBytes: UInt32?
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var age: Duration
    /// When the send window was first seen at zero, while it stays there.
    public var blockedSince: ContinuousClock.Instant?
}

/// The stream opened from the stream view and what passed over it.
public struct StreamSession: Sendable, Hashable {
    public var connection: ConnectionID
    public var protocolID: String
    public var open: Bool
    public var transcript: [String] = []

    mutating func append(_ line: String) {
        transcript.append(line)
        if transcript.count > AppState.transcriptLimit { transcript.removeFirst(transcript.count - AppState.transcriptLimit) }
    }
}

/// Byte rates from the difference of two snapshots.
public struct Rates: Sendable, Hashable {
    public var totalIn: UInt64 = 0
    public var totalOut: UInt64 = 0
    public var inPerSecond: Double = 0
    public var outPerSecond: Double = 0
}
