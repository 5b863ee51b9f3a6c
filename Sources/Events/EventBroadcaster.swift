import NIOConcurrencyHelpers

/// One event as a subscriber receives it.
public struct EventRecord<Event: Sendable>: Sendable {
    /// Position in the node-wide sequence; gaps show where this subscriber lost events.
    public let sequence: UInt64
    public let time: ContinuousClock.Instant
    public let event: Event
    /// How many events this subscriber lost (its buffer was full) just before this one.
    public let droppedBefore: Int
}

/// Fans events out to any number of subscribers without ever waiting for one.
///
/// Each subscriber gets an `AsyncStream` with a bounded buffer. When a subscriber falls behind, new
/// events for it are dropped and counted, and the count rides on the next event it does receive, so
/// a slow UI shows "N events dropped" instead of slowing the node down.
public final class EventBroadcaster<Event: Sendable>: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<EventRecord<Event>>.Continuation
        var dropped: Int = 0
        var totalDropped: Int = 0
    }

    private struct State {
        var nextSubscriberID: UInt64 = 0
        var sequence: UInt64 = 0
        var subscribers: [UInt64: Subscriber] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let clock = ContinuousClock()

    public init() {}

    /// A new subscription holding at most `bufferLimit` undelivered events.
    public func subscribe(bufferLimit: Int = 4096) -> AsyncStream<EventRecord<Event>> {
        precondition(bufferLimit > 0, "a subscription needs room for at least one event")
        let (stream, continuation) = AsyncStream<EventRecord<Event>>.makeStream(
            bufferingPolicy: .bufferingOldest(bufferLimit))
        let id = state.withLockedValue { state in
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = Subscriber(continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public var subscriberCount: Int { state.withLockedValue { $0.subscribers.count } }

    /// Delivers `event` to every subscriber that has room; never blocks.
    public func publish(_ event: Event) {
        let now = clock.now
        state.withLockedValue { state in
            state.sequence += 1
            let sequence = state.sequence
            for (id, var subscriber) in state.subscribers {
                let record = EventRecord(
                    sequence: sequence, time: now, event: event, droppedBefore: subscriber.dropped)
                switch subscriber.continuation.yield(record) {
                case .enqueued:
                    subscriber.dropped = 0
                case .dropped:
                    subscriber.dropped += 1
                    subscriber.totalDropped += 1
                case .terminated:
                    state.subscribers.removeValue(forKey: id)
                    continue
                @unknown default:
                    break
                }
                state.subscribers[id] = subscriber
            }
        }
    }

    /// Ends every subscription (their `for await` loops finish).
    public func finish() {
        let subscribers = state.withLockedValue { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }
}
