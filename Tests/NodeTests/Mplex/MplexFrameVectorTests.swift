import NIOCore
import Testing

@testable import Core
@testable import Mplex

/// Frames byte by byte, computed by hand from the spec: header = uvarint(number << 3 | flag), then
/// uvarint(length), then the data.
@Suite("mplex: frame vectors")
struct MplexFrameVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let flag: MplexFlag
        let number: UInt64
        let payload: [UInt8]
        let hex: String
        var testDescription: String { "\(flag) on \(number): \(hex)" }
    }

    static let vectors: [Vector] = [
        // 0 << 3 | 0 = 0x00; length 1; "0".
        Vector(flag: .newStream, number: 0, payload: Array("0".utf8), hex: "00 01 30"),
        // 1 << 3 | 2 = 0x0a; length 2; "hi".
        Vector(flag: .messageInitiator, number: 1, payload: Array("hi".utf8), hex: "0a 02 68 69"),
        // 17 << 3 | 1 = 137 = 0b1_0001001: low group 0x09 | 0x80, then 0x01.
        Vector(flag: .messageReceiver, number: 17, payload: [0xff], hex: "89 01 01 ff"),
        // 3 << 3 | 3 = 27 = 0x1b.
        Vector(flag: .closeReceiver, number: 3, payload: [], hex: "1b 00"),
        // 3 << 3 | 4 = 28 = 0x1c.
        Vector(flag: .closeInitiator, number: 3, payload: [], hex: "1c 00"),
        // 1000 << 3 | 5 = 8005 = 62 * 128 + 69: 0x45 | 0x80 = 0xc5, then 0x3e.
        Vector(flag: .resetReceiver, number: 1000, payload: [], hex: "c5 3e 00"),
        // 15 << 3 | 6 = 126 = 0x7e, the largest one-byte header.
        Vector(flag: .resetInitiator, number: 15, payload: [], hex: "7e 00"),
        // 16 << 3 | 0 = 128: the first two-byte header.
        Vector(flag: .newStream, number: 16, payload: [], hex: "80 01 00"),
        // (2^60 - 1) << 3 | 6 = 2^63 - 2: nine bytes, the low group 0x7e, then seven 0x7f groups and a last
        // 0x7f group without continuation.
        Vector(flag: .resetInitiator, number: (1 << 60) - 1, payload: [], hex: "fe ff ff ff ff ff ff ff 7f 00"),
    ]

    @Test("encoding", arguments: vectors)
    func encodes(_ vector: Vector) {
        #expect(hexString(mplexFrame(vector.flag, stream: vector.number, payload: vector.payload))
            == vector.hex.filter { !$0.isWhitespace })
    }

    @Test("decoding", arguments: vectors)
    func decodes(_ vector: Vector) throws {
        let frames = try decodeMplexFrames(hexBytes(vector.hex))
        #expect(frames == [MplexWireFrame(flag: vector.flag, number: vector.number, payload: vector.payload)])
    }

    @Test func aOneMebibyteLengthIsThreeBytes() throws {
        // 2^20 = 64 * 128 * 128: groups 0x00, 0x00, 0x40.
        var buffer = ByteBuffer()
        MplexFrameHeader(streamNumber: 0, flag: .messageInitiator, length: 1 << 20).write(to: &buffer)
        #expect(hexString(buffer) == "028080" + "40")
        var decoder = MplexFrameDecoder()
        let item = try decoder.next(from: &buffer)
        #expect(item == .header(MplexFrameHeader(streamNumber: 0, flag: .messageInitiator, length: 1 << 20)))
    }

    @Test func flagsNameTheirSenderAndKind() {
        for flag in MplexFlag.allCases {
            #expect(MplexFlag(flag.kind, senderIsInitiator: flag.senderIsInitiator) == flag)
        }
        #expect(MplexFlag.newStream.senderIsInitiator)
        #expect(!MplexFlag.messageReceiver.senderIsInitiator && MplexFlag.messageInitiator.senderIsInitiator)
        #expect(MplexFrameHeader(streamNumber: 4, flag: .closeReceiver, length: 0).receivedStreamID
            == MplexStreamID(number: 4, origin: .local))
        #expect(MplexFrameHeader(streamNumber: 4, flag: .closeInitiator, length: 0).receivedStreamID
            == MplexStreamID(number: 4, origin: .remote))
    }

    @Test func connectionUniqueIDsKeepTheTwoNamespacesApart() {
        #expect(MplexStreamID(number: 3, origin: .local).connectionUniqueValue == 6)
        #expect(MplexStreamID(number: 3, origin: .remote).connectionUniqueValue == 7)
        #expect(MplexStreamID(number: MplexStreamID.maxNumber, origin: .remote).connectionUniqueValue == (1 << 61) - 1)
    }

    /// What the session itself writes for each command, byte for byte.
    @Test func sessionCommandsWriteTheseBytes() throws {
        var session = MplexSession()
        let stream = try session.openStream(now: mplexT0)
        #expect(session.takeHex() == "000130")  // NewStream 0 "0"
        try session.write(stream, ByteBuffer(string: "hi"))
        #expect(session.takeHex() == "02026869")  // MessageInitiator 0
        _ = try session.closeWrite(stream)
        #expect(session.takeHex() == "0400")  // CloseInitiator 0
        // A stream the peer opened: our frames carry the Receiver flags.
        _ = session.feed(hexBytes("08 00"))  // NewStream 1, no name
        let theirs = MplexStreamID(number: 1, origin: .remote)
        try session.write(theirs, ByteBuffer(string: "x"))
        session.reset(theirs)
        #expect(session.takeHex() == "090178" + "0d00")  // MessageReceiver 1, ResetReceiver 1
    }
}
