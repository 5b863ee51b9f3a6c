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

/// The byte examples of yamux spec §9, encoded and decoded.
@Suite struct YamuxFrameHeaderTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var name: String
        var hex: String
        var type: YamuxFrameType
        var flags: YamuxFlags
        var stream: UInt32
        var length: UInt32
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(
            name: "open stream 1", hex: "00 01 0001 00000001 00000000",
            type: .windowUpdate, flags: .syn, stream: 1, length: 0),
        Example(
            name: "ACK stream 1", hex: "00 01 0002 00000001 00000000",
            type: .windowUpdate, flags: .ack, stream: 1, length: 0),
        Example(
            name: "Data SYN 19 bytes", hex: "00 00 0001 00000001 00000013",
            type: .data, flags: .syn, stream: 1, length: 19),
        Example(
            name: "window +262144 on 3", hex: "00 01 0000 00000003 00040000",
            type: .windowUpdate, flags: [], stream: 3, length: 262_144),
        Example(
            name: "FIN stream 1", hex: "00 01 0004 00000001 00000000",
            type: .windowUpdate, flags: .fin, stream: 1, length: 0),
        Example(
            name: "RST stream 2 code 0x1001", hex: "00 01 0008 00000002 00001001",
            type: .windowUpdate, flags: .rst, stream: 2, length: 0x1001),
        Example(
            name: "ping 42", hex: "00 02 0001 00000000 0000002a",
            type: .ping, flags: .syn, stream: 0, length: 42),
        Example(
            name: "ping reply", hex: "00 02 0002 00000000 0000002a",
            type: .ping, flags: .ack, stream: 0, length: 42),
        Example(
            name: "go away normal", hex: "00 03 0000 00000000 00000000",
            type: .goAway, flags: [], stream: 0, length: 0),
        Example(
            name: "go away protocol error", hex: "00 03 0000 00000000 00000001",
            type: .goAway, flags: [], stream: 0, length: 1),
    ]

    @Test(arguments: examples)
    func encodesSpecExample(_ example: Example) {
        var buffer = ByteBuffer()
        YamuxFrameHeader(
            type: example.type, flags: example.flags, streamID: YamuxStreamID(example.stream), length: example.length
        ).write(to: &buffer)
        #expect(hexString(buffer) == example.hex.filter { !$0.isWhitespace })
    }

    @Test(arguments: examples)
    func decodesSpecExample(_ example: Example) throws {
        var buffer = hexBytes(example.hex)
        let header = try #require(try YamuxFrameHeader.read(from: &buffer))
        #expect(header.type == example.type)
        #expect(header.flags == example.flags)
        #expect(header.streamID == YamuxStreamID(example.stream))
        #expect(header.length == example.length)
        #expect(buffer.readableBytes == 0)
    }

    @Test func shortInputLeavesBufferUntouched() throws {
        var buffer = hexBytes("00 01 0001 00000001 000000")
        #expect(try YamuxFrameHeader.read(from: &buffer) == nil)
        #expect(buffer.readableBytes == 11)
    }

    @Test func rejectsNonZeroVersion() {
        var buffer = hexBytes("01 01 0001 00000001 00000000")
        #expect(throws: YamuxError.unsupportedVersion(1)) { try YamuxFrameHeader.read(from: &buffer) }
    }

    @Test func rejectsUnknownType() {
        var buffer = hexBytes("00 04 0000 00000000 00000000")
        #expect(throws: YamuxError.unknownFrameType(4)) { try YamuxFrameHeader.read(from: &buffer) }
    }

    @Test func unknownFlagBitsAreKeptButMeanNothing() throws {
        var buffer = hexBytes("00 01 0011 00000001 00000000")
        let header = try #require(try YamuxFrameHeader.read(from: &buffer))
        #expect(header.flags.contains(.syn))
        #expect(!header.flags.contains(.ack) && !header.flags.contains(.fin) && !header.flags.contains(.rst))
    }
}
