@preconcurrency import Crypto
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

@Suite struct NoiseTransportTests {
    static func pair() -> (NoiseTransport, NoiseTransport) {
        let k1 = SymmetricKey(size: .bits256)
        let k2 = SymmetricKey(size: .bits256)
        let a = NoiseTransport(sendCipher: NoiseTransportCipher(key: k1), receiveCipher: NoiseTransportCipher(key: k2))
        let b = NoiseTransport(sendCipher: NoiseTransportCipher(key: k2), receiveCipher: NoiseTransportCipher(key: k1))
        return (a, b)
    }

    @Test func largeWriteIsSplitIntoFullFrames() throws {
        var (a, b) = Self.pair()
        let plaintext = NoiseTestData.pattern(200 * 1024)
        var wire = ByteBuffer()
        try a.encrypt(plaintext, appendingTo: &wire)
        // 204800 = 3 × 65519 + 8243
        #expect(NoiseTestData.frameLengths(wire) == [65535, 65535, 65535, 8243 + 16])
        #expect(wire.readableBytes == 204800 + 4 * 18)
        var received = ByteBuffer()
        try b.decrypt(wire, appendingTo: &received)
        #expect(received == plaintext)
        #expect(a.sendCipher.nonce == 4 && b.receiveCipher.nonce == 4)
    }

    @Test func exactlyMaxPlaintextIsOneFrame() throws {
        var (a, _) = Self.pair()
        var wire = ByteBuffer()
        try a.encrypt(NoiseTestData.pattern(NoiseProtocol.maxPlaintextLength), appendingTo: &wire)
        #expect(NoiseTestData.frameLengths(wire) == [65535])
        var more = ByteBuffer()
        try a.encrypt(NoiseTestData.pattern(NoiseProtocol.maxPlaintextLength + 1), appendingTo: &more)
        #expect(NoiseTestData.frameLengths(more) == [65535, 17])
    }

    @Test func emptyPlaintextProducesNoFrame() throws {
        var (a, _) = Self.pair()
        var wire = ByteBuffer()
        try a.encrypt(ByteBuffer(), appendingTo: &wire)
        #expect(wire.readableBytes == 0)
        #expect(a.sendCipher.nonce == 0)
    }

    @Test func decodesOneByteAtATime() throws {
        var (a, b) = Self.pair()
        var wire = ByteBuffer()
        for size in [1, 0x100, 70_000] {
            try a.encrypt(NoiseTestData.pattern(size), appendingTo: &wire)
        }
        var received = ByteBuffer()
        for byte in wire.dripFeedChunks {
            try b.decrypt(byte, appendingTo: &received)
        }
        #expect(received == ByteBuffer.joining(NoiseTestData.pattern(1), NoiseTestData.pattern(0x100), NoiseTestData.pattern(70_000)))
        #expect(b.bufferedInboundBytes == 0)
    }

    @Test func partialFrameStaysBuffered() throws {
        var (a, b) = Self.pair()
        var wire = ByteBuffer()
        try a.encrypt(NoiseTestData.pattern(100), appendingTo: &wire)
        var received = ByteBuffer()
        try b.decrypt(wire.getSlice(at: 0, length: 50) ?? ByteBuffer(), appendingTo: &received)
        #expect(received.readableBytes == 0)
        #expect(b.bufferedInboundBytes == 50)
        try b.decrypt(wire.getSlice(at: 50, length: wire.readableBytes - 50) ?? ByteBuffer(), appendingTo: &received)
        #expect(received == NoiseTestData.pattern(100))
    }

    @Test(arguments: [2, 60, 117])
    func tamperedFrameIsRejected(flippedOffset: Int) throws {
        var (a, b) = Self.pair()
        var wire = ByteBuffer()
        try a.encrypt(NoiseTestData.pattern(100), appendingTo: &wire)
        let original = wire.getInteger(at: flippedOffset, as: UInt8.self) ?? 0
        wire.setInteger(original ^ 0x40, at: flippedOffset)
        var received = ByteBuffer()
        #expect(throws: NoiseError.decryptionFailed(nonce: 0)) {
            try b.decrypt(wire, appendingTo: &received)
        }
        #expect(received.readableBytes == 0)
    }

    @Test func replayedFrameIsRejected() throws {
        var (a, b) = Self.pair()
        var wire = ByteBuffer()
        try a.encrypt(NoiseTestData.pattern(10), appendingTo: &wire)
        var received = ByteBuffer()
        try b.decrypt(wire, appendingTo: &received)
        #expect(throws: NoiseError.decryptionFailed(nonce: 1)) {
            try b.decrypt(wire, appendingTo: &received)
        }
    }

    @Test func frameShorterThanTagIsRejected() throws {
        var (_, b) = Self.pair()
        var received = ByteBuffer()
        #expect(throws: NoiseError.frameTooShort(length: 15)) {
            try b.decrypt(ByteBuffer(bytes: [0x00, 0x0f] + [UInt8](repeating: 0, count: 15)), appendingTo: &received)
        }
    }

    @Test func nonceExhaustionIsAnErrorInBothDirections() throws {
        var sender = NoiseTransportCipher(key: SymmetricKey(size: .bits256), nonce: UInt64.max - 1)
        var receiver = sender
        var wire = ByteBuffer()
        try sender.encryptFrame(NoiseTestData.pattern(5), appendingTo: &wire)
        #expect(sender.nonce == UInt64.max)
        #expect(throws: NoiseError.nonceExhausted) {
            try sender.encryptFrame(NoiseTestData.pattern(5), appendingTo: &wire)
        }
        wire.moveReaderIndex(forwardBy: 2)
        var received = ByteBuffer()
        try receiver.decryptFrame(wire, appendingTo: &received)
        #expect(received == NoiseTestData.pattern(5))
        #expect(throws: NoiseError.nonceExhausted) {
            try receiver.decryptFrame(wire, appendingTo: &received)
        }
    }

    @Test func nonceIsLittleEndianAfterFourZeroBytes() {
        let nonce = NoiseAEAD.nonce(0x0102_0304_0506_0708)
        #expect(Array(nonce) == [0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
    }
}

/// Frames straddling socket reads of every alignment come out whole and in order.
@Suite struct NoiseFrameDecoderSplitTests {
    private static func wire(_ sizes: [Int]) -> (ByteBuffer, [ByteBuffer]) {
        var wire = ByteBuffer()
        var bodies: [ByteBuffer] = []
        for (index, size) in sizes.enumerated() {
            let body = NoiseTestData.pattern(size, seed: UInt8(truncatingIfNeeded: index))
            wire.writeInteger(UInt16(size))
            wire.writeImmutableBuffer(body)
            bodies.append(body)
        }
        return (wire, bodies)
    }

    @Test(arguments: [1, 2, 3, 1000, 65_536, 65_537, 65_538, 100_000, 262_144])
    func framesSplitAcrossInputsOfFixedSize(chunkSize: Int) {
        let (wire, bodies) = Self.wire([65_535, 65_535, 0, 1, 65_535, 300, 65_535])
        var decoder = NoiseFrameDecoder()
        var decoded: [ByteBuffer] = []
        var offset = 0
        while offset < wire.readableBytes {
            let length = min(chunkSize, wire.readableBytes - offset)
            decoder.append(wire.getSlice(at: offset, length: length) ?? ByteBuffer())
            offset += length
            while let frame = decoder.nextFrame() { decoded.append(frame) }
            #expect(decoder.bufferedBytes < 65_537)
        }
        #expect(decoded == bodies)
        #expect(decoder.bufferedBytes == 0)
    }

    /// Frames consumed and dropped at once let the decoder reuse its split-frame buffer; bytes stay right.
    @Test(arguments: [1000, 65_536, 100_000])
    func framesDroppedAfterUseStillDecodeRight(chunkSize: Int) {
        let (wire, bodies) = Self.wire([65_535, 65_535, 65_535, 7, 65_535])
        var decoder = NoiseFrameDecoder()
        var decoded: [[UInt8]] = []
        var offset = 0
        while offset < wire.readableBytes {
            let length = min(chunkSize, wire.readableBytes - offset)
            decoder.append(wire.getSlice(at: offset, length: length) ?? ByteBuffer())
            offset += length
            while let frame = decoder.nextFrame() { decoded.append(Array(frame.readableBytesView)) }
        }
        #expect(decoded == bodies.map { Array($0.readableBytesView) })
    }

    @Test func appendingBeforeTakingEveryFrameKeepsOrder() {
        let (wire, bodies) = Self.wire([10, 70, 65_535, 5])
        var decoder = NoiseFrameDecoder()
        // Split inside the first frame, then hand over the rest in two inputs before reading anything.
        decoder.append(wire.getSlice(at: 0, length: 5) ?? ByteBuffer())
        decoder.append(wire.getSlice(at: 5, length: 100) ?? ByteBuffer())
        decoder.append(wire.getSlice(at: 105, length: wire.readableBytes - 105) ?? ByteBuffer())
        var decoded: [ByteBuffer] = []
        while let frame = decoder.nextFrame() { decoded.append(frame) }
        #expect(decoded == bodies)
        #expect(decoder.bufferedBytes == 0)
    }

    /// Found by the noise-frames fuzz target: whole frames left in one input were taken for the start of a
    /// single frame when the next input arrived, and all but the first were lost.
    @Test func appendingAfterWholeFramesWereLeftUnreadKeepsThem() {
        let (wire, bodies) = Self.wire([0, 3, 0, 20])
        var decoder = NoiseFrameDecoder()
        decoder.append(wire.getSlice(at: 0, length: 9) ?? ByteBuffer())
        decoder.append(wire.getSlice(at: 9, length: wire.readableBytes - 9) ?? ByteBuffer())
        var decoded: [ByteBuffer] = []
        while let frame = decoder.nextFrame() { decoded.append(frame) }
        #expect(decoded == bodies)
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func remainingBytesIncludeASplitFrame() {
        let (wire, _) = Self.wire([40, 40])
        var decoder = NoiseFrameDecoder()
        decoder.append(wire.getSlice(at: 0, length: 50) ?? ByteBuffer())
        #expect(decoder.nextFrame() == NoiseTestData.pattern(40, seed: 0))
        decoder.append(wire.getSlice(at: 50, length: 20) ?? ByteBuffer())
        #expect(decoder.nextFrame() == nil)
        #expect(decoder.bufferedBytes == 28)
        #expect(decoder.takeRemainingBytes() == wire.getSlice(at: 42, length: 28))
        #expect(decoder.bufferedBytes == 0)
    }
}
