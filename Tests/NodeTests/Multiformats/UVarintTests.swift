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

private func hex(_ text: String) -> [UInt8] {
    // Base16 is itself checked against RFC 4648 vectors in MultibaseTests.
    (try? MultibaseEncoding.base16.decode(text)) ?? []
}

@Suite struct UVarintTests {
    /// encodings.md §1 table.
    static let table: [(UInt64, String)] = [
        (0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (255, "ff01"), (300, "ac02"),
        (16383, "ff7f"), (16384, "808001"), (UVarint.maxValue, "ffffffffffffffff7f"),
    ]

    @Test(arguments: table)
    func encodesTableValue(value: UInt64, expected: String) {
        #expect(UVarint.encode(value) == hex(expected))
        #expect(UVarint.encodedByteCount(of: value) == hex(expected).count)
    }

    @Test(arguments: table)
    func decodesTableValueFedOneByteAtATime(value: UInt64, encoded: String) throws {
        let bytes = hex(encoded)
        for length in 0..<bytes.count {
            #expect(try UVarint.decode(bytes.prefix(length)) == .needMoreBytes)
        }
        #expect(try UVarint.decode(bytes) == .value(value, byteCount: bytes.count))
        // Bytes after the varint belong to the next field and are not consumed.
        #expect(try UVarint.decode(bytes + [0xff, 0x01]) == .value(value, byteCount: bytes.count))
    }

    @Test func roundTripsEveryBitLength() throws {
        for bits in 0..<63 {
            for value in [UInt64(1) << bits, (UInt64(1) << bits) - 1, (UInt64(1) << bits) + 1] {
                let encoded = UVarint.encode(value)
                #expect(try UVarint.decode(encoded) == .value(value, byteCount: encoded.count))
            }
        }
    }

    @Test(arguments: [
        ("8100", UVarintError.nonMinimal(byteCount: 2)),
        ("8000", .nonMinimal(byteCount: 2)),
        ("ff8000", .nonMinimal(byteCount: 3)),
        ("ffffffffffffffff00", .nonMinimal(byteCount: 9)),
        ("ffffffffffffffffff", .tooLong),
        ("ffffffffffffffffff01", .tooLong),
        ("80808080808080808001", .tooLong),
    ])
    func rejectsMalformed(encoded: String, expected: UVarintError) {
        #expect(throws: expected) { try UVarint.decode(hex(encoded)) }
    }

    @Test func reportsTooLongAsSoonAsTheNinthByteContinues() throws {
        let bytes = [UInt8](repeating: 0xff, count: 9)
        for length in 0..<9 {
            #expect(try UVarint.decode(bytes.prefix(length)) == .needMoreBytes)
        }
        #expect(throws: UVarintError.tooLong) { try UVarint.decode(bytes) }
    }

    @Test func errorsDescribeTheProblem() {
        #expect(UVarintError.nonMinimal(byteCount: 2).description.contains("non-minimal"))
        #expect(UVarintError.tooLong.description.contains("9 bytes"))
    }
}

@Suite struct ByteBufferUVarintTests {
    @Test(arguments: UVarintTests.table)
    func writesTableValue(value: UInt64, expected: String) {
        var buffer = ByteBuffer()
        let written = buffer.writeUVarint(value)
        #expect(written == hex(expected).count)
        #expect(Array(buffer.readableBytesView) == hex(expected))
    }

    @Test(arguments: UVarintTests.table)
    func readsTableValueFedOneByteAtATime(value: UInt64, encoded: String) throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x55))  // a consumed byte before the varint
        buffer.moveReaderIndex(forwardBy: 1)
        let bytes = hex(encoded)
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let readerIndex = buffer.readerIndex
            let result = try buffer.readUVarint()
            if index < bytes.count - 1 {
                #expect(result == nil)
                #expect(buffer.readerIndex == readerIndex, "an incomplete varint consumes nothing")
            } else {
                #expect(result == value)
                #expect(buffer.readableBytes == 0)
            }
        }
    }

    @Test func peekAndGetDoNotConsume() throws {
        var buffer = ByteBuffer(bytes: [0x01, 0xac, 0x02, 0x07])
        let peeked = try buffer.peekUVarint()
        #expect(peeked?.value == 1 && peeked?.byteCount == 1)
        let got = try buffer.getUVarint(at: buffer.readerIndex + 1)
        #expect(got?.value == 300 && got?.byteCount == 2)
        #expect(buffer.readableBytes == 4)
        #expect(try buffer.readUVarint() == 1)
        #expect(try buffer.readUVarint() == 300)
        #expect(try buffer.readUVarint() == 7)
        #expect(try buffer.readUVarint() == nil)
    }

    @Test func getOutsideReadableBytesIsNil() throws {
        var buffer = ByteBuffer(bytes: [0x05, 0x06])
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(try buffer.getUVarint(at: 0) == nil)
        #expect(try buffer.getUVarint(at: 2) == nil)
        #expect(try buffer.getUVarint(at: 99) == nil)
        #expect(try buffer.getUVarint(at: 1)?.value == 6)
    }

    @Test func rejectsMalformedWithoutConsuming() {
        var buffer = ByteBuffer(bytes: [0x81, 0x00])
        #expect(throws: UVarintError.nonMinimal(byteCount: 2)) { try buffer.readUVarint() }
        #expect(buffer.readableBytes == 2)
        var long = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 12))
        #expect(throws: UVarintError.tooLong) { try long.readUVarint() }
    }
}

@Suite struct ByteBufferUVarintFrameTests {
    @Test func readsFramesFedOneByteAtATime() throws {
        var wire = ByteBuffer()
        wire.writeUVarintLengthPrefixed(Array("/multistream/1.0.0\n".utf8))
        wire.writeUVarintLengthPrefixed(buffer: ByteBuffer(string: "ls\n"))
        wire.writeUVarintLengthPrefixed([UInt8]())
        let bytes = Array(wire.readableBytesView)
        #expect(bytes.prefix(1) == [19] && bytes.count == 1 + 19 + 1 + 3 + 1)

        var buffer = ByteBuffer()
        var frames: [String] = []
        for byte in bytes {
            buffer.writeInteger(byte)
            while let frame = try buffer.readUVarintLengthPrefixedSlice(maxLength: 1024) {
                frames.append(String(buffer: frame))
            }
        }
        #expect(frames == ["/multistream/1.0.0\n", "ls\n", ""])
        #expect(buffer.readableBytes == 0)
    }

    @Test func incompleteFrameConsumesNothing() throws {
        var buffer = ByteBuffer(bytes: [0x05, 0x61, 0x62])
        #expect(try buffer.readUVarintLengthPrefixedSlice(maxLength: 10) == nil)
        #expect(buffer.readableBytes == 3)
    }

    @Test func refusesOversizedLengthBeforeTheBodyArrives() {
        // 1025 = 0x81 0x08; nothing of the body has arrived yet.
        var buffer = ByteBuffer(bytes: [0x81, 0x08])
        #expect(throws: UVarintFrameError.lengthExceedsLimit(length: 1025, limit: 1024)) {
            try buffer.readUVarintLengthPrefixedSlice(maxLength: 1024)
        }
        var huge = ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        #expect(throws: UVarintFrameError.lengthExceedsLimit(length: UVarint.maxValue, limit: 1024)) {
            try huge.readUVarintLengthPrefixedSlice(maxLength: 1024)
        }
        var malformed = ByteBuffer(bytes: [0x80, 0x00])
        #expect(throws: UVarintFrameError.invalidLength(.nonMinimal(byteCount: 2))) {
            try malformed.readUVarintLengthPrefixedSlice(maxLength: 1024)
        }
    }
}
