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

/// The data-path shortcuts: one read hands out several waiting pieces, and flushed buffers are reused
/// without ever changing bytes someone still holds.
@Suite struct YamuxBufferReuseTests {
    private static func piece(_ count: Int, _ value: UInt8) -> ByteBuffer {
        ByteBuffer(repeating: value, count: count)
    }

    @Test func readCoalescesWaitingPiecesUpToTheLimit() {
        let io = YamuxStreamIO(origin: .remote)
        var spare: ByteBuffer?
        #expect(io.deliver(Self.piece(10, 1)) == 0)
        #expect(io.deliver(Self.piece(20, 2)) == 0)
        #expect(io.deliver(Self.piece(30, 3)) == 0)
        #expect(io.deliver(Self.piece(5, 4)) == 0)
        #expect(io.inboundBytes == 65)

        // 10 + 20 fit in 35, the 30-byte piece does not: it stays for the next read, whole.
        var expected = Self.piece(10, 1)
        expected.writeImmutableBuffer(Self.piece(20, 2))
        #expect(io.popInbound(coalescingUpTo: 35, spare: &spare) == expected)
        #expect(io.inboundBytes == 35)

        var rest = Self.piece(30, 3)
        rest.writeImmutableBuffer(Self.piece(5, 4))
        #expect(io.popInbound(coalescingUpTo: 1000, spare: &spare) == rest)
        #expect(io.inboundBytes == 0)
        #expect(io.popInbound(coalescingUpTo: 1000, spare: &spare) == nil)
    }

    @Test func aCoalescedBufferStillHeldIsNeverOverwritten() {
        let io = YamuxStreamIO(origin: .remote)
        var spare: ByteBuffer?
        _ = io.deliver(Self.piece(20_000, 1))
        _ = io.deliver(Self.piece(20_000, 2))
        let held = io.popInbound(coalescingUpTo: 100_000, spare: &spare)
        #expect(spare != nil, "a bulk-sized buffer is kept for reuse")
        _ = io.deliver(Self.piece(20_000, 3))
        _ = io.deliver(Self.piece(20_000, 4))
        var next = Self.piece(20_000, 3)
        next.writeImmutableBuffer(Self.piece(20_000, 4))
        #expect(io.popInbound(coalescingUpTo: 100_000, spare: &spare) == next)
        var first = Self.piece(20_000, 1)
        first.writeImmutableBuffer(Self.piece(20_000, 2))
        #expect(held == first)
    }

    @Test func smallCoalescedBuffersAreNotKept() {
        let io = YamuxStreamIO(origin: .remote)
        var spare: ByteBuffer?
        _ = io.deliver(Self.piece(10, 1))
        _ = io.deliver(Self.piece(10, 2))
        #expect(io.popInbound(coalescingUpTo: 100, spare: &spare)?.readableBytes == 20)
        #expect(spare == nil)
    }

    @Test func aPieceLargerThanTheLimitIsHandedOutAlone() {
        let io = YamuxStreamIO(origin: .remote)
        var spare: ByteBuffer?
        _ = io.deliver(Self.piece(100, 7))
        _ = io.deliver(Self.piece(1, 8))
        #expect(io.popInbound(coalescingUpTo: 50, spare: &spare) == Self.piece(100, 7))
        #expect(io.popInbound(coalescingUpTo: 50, spare: &spare) == Self.piece(1, 8))
    }

    /// A flushed buffer the driver still holds keeps its bytes while the session writes the next frames; once
    /// released, its memory carries the next flush.
    @Test func flushedBuffersAreReusedOnlyOnceReleased() throws {
        var client = YamuxSession(role: .client, now: yamuxT0)
        let id = try client.openStream(now: yamuxT0)
        var payload = Self.piece(40_000, 0xAB)
        _ = try client.write(id, &payload)
        let firstFlush = client.takeOutbound()
        let held = try #require(firstFlush)
        let heldBytes = Array(held.readableBytesView)

        var second = Self.piece(40_000, 0xCD)
        _ = try client.write(id, &second)
        #expect(Array(held.readableBytesView) == heldBytes, "bytes handed to the driver never change")
        var secondTaken = client.takeOutbound()
        let secondAddress: UInt
        do {
            let secondFlush = try #require(secondTaken)
            #expect(secondFlush.readableBytes == YamuxFrameHeader.size + 40_000)
            #expect(
                secondFlush.getBytes(at: secondFlush.readerIndex + YamuxFrameHeader.size, length: 40_000)
                    == [UInt8](repeating: 0xCD, count: 40_000))
            secondAddress = secondFlush.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        }
        // The driver is done with the second flush.
        secondTaken = nil
        var third = Self.piece(30_000, 0xEF)
        _ = try client.write(id, &third)
        let thirdTaken = client.takeOutbound()
        let thirdFlush = try #require(thirdTaken)
        #expect(thirdFlush.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } == secondAddress)
        #expect(thirdFlush.getBytes(at: thirdFlush.readerIndex + YamuxFrameHeader.size, length: 30_000) == [UInt8](repeating: 0xEF, count: 30_000))
    }
}
