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

@Suite struct YamuxFrameDecoderTests {
    /// A mixed conversation: go-style open, rust-style open with payload, a large Data frame, ping, go away.
    static var conversation: ByteBuffer {
        var all = ByteBuffer()
        all.writeImmutableBuffer(yamuxFrame(.windowUpdate, .syn, stream: 1, length: 0))
        all.writeImmutableBuffer(yamuxFrame(.data, .syn, stream: 3, payload: bytes(19)))
        all.writeImmutableBuffer(yamuxFrame(.data, [], stream: 1, payload: bytes(1000, seed: 7)))
        all.writeImmutableBuffer(yamuxFrame(.data, .fin, stream: 1, length: 0))
        all.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 42))
        all.writeImmutableBuffer(yamuxFrame(.goAway, [], stream: 0, length: 0))
        return all
    }

    static func decodeAll(_ chunks: [ByteBuffer]) throws -> [DecodedFrame] {
        var decoder = YamuxFrameDecoder(maxDataLength: 1 << 20)
        var frames: [DecodedFrame] = []
        var bodyComplete = true
        for var chunk in chunks {
            while let item = try decoder.next(from: &chunk) {
                switch item {
                case .header(let header):
                    #expect(bodyComplete, "header before the previous body ended")
                    frames.append(DecodedFrame(header: header, payload: []))
                    bodyComplete = header.bodyLength == 0
                case .body(let piece, let endOfFrame):
                    #expect(piece.readableBytes > 0)
                    frames[frames.count - 1].payload += Array(piece.readableBytesView)
                    bodyComplete = endOfFrame
                }
            }
            #expect(chunk.readableBytes == 0)
        }
        #expect(decoder.isAtFrameBoundary)
        return frames
    }

    @Test func allAtOnceAndOneByteAtATimeAgree() throws {
        let all = Self.conversation
        let whole = try Self.decodeAll([all])
        let dripped = try Self.decodeAll(
            (0..<all.readableBytes).map { all.getSlice(at: all.readerIndex + $0, length: 1)! })
        #expect(whole == dripped)
        #expect(whole.count == 6)
        #expect(whole[1].payload == bytes(19))
        #expect(whole[2].payload == bytes(1000, seed: 7))
        #expect(whole[4].type == .ping && whole[4].length == 42)
    }

    @Test func oddSizedChunksAgree() throws {
        let all = Self.conversation
        for size in [5, 11, 13, 500] {
            var chunks: [ByteBuffer] = []
            var rest = all
            while rest.readableBytes > 0 { chunks.append(rest.readSlice(length: min(size, rest.readableBytes))!) }
            #expect(try Self.decodeAll(chunks) == Self.decodeAll([all]))
        }
    }

    @Test func bodySlicesAreHandedOutAsTheyArrive() throws {
        var decoder = YamuxFrameDecoder(maxDataLength: 1 << 20)
        var second = yamuxFrame(.data, [], stream: 1, payload: bytes(100))
        var first = second.readSlice(length: 62)!  // header + 50 body bytes; `second` keeps the other 50
        guard case .header(let header) = try decoder.next(from: &first) else { Issue.record("no header"); return }
        #expect(header.length == 100)
        #expect(try decoder.next(from: &first) == .body(buffer(Array(bytes(100)[0..<50])), endOfFrame: false))
        #expect(try decoder.next(from: &first) == nil)
        #expect(try decoder.next(from: &second) == .body(buffer(Array(bytes(100)[50...])), endOfFrame: true))
        #expect(decoder.isAtFrameBoundary)
    }

    @Test func rejectsDataLongerThanTheLimitBeforeReadingIt() {
        var decoder = YamuxFrameDecoder(maxDataLength: 1024)
        var input = yamuxFrame(.data, [], stream: 1, length: 1025)
        #expect(throws: YamuxError.dataFrameTooLarge(streamID: YamuxStreamID(1), length: 1025, limit: 1024)) {
            try decoder.next(from: &input)
        }
        // The error sticks: later input is not parsed.
        var more = yamuxFrame(.ping, .syn, stream: 0, length: 1)
        #expect(throws: YamuxError.self) { try decoder.next(from: &more) }
    }

    @Test func windowUpdateLengthIsNotABody() throws {
        var decoder = YamuxFrameDecoder(maxDataLength: 16)
        var input = yamuxFrame(.windowUpdate, [], stream: 1, length: 0xFFFF_FFFF)
        input.writeImmutableBuffer(yamuxFrame(.ping, .syn, stream: 0, length: 7))
        guard case .header(let update) = try decoder.next(from: &input) else { Issue.record("no header"); return }
        #expect(update.length == 0xFFFF_FFFF)
        guard case .header(let ping) = try decoder.next(from: &input) else { Issue.record("no ping"); return }
        #expect(ping.type == .ping)
    }

    @Test func badVersionDrippedStillFails() {
        var decoder = YamuxFrameDecoder(maxDataLength: 16)
        let input = hexBytes("02 00 0000 00000001 00000000")
        #expect(throws: YamuxError.unsupportedVersion(2)) {
            for index in 0..<input.readableBytes {
                var one = input.getSlice(at: index, length: 1)!
                _ = try decoder.next(from: &one)
            }
        }
    }

    @Test func badTypeFails() {
        var decoder = YamuxFrameDecoder(maxDataLength: 16)
        var input = hexBytes("00 09 0000 00000001 00000000")
        #expect(throws: YamuxError.unknownFrameType(9)) { try decoder.next(from: &input) }
    }
}
