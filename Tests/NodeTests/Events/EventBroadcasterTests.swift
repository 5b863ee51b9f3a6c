import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

@Suite struct EventBroadcasterTests {
    @Test func everySubscriberGetsEveryEventInOrder() async {
        let broadcaster = EventBroadcaster<Int>()
        let first = broadcaster.subscribe(bufferLimit: 16)
        let second = broadcaster.subscribe(bufferLimit: 16)
        for value in 1...5 { broadcaster.publish(value) }
        broadcaster.finish()

        var firstValues: [Int] = []
        for await record in first { firstValues.append(record.event) }
        var secondSequences: [UInt64] = []
        for await record in second { secondSequences.append(record.sequence) }
        #expect(firstValues == [1, 2, 3, 4, 5])
        #expect(secondSequences == [1, 2, 3, 4, 5])
    }

    @Test func aStalledSubscriberLosesEventsButIsToldHowMany() async {
        let broadcaster = EventBroadcaster<Int>()
        let stalled = broadcaster.subscribe(bufferLimit: 3)
        let healthy = broadcaster.subscribe(bufferLimit: 1000)

        // Nobody reads `stalled` while 100 events go out: publishing must not wait for it.
        for value in 1...100 { broadcaster.publish(value) }

        var iterator = stalled.makeAsyncIterator()
        let received = [await iterator.next(), await iterator.next(), await iterator.next()].compactMap { $0 }
        #expect(received.map(\.event) == [1, 2, 3])

        broadcaster.publish(101)
        let afterGap = await iterator.next()
        #expect(afterGap?.event == 101)
        #expect(afterGap?.droppedBefore == 97)
        #expect(afterGap?.sequence == 101)

        broadcaster.finish()
        var healthyCount = 0
        for await record in healthy {
            #expect(record.droppedBefore == 0)
            healthyCount += 1
        }
        #expect(healthyCount == 101)
    }

    @Test func aCancelledSubscriptionIsForgotten() async {
        let broadcaster = EventBroadcaster<Int>()
        let task = Task {
            for await _ in broadcaster.subscribe(bufferLimit: 4) {}
        }
        while broadcaster.subscriberCount == 0 { await Task.yield() }
        task.cancel()
        await task.value
        broadcaster.publish(1)
        #expect(broadcaster.subscriberCount == 0)
    }
}
