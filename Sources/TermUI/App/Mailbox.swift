import Foundation

/// The bounded hand-over from the node's tasks to the UI thread. Posting never blocks: node events
/// past `limit` are dropped and counted, so a slow terminal cannot slow the node.
final class Mailbox: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var events: [AppEvent] = []
    private var dropped = 0

    init(limit: Int) { self.limit = limit }

    /// Node events may be dropped when full; everything else (results, snapshots) always gets in.
    func post(_ event: AppEvent, droppable: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        if droppable && events.count >= limit {
            dropped += 1
        } else {
            events.append(event)
        }
    }

    /// Everything waiting, with a `.forwardingDropped` first when something was lost.
    func drain() -> [AppEvent] {
        lock.lock()
        defer { lock.unlock() }
        var taken = events
        events = []
        if dropped > 0 {
            taken.insert(.forwardingDropped(dropped), at: 0)
            dropped = 0
        }
        return taken
    }
}
