import NIOCore

/// Receive-side flow control of one stream: how much the peer may still send, how much the application has
/// not read yet, and the auto-tuned target (yamux spec §4, go-yamux receiver policy).
///
/// Invariant: `buffered + credit <= target`. Data moves bytes from `credit` to `buffered`, the application
/// reading them removes them from `buffered`, and a window update tops `credit` up to the target again.
///
/// Stored properties are declared widest first (declaration order is layout order): the three counters then
/// fill the 8-byte slot after `epochStart` instead of leaving padding in every stream's record.
struct YamuxReceiveWindow: Hashable, Sendable {
    /// When the last update was sent (or the stream was created): auto-tuning compares its age with the RTT.
    private(set) var epochStart: NIODeadline
    /// The window we aim to keep granted; starts at the configured initial window and only grows.
    private(set) var target: UInt32
    /// Bytes the peer may still send before it must wait for an update.
    private(set) var credit: UInt32
    /// Bytes received (or announced by a Data header being read) that the application has not consumed.
    private(set) var buffered: UInt32

    init(target: UInt32, now: NIODeadline) {
        self.target = target
        self.credit = YamuxConfiguration.protocolInitialWindow
        self.buffered = 0
        self.epochStart = now
    }

    /// Accounts for a Data frame of `length` bytes; false if it does not fit the remaining credit.
    mutating func receive(_ length: UInt32) -> Bool {
        guard length <= credit else { return false }
        credit -= length
        buffered += length
        return true
    }

    /// The application has read `count` bytes.
    mutating func consume(_ count: UInt32) {
        precondition(count <= buffered, "consumed \(count) bytes but only \(buffered) were delivered")
        buffered -= count
    }

    /// What an update would grant now, without auto-tuning.
    var pendingDelta: UInt32 { target - (buffered + credit) }

    /// Decides whether to send a window update and for how much.
    ///
    /// An update goes out when it restores at least half the target, or always when `force` is set (a SYN or
    /// ACK flag must be sent anyway). If the previous update was less than 4 × RTT ago, the reader keeps up
    /// with the link and the window is the bottleneck: the target doubles, bounded by `maxWindow` and by the
    /// session's remaining `growthAllowance` (go-yamux `sendWindowUpdate`).
    /// - Returns: the delta to send and by how much the target grew, or nil when no update is due.
    mutating func grant(
        now: NIODeadline, rtt: TimeAmount?, force: Bool, maxWindow: UInt32, growthAllowance: UInt64
    ) -> (delta: UInt32, growth: UInt32)? {
        guard force || pendingDelta >= target / 2 else { return nil }
        var growth: UInt32 = 0
        if !force, let rtt, rtt > .zero, now - epochStart < rtt * 4 {
            let doubled = target > UInt32.max / 2 ? UInt32.max : target * 2
            let newTarget = min(doubled, maxWindow)
            if newTarget > target, UInt64(newTarget - target) <= growthAllowance {
                growth = newTarget - target
                target = newTarget
            }
        }
        let delta = pendingDelta
        credit += delta
        epochStart = now
        return (delta, growth)
    }
}
