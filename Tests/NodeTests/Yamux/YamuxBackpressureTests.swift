import NIOCore
import NIOEmbedded
import Testing

@testable import Core
@testable import Yamux

/// A peer that makes us answer (pings) while it does not read: the answers wait for writability, bounded.
@Suite("yamux: answers to a peer that does not read")
struct YamuxBackpressureTests {
    static func pings(_ count: Int) -> ByteBuffer {
        var flood = ByteBuffer()
        for value in 0..<count { flood.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: UInt32(value))) }
        return flood
    }

    @Test func pingRepliesWaitForWritabilityAndThenAllGoOut() async throws {
        let test = try await YamuxTestChannel.make(role: .server)
        try await test.setWritable(false)
        try await test.feed(Self.pings(100))
        #expect(try await test.pendingFrames().isEmpty, "replies were written while the channel was not writable")
        try await test.setWritable(true)
        let replies = try await test.pendingFrames()
        #expect(replies.count == 100)
        #expect(replies.allSatisfy { $0.type == .ping && $0.flags == .ack })
        #expect(replies.map(\.length) == (0..<100).map(UInt32.init))
        #expect(test.channel.isActive)
    }

    @Test func aPingFloodWithoutReadingClosesTheSessionByName() async throws {
        var configuration = YamuxTestChannel.quietConfiguration
        configuration.maxQueuedOutboundBytes = 1200
        let test = try await YamuxTestChannel.make(role: .server, configuration: configuration)
        try await test.setWritable(false)
        // 12 bytes per reply, checked after each read: the fourth read of 30 pings leaves 1440 queued.
        for _ in 0..<5 { try await test.feed(Self.pings(30)) }
        try await eventually { !test.channel.isActive }
        #expect(try await test.events().last == .closed(.outboundBacklogExceeded(bytes: 1440, limit: 1200)))
        #expect(YamuxSessionCloseReason.outboundBacklogExceeded(bytes: 1440, limit: 1200).description
            == "peer not reading: 1440 bytes queued for it > limit 1200")
    }

    @Test func dataAcceptedWhileWritableIsNotHeldBack() async throws {
        let test = try await YamuxTestChannel.make(role: .client)
        let stream = try await test.connection.openStream()
        _ = try await test.nextFrames()
        try await stream.write(ByteBuffer(repeating: 7, count: 1000))
        let frames = try await test.nextFrames()
        #expect(frames.map(\.type) == [.data] && frames.first?.payload.count == 1000)
    }
}
