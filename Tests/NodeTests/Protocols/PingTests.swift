import NIOConcurrencyHelpers
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

@Suite struct PingTests {
    @Test(arguments: [nil, 1, 5] as [Int?])
    func pingsAreEchoedAndTheStreamClosesCleanly(chunkSize: Int?) async throws {
        let pair = MemoryStreamPair(chunkSize: chunkSize)
        let served = Task { try await PingServer().serve(pair.listener) }
        let samples = NIOLockedValueBox<[PingClient.Sample]>([])
        let rtts = try await PingClient.ping(pair.dialer, count: 3, interval: .milliseconds(1)) { sample in
            samples.withLockedValue { $0.append(sample) }
        }
        #expect(try await served.value == 3)
        #expect(rtts.count == 3)
        #expect(samples.withLockedValue { $0.map(\.index) } == [0, 1, 2])
        #expect(samples.withLockedValue { $0.map(\.roundTripTime) } == rtts)
        #expect(pair.dialer.didCloseWrite)
        #expect(pair.listener.didCloseWrite)
        #expect(!pair.dialer.wasReset)
    }

    @Test func serverEchoesExactlyWhatItReceives() async throws {
        let pair = MemoryStreamPair(chunkSize: 3)
        let served = Task { try await PingServer().serve(pair.listener) }
        let payload = ByteBuffer(bytes: Array(100..<164))
        try await pair.dialer.write(payload)
        try await pair.dialer.closeWrite()
        let echoed = try await MuxedStreamReader(pair.dialer).readToEnd(limit: 64)
        #expect(echoed == payload)
        #expect(try await served.value == 2)
    }

    @Test func roundTripTimesArriveAsASequence() async throws {
        let pair = MemoryStreamPair()
        let served = Task { try await PingServer().serve(pair.listener) }
        var count = 0
        for try await rtt in PingClient.roundTripTimes(pair.dialer, count: 4, interval: .zero) {
            #expect(rtt >= .zero)
            count += 1
        }
        #expect(count == 4)
        #expect(try await served.value == 4)
    }

    @Test func wrongEchoIsAnErrorAndResetsTheStream() async throws {
        let pair = MemoryStreamPair()
        let corrupted = Task {
            let reader = MuxedStreamReader(pair.listener)
            var ping = Array(buffer: try await reader.readExactly(PingProtocol.payloadSize))
            ping[31] ^= 0xff
            try await pair.listener.write(ByteBuffer(bytes: ping))
        }
        do {
            try await PingClient.ping(pair.dialer, count: 1)
            Issue.record("a corrupted echo was accepted")
        } catch let PingError.echoMismatch(index, sent, received) {
            #expect(index == 0)
            #expect(sent.count == 32)
            #expect(received == Array(sent.dropLast()) + [sent[31] ^ 0xff])
            let description = PingError.echoMismatch(index: index, sent: sent, received: received).description
            #expect(description.contains(IdentityHex.string(sent)) && description.contains(IdentityHex.string(received)))
        }
        try await corrupted.value
        #expect(pair.listener.wasReset)
    }

    @Test func echoCutShortIsAnError() async throws {
        let pair = MemoryStreamPair()
        let shortEcho = Task {
            _ = try await MuxedStreamReader(pair.listener).readExactly(PingProtocol.payloadSize)
            try await pair.listener.write(ByteBuffer(bytes: Array(repeating: 0, count: 5)))
            try await pair.listener.closeWrite()
        }
        await #expect(throws: PingError.streamEndedBeforeEcho(index: 0, received: 5)) {
            try await PingClient.ping(pair.dialer, count: 1)
        }
        try await shortEcho.value
    }

    @Test func clientTimesOutWithoutAnEcho() async throws {
        let pair = MemoryStreamPair()
        await #expect(throws: ProtocolTimeoutError(activity: "ping 0 echo", limit: .milliseconds(80))) {
            try await PingClient.ping(pair.dialer, count: 1, timeout: .milliseconds(80))
        }
        #expect(pair.listener.wasReset)
    }

    @Test func clientResetsWhenTheListenerNeverCloses() async throws {
        let pair = MemoryStreamPair()
        let echoOnly = Task {
            let reader = MuxedStreamReader(pair.listener)
            try await pair.listener.write(try await reader.readExactly(PingProtocol.payloadSize))
        }
        // The ping itself succeeded, so it is returned; only the stream is torn down.
        let rtts = try await PingClient.ping(pair.dialer, count: 1, timeout: .seconds(1))
        try await echoOnly.value
        #expect(rtts.count == 1)
        #expect(pair.dialer.wasReset)
    }

    @Test func serverGivesUpOnAnIdleDialer() async throws {
        let pair = MemoryStreamPair()
        let server = PingServer(configuration: .init(idleTimeout: .seconds(1), streamTimeout: .seconds(10)))
        let served = Task { try await server.serve(pair.listener) }
        try await pair.dialer.write(ByteBuffer(bytes: Array(repeating: 1, count: 32)))
        _ = try await MuxedStreamReader(pair.dialer).readExactly(32)
        await #expect(throws: ProtocolTimeoutError(activity: "waiting for ping 1", limit: .seconds(1))) {
            try await served.value
        }
        #expect(pair.dialer.wasReset)
    }

    @Test func serverCapsTheStreamLifetime() async throws {
        let pair = MemoryStreamPair()
        let server = PingServer(configuration: .init(idleTimeout: .seconds(10), streamTimeout: .milliseconds(200)))
        let served = Task { try await server.serve(pair.listener) }
        let client = Task {
            try await PingClient.ping(pair.dialer, count: 1000, interval: .milliseconds(10))
        }
        await #expect(throws: ProtocolTimeoutError(activity: "ping stream", limit: .milliseconds(200))) {
            try await served.value
        }
        await #expect(throws: MemoryStreamError.reset) { try await client.value }
    }

    @Test func truncatedPingIsAnError() async throws {
        let pair = MemoryStreamPair()
        let served = Task { try await PingServer().serve(pair.listener) }
        try await pair.dialer.write(ByteBuffer(bytes: Array(repeating: 1, count: 42)))
        try await pair.dialer.closeWrite()
        await #expect(throws: PingError.truncatedPing(received: 10)) { try await served.value }
        #expect(pair.dialer.wasReset)
    }
}
