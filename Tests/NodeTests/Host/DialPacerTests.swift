@testable import Node
import Testing

@Suite("Dial pacer")
struct DialPacerTests {
    @Test("an attempt planned a minute out starts as soon as every earlier one has failed", .timeLimit(.minutes(1)))
    func startsEarlyWhenEverythingBeforeFailed() async {
        let pacer = DialPacer()
        #expect(await pacer.waitForTurn(0, delay: .zero))
        async let second = pacer.waitForTurn(1, delay: .seconds(120))
        async let third = pacer.waitForTurn(2, delay: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        pacer.attemptFailed(0)
        #expect(await second)
        pacer.attemptFailed(1)
        #expect(await third)
    }

    @Test("an attempt does not start early while an earlier one is still running", .timeLimit(.minutes(1)))
    func waitsWhileEarlierRuns() async {
        let pacer = DialPacer()
        #expect(await pacer.waitForTurn(0, delay: .zero))
        #expect(await pacer.waitForTurn(1, delay: .zero))
        async let third = pacer.waitForTurn(2, delay: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        pacer.attemptFailed(1)
        // Attempt 0 is still running: a win there cancels attempt 2 instead of starting it.
        try? await Task.sleep(for: .milliseconds(50))
        pacer.cancelAll()
        #expect(await third == false)
    }

    @Test("without failures the planned delay holds")
    func delayHolds() async {
        let pacer = DialPacer()
        #expect(await pacer.waitForTurn(0, delay: .zero))
        #expect(await pacer.waitForTurn(1, delay: .milliseconds(20)))
    }
}
