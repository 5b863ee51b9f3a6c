import NIOCore
import Testing

@testable import Core
@testable import Multiformats
@testable import Mplex

/// The decoder against hostile and fragmented input: every refusal is a named error, nothing it keeps
/// between calls grows past a partial header.
@Suite("mplex: frame decoder")
struct MplexFrameDecoderTests {
    private func decodeAll(_ hex: String) throws(MplexProtocolError) -> [MplexFrameDecoder.Item] {
        var decoder = MplexFrameDecoder()
        var buffer = hexBytes(hex)
        var items: [MplexFrameDecoder.Item] = []
        while let item = try decoder.next(from: &buffer) { items.append(item) }
        return items
    }

    @Test func aFrameOverOneMebibyteIsRefusedFromItsHeader() {
        // Length 2^20 + 1 = 0x100001: groups 0x01 | 0x80, 0x00 | 0x80, 0x40.
        #expect(throws: MplexProtocolError.frameTooLarge(
            streamNumber: 0, flag: .messageInitiator, length: (1 << 20) + 1, limit: 1 << 20)
        ) { try decodeAll("02 81 80 40") }
        // Exactly 1 MiB is allowed: the header decodes and the data is awaited.
        #expect(throws: Never.self) { try decodeAll("02 80 80 40") }
    }

    @Test func aLengthNearTwoToThe63IsRefusedAsTooLarge() {
        #expect(throws: MplexProtocolError.frameTooLarge(
            streamNumber: 1, flag: .messageInitiator, length: (1 << 63) - 1, limit: 1 << 20)
        ) { try decodeAll("0a ff ff ff ff ff ff ff ff 7f") }
    }

    @Test func uvarintsLongerThanNineBytesAreNamedErrors() {
        #expect(throws: MplexProtocolError.malformedHeader(.tooLong)) {
            try decodeAll("ff ff ff ff ff ff ff ff ff 01 00")
        }
        #expect(throws: MplexProtocolError.malformedLength(streamNumber: 1, .tooLong)) {
            try decodeAll("0a ff ff ff ff ff ff ff ff ff 01")
        }
    }

    @Test func nonMinimalUvarintsAreRefused() {
        #expect(throws: MplexProtocolError.malformedHeader(.nonMinimal(byteCount: 2))) { try decodeAll("8a 00 00") }
        #expect(throws: MplexProtocolError.malformedLength(streamNumber: 1, .nonMinimal(byteCount: 2))) {
            try decodeAll("0a 80 00")
        }
    }

    @Test func flagSevenIsAnUnknownFlagBeforeTheLengthArrives() {
        #expect(throws: MplexProtocolError.unknownFlag(7, streamNumber: 0)) { try decodeAll("07") }
        #expect(throws: MplexProtocolError.unknownFlag(7, streamNumber: 1)) { try decodeAll("0f 00") }
    }

    @Test func afterAnErrorTheDecoderKeepsFailing() {
        var decoder = MplexFrameDecoder()
        var bad = hexBytes("07")
        #expect(throws: MplexProtocolError.unknownFlag(7, streamNumber: 0)) { try decoder.next(from: &bad) }
        var good = hexBytes("00 00")
        #expect(throws: MplexProtocolError.unknownFlag(7, streamNumber: 0)) { try decoder.next(from: &good) }
    }

    @Test func truncatedUvarintsWaitAndKeepAtMostAPartialHeader() throws {
        var decoder = MplexFrameDecoder()
        // Eight continuation bytes of a header, then eight of a length: 17 bytes, still no frame.
        var header = hexBytes("fe ff ff ff ff ff ff ff")
        #expect(try decoder.next(from: &header) == nil)
        #expect(header.readableBytes == 0 && !decoder.isAtFrameBoundary)
        var rest = hexBytes("7f 80 80 80 80 80 80 80 80")
        #expect(try decoder.next(from: &rest) == nil)
        #expect(rest.readableBytes == 0)
        // The ninth length byte would need a continuation: too long, named.
        var last = hexBytes("80")
        #expect(throws: MplexProtocolError.malformedLength(streamNumber: MplexStreamID.maxNumber, .tooLong)) {
            try decoder.next(from: &last)
        }
    }

    @Test func inputFedOneByteAtATimeGivesTheSameFrames() throws {
        var whole = ByteBuffer()
        whole.writeImmutableBuffer(mplexFrame(.newStream, stream: 300, payload: Array("300".utf8)))
        whole.writeImmutableBuffer(mplexFrame(.messageInitiator, stream: 300, payload: bytes(1000)))
        whole.writeImmutableBuffer(mplexFrame(.closeInitiator, stream: 300))
        whole.writeImmutableBuffer(mplexFrame(.resetReceiver, stream: (1 << 60) - 1))
        let expected = try decodeMplexFrames(whole)

        var decoder = MplexFrameDecoder()
        var frames: [MplexWireFrame] = []
        var lastDataEnded = true
        for byte in whole.readableBytesView {
            var one = ByteBuffer(bytes: [byte])
            while let item = try decoder.next(from: &one) {
                switch item {
                case .header(let header):
                    #expect(lastDataEnded, "a header inside the previous frame's data")
                    frames.append(MplexWireFrame(flag: header.flag, number: header.streamNumber))
                    lastDataEnded = header.length == 0
                case .data(let piece, let endOfFrame):
                    frames[frames.count - 1].payload += Array(piece.readableBytesView)
                    lastDataEnded = endOfFrame
                }
            }
            #expect(one.readableBytes == 0)
        }
        #expect(decoder.isAtFrameBoundary)
        #expect(frames == expected)
        #expect(frames.map(\.flag) == [.newStream, .messageInitiator, .closeInitiator, .resetReceiver])
        #expect(frames[1].payload == bytes(1000))
    }

    @Test func aHeaderSplitAcrossReadsTakesOnlyItsOwnBytes() throws {
        var decoder = MplexFrameDecoder()
        var first = hexBytes("89")
        #expect(try decoder.next(from: &first) == nil)
        // The rest of the header, its data and the next frame arrive together.
        var second = hexBytes("01 02 aa bb 1c 00")
        #expect(try decoder.next(from: &second)
            == .header(MplexFrameHeader(streamNumber: 17, flag: .messageReceiver, length: 2)))
        #expect(try decoder.next(from: &second) == .data(hexBytes("aa bb"), endOfFrame: true))
        #expect(try decoder.next(from: &second)
            == .header(MplexFrameHeader(streamNumber: 3, flag: .closeInitiator, length: 0)))
        #expect(try decoder.next(from: &second) == nil)
    }
}
