import NIOCore
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

/// MuxedStreamReader bounds and the timeout helpers, over the in-memory pipe.
@Suite struct StreamSupportTests {
    @Test func readExactlyAssemblesOneByteChunks() async throws {
        let pair = MemoryStreamPair(chunkSize: 1)
        let reader = MuxedStreamReader(pair.listener)
        try await pair.dialer.write(ByteBuffer(bytes: Array(0..<10)))
        let first = try await reader.readExactly(4)
        let second = try await reader.readExactly(6)
        #expect(Array(buffer: first) == [0, 1, 2, 3])
        #expect(Array(buffer: second) == [4, 5, 6, 7, 8, 9])
    }

    @Test func readExactlyReportsEarlyEnd() async throws {
        let pair = MemoryStreamPair()
        let reader = MuxedStreamReader(pair.listener)
        try await pair.dialer.write(ByteBuffer(bytes: [1, 2, 3]))
        try await pair.dialer.closeWrite()
        await #expect(throws: MuxedStreamReadError.unexpectedEnd(expected: 10, received: 3)) {
            try await reader.readExactly(10)
        }
    }

    @Test func readChunkKeepsTheRemainderForTheNextRead() async throws {
        let pair = MemoryStreamPair()
        let reader = MuxedStreamReader(pair.listener)
        try await pair.dialer.write(ByteBuffer(bytes: Array(0..<10)))
        try await pair.dialer.closeWrite()
        let head = try #require(try await reader.readChunk(maxLength: 3))
        #expect(Array(buffer: head) == [0, 1, 2])
        #expect(reader.bufferedByteCount == 7)
        let rest = try #require(try await reader.readChunk())
        #expect(Array(buffer: rest) == Array(3..<10))
        #expect(try await reader.readChunk() == nil)
        #expect(try await reader.readChunk() == nil)
    }

    @Test func lengthPrefixedFramesArriveByteByByte() async throws {
        let pair = MemoryStreamPair(chunkSize: 1)
        let reader = MuxedStreamReader(pair.listener)
        var frames = ByteBuffer()
        frames.writeUVarintLengthPrefixed(Array(repeating: UInt8(7), count: 200))
        frames.writeUVarintLengthPrefixed([UInt8]())
        frames.writeUVarintLengthPrefixed([1, 2])
        try await pair.dialer.write(frames)
        try await pair.dialer.closeWrite()
        #expect(try await reader.readUVarintLengthPrefixed(maxLength: 200).map { Array(buffer: $0) } == Array(repeating: 7, count: 200))
        #expect(try await reader.readUVarintLengthPrefixed(maxLength: 200)?.readableBytes == 0)
        #expect(try await reader.readUVarintLengthPrefixed(maxLength: 200).map { Array(buffer: $0) } == [1, 2])
        #expect(try await reader.readUVarintLengthPrefixed(maxLength: 200) == nil)
    }

    @Test func oversizedFrameIsRefusedBeforeItsBodyArrives() async throws {
        let pair = MemoryStreamPair()
        let reader = MuxedStreamReader(pair.listener)
        var prefix = ByteBuffer()
        prefix.writeUVarint(1_000_000)
        try await pair.dialer.write(prefix)
        // The body never comes and the stream stays open: only an early check can end this read.
        await #expect(throws: MuxedStreamReadError.invalidFrame(.lengthExceedsLimit(length: 1_000_000, limit: 1024))) {
            try await withTimeout(.seconds(5), activity: "frame read") {
                try await reader.readUVarintLengthPrefixed(maxLength: 1024)
            }
        }
    }

    @Test func malformedPrefixAndTruncatedFrameAreReported() async throws {
        let bad = MemoryStreamPair()
        try await bad.dialer.write(ByteBuffer(bytes: [0x80, 0x00]))
        await #expect(throws: MuxedStreamReadError.invalidFrame(.invalidLength(.nonMinimal(byteCount: 2)))) {
            try await MuxedStreamReader(bad.listener).readUVarintLengthPrefixed(maxLength: 1024)
        }

        let short = MemoryStreamPair()
        try await short.dialer.write(ByteBuffer(bytes: [0x05, 1, 2]))
        try await short.dialer.closeWrite()
        await #expect(throws: MuxedStreamReadError.unexpectedEnd(expected: 6, received: 3)) {
            try await MuxedStreamReader(short.listener).readUVarintLengthPrefixed(maxLength: 1024)
        }
    }

    @Test func readToEndHonoursTheLimitExactly() async throws {
        let exact = MemoryStreamPair(chunkSize: 7)
        try await exact.dialer.write(ByteBuffer(repeating: 1, count: 100))
        try await exact.dialer.closeWrite()
        #expect(try await MuxedStreamReader(exact.listener).readToEnd(limit: 100).readableBytes == 100)

        let over = MemoryStreamPair(chunkSize: 7)
        try await over.dialer.write(ByteBuffer(repeating: 1, count: 101))
        await #expect(throws: MuxedStreamReadError.limitExceeded(limit: 100)) {
            // The dialer never closes: the limit must trip on arrival, not at the end.
            try await withTimeout(.seconds(5), activity: "read to end") {
                try await MuxedStreamReader(over.listener).readToEnd(limit: 100)
            }
        }
    }

    @Test func drainCountsWithoutKeeping() async throws {
        let pair = MemoryStreamPair(chunkSize: 1000)
        let reader = MuxedStreamReader(pair.listener)
        try await pair.dialer.write(ByteBuffer(repeating: 9, count: 10))
        _ = try await reader.readExactly(3)
        let writing = Task {
            try await pair.dialer.write(ByteBuffer(repeating: 0, count: 5000))
            try await pair.dialer.closeWrite()
        }
        var chunks: [Int] = []
        let total = try await reader.drainToEnd { chunks.append($0) }
        try await writing.value
        #expect(total == 5007)
        #expect(chunks.reduce(0, +) == 5007)
        #expect(chunks.allSatisfy { $0 <= 1000 })
        #expect(reader.bufferedByteCount == 0)
    }

    @Test func withTimeoutReturnsTheResultOfAFastOperation() async throws {
        let value = try await withTimeout(.seconds(5), activity: "quick") { 42 }
        #expect(value == 42)
    }

    @Test func withTimeoutPassesTheOperationsErrorThrough() async throws {
        await #expect(throws: PingError.truncatedPing(received: 1)) {
            try await withTimeout(.seconds(5), activity: "failing") { () async throws -> Int in
                throw PingError.truncatedPing(received: 1)
            }
        }
    }

    @Test func withTimeoutNamesTheActivityAndRunsTheHook() async throws {
        let pair = MemoryStreamPair()
        let reader = MuxedStreamReader(pair.listener)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: ProtocolTimeoutError(activity: "waiting for data", limit: .milliseconds(50))) {
            try await withTimeout(.milliseconds(50), activity: "waiting for data", onTimeout: { pair.listener.reset() }) {
                try await reader.readExactly(1)
            }
        }
        #expect(clock.now - start < .seconds(5))
        #expect(pair.dialer.wasReset)
    }

    @Test func idleTimeoutAllowsSlowButSteadyProgress() async throws {
        // Five 700 ms steps (3.5 s) outlast the 3 s limit; touching after each keeps the operation alive.
        // The margins are wide because other suites may hold the cooperative threads for a while.
        let ticks = try await withIdleTimeout(.seconds(3), activity: "steady") { timer in
            for _ in 0..<5 {
                try await Task.sleep(for: .milliseconds(700))
                timer.touch()
            }
            return 5
        }
        #expect(ticks == 5)
    }

    @Test func idleTimeoutNamesThePhaseThatStalled() async throws {
        await #expect(throws: ProtocolTimeoutError(activity: "second phase", limit: .seconds(1))) {
            try await withIdleTimeout(.seconds(1), activity: "first phase") { timer in
                timer.enter("second phase")
                try await Task.sleep(for: .seconds(10))
            }
        }
    }

    @Test func memoryPipeWriterWaitsForTheReader() async throws {
        let pair = MemoryStreamPair(capacity: 100)
        try await pair.dialer.write(ByteBuffer(repeating: 0, count: 100))
        await #expect(throws: ProtocolTimeoutError(activity: "blocked write", limit: .milliseconds(50))) {
            try await withTimeout(.milliseconds(50), activity: "blocked write") {
                try await pair.dialer.write(ByteBuffer(repeating: 0, count: 1))
            }
        }
        let unblocked = MemoryStreamPair(capacity: 100)
        let write = Task { try await unblocked.dialer.write(ByteBuffer(repeating: 0, count: 150)) }
        let received = try await MuxedStreamReader(unblocked.listener).readExactly(150)
        try await write.value
        #expect(received.readableBytes == 150)
    }
}
