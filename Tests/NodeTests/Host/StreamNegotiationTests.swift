import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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

/// multistream-select on streams (`StreamNegotiation`, `NegotiatedStream`) over the in-memory pipe,
/// and the event-loop deadline that bounds it.
@Suite(.timeLimit(.minutes(1))) struct StreamNegotiationTests {
    private static func bytes(_ buffer: ByteBuffer?) -> [UInt8] {
        buffer.map { Array($0.readableBytesView) } ?? []
    }

    private static func readAll(_ stream: some MuxedStream, count: Int) async throws -> [UInt8] {
        var collected: [UInt8] = []
        while collected.count < count, let chunk = try await stream.read() {
            collected += chunk.readableBytesView
        }
        return collected
    }

    @Test(arguments: [nil, 1] as [Int?])
    func dialerFallsBackToTheSecondProposalAndPipelinedBytesSurvive(chunkSize: Int?) async throws {
        let pair = MemoryStreamPair(chunkSize: chunkSize)
        async let accepted = StreamNegotiation.accept(on: pair.listener) { $0 == "/b/1.0.0" }
        let (chosen, dialerStream) = try await StreamNegotiation.select(on: pair.dialer, protocols: ["/a/1.0.0", "/b/1.0.0"])
        #expect(chosen == "/b/1.0.0")
        try await dialerStream.write(ByteBuffer(string: "request"))
        let (listenerChose, listenerStream) = try await accepted
        #expect(listenerChose == "/b/1.0.0")
        #expect(try await Self.readAll(listenerStream, count: 7) == Array("request".utf8))
    }

    @Test func bytesBehindTheProposalComeFirstFromTheNegotiatedStream() async throws {
        let pair = MemoryStreamPair()
        // Header, proposal and the first request in one write, as a lazy dialer sends them.
        var first = MultistreamMessage.encode(MultistreamMessage.header, "/x/1.0.0")
        first.writeString("hello")
        try await pair.dialer.write(first)
        let (chosen, stream) = try await StreamNegotiation.accept(on: pair.listener) { $0 == "/x/1.0.0" }
        #expect(chosen == "/x/1.0.0")
        #expect(Self.bytes(try await stream.read()) == Array("hello".utf8))
        try await pair.dialer.write(ByteBuffer(string: "!"))
        #expect(Self.bytes(try await stream.read()) == Array("!".utf8))
    }

    @Test(arguments: [nil, 1] as [Int?])
    func lazySelectionChecksTheAnswerOnTheFirstRead(chunkSize: Int?) async throws {
        let pair = MemoryStreamPair(chunkSize: chunkSize)
        let (chosen, dialerStream) = try await StreamNegotiation.select(on: pair.dialer, protocols: ["/x/1.0.0"])
        #expect(chosen == "/x/1.0.0")
        // Returned before the listener said anything: data may follow at once.
        try await dialerStream.write(ByteBuffer(string: "ping"))
        let (_, listenerStream) = try await StreamNegotiation.accept(on: pair.listener) { _ in true }
        #expect(try await Self.readAll(listenerStream, count: 4) == Array("ping".utf8))
        try await listenerStream.write(ByteBuffer(string: "pong"))
        #expect(try await Self.readAll(dialerStream, count: 4) == Array("pong".utf8))
    }

    @Test func lazySelectionRefusedByTheListenerFailsTheFirstReadAndResets() async throws {
        let pair = MemoryStreamPair()
        let (_, dialerStream) = try await StreamNegotiation.select(on: pair.dialer, protocols: ["/x/1.0.0"])
        try await pair.listener.write(MultistreamMessage.encode(MultistreamMessage.header, MultistreamMessage.notAvailable))
        await #expect(throws: MultistreamError.self) { try await dialerStream.read() }
        #expect(pair.dialer.wasReset)
    }

    @Test func everyMessageOfOneStepGoesOutInOneWrite() async throws {
        let pair = MemoryStreamPair()
        // A non-lazy dialer's first step is header plus first proposal.
        async let selection = StreamNegotiation.select(on: pair.dialer, protocols: ["/a/1.0.0", "/b/1.0.0"])
        let (_, _) = try await StreamNegotiation.accept(on: pair.listener) { $0 == "/a/1.0.0" }
        _ = try await selection
        #expect(pair.dialer.writeCount == 1)
        // The listener's header goes out before it reads anything; the echo is its second write.
        #expect(pair.listener.writeCount == 2)
    }

    @Test func peerClosingDuringNegotiationNamesThePhase() async throws {
        let pair = MemoryStreamPair()
        try await pair.dialer.write(MultistreamMessage.encode(MultistreamMessage.header))
        try await pair.dialer.closeWrite()
        await #expect(throws: MultistreamError.closedDuringNegotiation(phase: .awaitingProposal)) {
            try await StreamNegotiation.accept(on: pair.listener) { _ in true }
        }
    }

    @Test func listenerThatNeverAnswersLeavesTheDialerWaitingForTheHeader() async throws {
        let pair = MemoryStreamPair()
        try await pair.listener.closeWrite()
        await #expect(throws: MultistreamError.closedDuringNegotiation(phase: .awaitingHeader)) {
            try await StreamNegotiation.select(on: pair.dialer, protocols: ["/a/1.0.0", "/b/1.0.0"])
        }
    }
}

/// `withEventLoopDeadline`: the timer runs on a real event loop, the operation in the calling task.
@Suite(.timeLimit(.minutes(1))) struct EventLoopDeadlineTests {
    private let eventLoop = MultiThreadedEventLoopGroup.singleton.next()

    /// The activity text is built only for a timeout error.
    private static func unexpectedActivity() -> String {
        Issue.record("activity evaluated although nothing timed out")
        return ""
    }

    @Test func aFastOperationReturnsItsResultAndTheTimerNeverFires() async throws {
        let pair = MemoryStreamPair()
        let value = try await withEventLoopDeadline(
            .milliseconds(50), on: eventLoop, activity: Self.unexpectedActivity(),
            onTimeout: { pair.listener.reset() }
        ) { 42 }
        #expect(value == 42)
        try await Task.sleep(for: .milliseconds(150))
        #expect(!pair.listener.wasReset)
    }

    @Test func theOperationsOwnErrorPassesThrough() async throws {
        await #expect(throws: MemoryStreamError.writeAfterClose) {
            try await withEventLoopDeadline(.seconds(5), on: eventLoop, activity: "failing", onTimeout: {}) {
                throw MemoryStreamError.writeAfterClose
            }
        }
    }

    @Test func atTheDeadlineTheHookEndsTheOperationAndTheTimeoutIsReported() async throws {
        let pair = MemoryStreamPair()
        let started = ContinuousClock.now
        await #expect(throws: ProtocolTimeoutError(activity: "waiting on stream 7", limit: .milliseconds(100))) {
            try await withEventLoopDeadline(
                .milliseconds(100), on: eventLoop, activity: "waiting on stream \(7)",
                onTimeout: { pair.listener.reset() }
            ) {
                try await pair.listener.read()
            }
        }
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        // The pipe the read waited on (the hook's reset wakes the reader before it marks the other one).
        #expect(pair.dialer.wasReset)
    }

    @Test func anOperationThatIgnoresTheHookStillReportsTheTimeoutWhenItEnds() async throws {
        // The hook did act on the stream, so even a successful result is not trusted.
        await #expect(throws: ProtocolTimeoutError.self) {
            try await withEventLoopDeadline(.milliseconds(20), on: eventLoop, activity: "slow", onTimeout: {}) {
                try await Task.sleep(for: .milliseconds(200))
                return 1
            }
        }
    }

    @Test func disarmingFirstMeansTheHookNeverRuns() async throws {
        let fired = HookCounter()
        let deadline = EventLoopDeadline(.milliseconds(30), on: eventLoop) { fired.increment() }
        #expect(!deadline.disarm())
        try await Task.sleep(for: .milliseconds(120))
        #expect(fired.value == 0)
    }

    @Test func afterFiringDisarmSaysSoAndTheHookRanOnce() async throws {
        let fired = HookCounter()
        let deadline = EventLoopDeadline(.milliseconds(10), on: eventLoop) { fired.increment() }
        try await Task.sleep(for: .milliseconds(120))
        #expect(deadline.disarm())
        #expect(deadline.disarm())
        #expect(fired.value == 1)
    }
}

/// A thread-safe counter for hooks that run on an event loop.
final class HookCounter: Sendable {
    private let count = NIOLockedValueBox(0)
    func increment() { count.withLockedValue { $0 += 1 } }
    var value: Int { count.withLockedValue { $0 } }
}
