public enum LogLevel: String, Sendable, Hashable {
    case debug, info, warn, error
}

public struct LogLine: Sendable, Hashable {
    public var time: Duration
    public var level: LogLevel
    public var text: String
}

/// The event log: a ring buffer that forgets its oldest lines past `limit`.
public struct EventLog: Sendable {
    public let limit: Int
    private var storage: [LogLine] = []
    private var start = 0
    public private(set) var forgotten = 0

    public init(limit: Int) { self.limit = max(1, limit) }

    public var count: Int { storage.count }

    public mutating func append(_ line: LogLine) {
        if storage.count < limit {
            storage.append(line)
        } else {
            storage[start] = line
            start = (start + 1) % limit
            forgotten += 1
        }
    }

    /// Oldest first.
    public var lines: [LogLine] { Array(storage[start...] + storage[..<start]) }

    public func matching(_ filter: String) -> [LogLine] {
        guard !filter.isEmpty else { return lines }
        let needle = filter.lowercased()
        return lines.filter { $0.text.lowercased().contains(needle) }
    }
}
