import Foundation
import NIOConcurrencyHelpers

/// Sequence numbers for our own peer records: Unix time in nanoseconds, like go and py, but never equal
/// to or below the previous one handed out in this process (two records created within the clock's
/// resolution, or a wall clock stepped backwards, must still be ordered).
public final class PeerRecordSequence: Sendable {
    public static let shared = PeerRecordSequence()

    private let last = NIOLockedValueBox<UInt64>(0)

    public init() {}

    /// The next number, taking the current wall-clock time.
    public func next() -> UInt64 {
        next(unixNanoseconds: Self.unixNanosecondsNow())
    }

    /// The next number given the current time; strictly greater than every earlier result.
    public func next(unixNanoseconds now: UInt64) -> UInt64 {
        last.withLockedValue { last in
            last = max(now, last &+ 1)
            return last
        }
    }

    static func unixNanosecondsNow() -> UInt64 {
        let seconds = Date().timeIntervalSince1970
        guard seconds > 0 else { return 0 }
        return UInt64(seconds * 1_000_000_000)
    }
}
