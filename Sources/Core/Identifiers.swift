import Atomics

/// Identifies one connection for its whole life, also across events, snapshots and the UI.
/// Numbers are unique per process and never reused.
public struct ConnectionID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let counter = ManagedAtomic<UInt64>(0)
    public static func next() -> ConnectionID {
        ConnectionID(rawValue: counter.wrappingIncrementThenLoad(ordering: .relaxed))
    }
}

/// Identifies one dial request (which may try several addresses).
public struct DialID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "d\(rawValue)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let counter = ManagedAtomic<UInt64>(0)
    public static func next() -> DialID {
        DialID(rawValue: counter.wrappingIncrementThenLoad(ordering: .relaxed))
    }
}
