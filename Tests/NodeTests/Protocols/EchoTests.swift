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

@Suite struct EchoTests {
    @Test func oneMebibyteInOddChunksComesBackIntact() async throws {
        let pair = MemoryStreamPair(chunkSize: 4093, capacity: 16 * 1024)
        let echoed = Task { try await EchoServer().serve(pair.listener) }
        var generator = SplitMix(seed: 7)
        let payload = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let sending = Task {
            var offset = 0
            var size = 1
            while offset < payload.count {
                let end = min(payload.count, offset + size)
                try await pair.dialer.write(ByteBuffer(bytes: payload[offset..<end]))
                offset = end
                size = size * 7 % 65_521 + 1  // 1, 8, 57, 400, 2801, … odd, uneven sizes
            }
            try await pair.dialer.closeWrite()
        }
        let received = try await MuxedStreamReader(pair.dialer).readToEnd(limit: 1 << 20)
        try await sending.value
        #expect(try await echoed.value == 1 << 20)
        #expect(Array(buffer: received) == payload)
        #expect(pair.listener.didCloseWrite)
    }

    @Test func slowReaderStopsTheServerReading() async throws {
        let pair = MemoryStreamPair(chunkSize: 1000, capacity: 8 * 1024)
        let echoed = Task { try await EchoServer().serve(pair.listener) }
        // Nobody reads the echo: the server can hold one chunk, each pipe its capacity, so a large
        // write cannot complete until the dialer starts reading.
        let blocked = Task { try await pair.dialer.write(ByteBuffer(repeating: 1, count: 64 * 1024)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(pair.dialer.outbound.bufferedByteCount > 8 * 1024)
        let echoedSoFar = pair.dialer.inbound.bufferedByteCount
        #expect(echoedSoFar <= 8 * 1024 + 1000)

        let received = Task { try await MuxedStreamReader(pair.dialer).readToEnd(limit: 64 * 1024) }
        try await blocked.value
        try await pair.dialer.closeWrite()
        #expect(try await received.value.readableBytes == 64 * 1024)
        #expect(try await echoed.value == 64 * 1024)
    }

    @Test func emptyStreamEchoesNothingAndCloses() async throws {
        let pair = MemoryStreamPair()
        let echoed = Task { try await EchoServer().serve(pair.listener) }
        try await pair.dialer.closeWrite()
        #expect(try await MuxedStreamReader(pair.dialer).readToEnd(limit: 0).readableBytes == 0)
        #expect(try await echoed.value == 0)
    }

    @Test func idlePeerTimesOut() async throws {
        let pair = MemoryStreamPair()
        try await pair.dialer.write(ByteBuffer(bytes: [1, 2, 3]))
        await #expect(throws: ProtocolTimeoutError(activity: "echo", limit: .milliseconds(80))) {
            try await EchoServer(idleTimeout: .milliseconds(80)).serve(pair.listener)
        }
        #expect(pair.dialer.wasReset)
    }
}
