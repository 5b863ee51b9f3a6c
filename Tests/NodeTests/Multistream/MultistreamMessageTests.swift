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

/// Framing of multistream-select messages (multistream-select.md §1).
@Suite struct MultistreamMessageTests {
    /// The byte table of §1.
    static let framedExamples: [(text: String, hex: String)] = [
        ("/multistream/1.0.0", "13 2f6d756c746973747265616d2f312e302e30 0a"),
        ("na", "03 6e61 0a"),
        ("ls", "03 6c73 0a"),
        ("/noise", "07 2f6e6f697365 0a"),
        ("/tls/1.0.0", "0b 2f746c732f312e302e30 0a"),
        ("/yamux/1.0.0", "0d 2f79616d75782f312e302e30 0a"),
        ("/ipfs/ping/1.0.0", "11 2f697066732f70696e672f312e302e30 0a"),
        ("/ipfs/id/1.0.0", "0f 2f697066732f69642f312e302e30 0a"),
        ("/ipfs/id/push/1.0.0", "14 2f697066732f69642f707573682f312e302e30 0a"),
        ("/perf/1.0.0", "0c 2f706572662f312e302e30 0a"),
    ]

    @Test(arguments: framedExamples.indices)
    func encodesSpecExample(index: Int) throws {
        let example = Self.framedExamples[index]
        let expected = try ByteBuffer(plainHexEncodedBytes: example.hex)
        #expect(MultistreamMessage.encode(example.text) == expected)
    }

    @Test(arguments: framedExamples.indices)
    func decodesSpecExample(index: Int) throws {
        let example = Self.framedExamples[index]
        var buffer = try ByteBuffer(plainHexEncodedBytes: example.hex)
        let decoder = MultistreamMessageDecoder()
        #expect(try decoder.decode(&buffer) == example.text)
        #expect(buffer.readableBytes == 0)
    }

    @Test func decodesOneByteAtATime() throws {
        let wire = MultistreamMessage.encode(MultistreamMessage.header, "/yamux/1.0.0")
        let decoder = MultistreamMessageDecoder()
        var accumulated = ByteBuffer()
        var decoded: [String] = []
        for byte in wire.readableBytesView {
            accumulated.writeInteger(byte)
            while let text = try decoder.decode(&accumulated) {
                decoded.append(text)
            }
        }
        #expect(decoded == [MultistreamMessage.header, "/yamux/1.0.0"])
        #expect(accumulated.readableBytes == 0)
    }

    @Test func incompleteMessageConsumesNothing() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "07 2f6e6f69")
        #expect(try MultistreamMessageDecoder().decode(&buffer) == nil)
        #expect(buffer.readableBytes == 5)
    }

    @Test func twoByteLengthPrefixRoundTrips() throws {
        let text = "/" + String(repeating: "a", count: 199)
        var buffer = MultistreamMessage.encode(text)
        // 201 = 0xc9 → uvarint c9 01
        #expect(buffer.getBytes(at: 0, length: 2) == [0xc9, 0x01])
        #expect(try MultistreamMessageDecoder().decode(&buffer) == text)
    }

    @Test func oversizeLengthIsRejectedFromThePrefixAlone() throws {
        // 1025 = uvarint 81 08; no body follows, the prefix alone must be enough to reject.
        var buffer = try ByteBuffer(plainHexEncodedBytes: "81 08")
        #expect(throws: MultistreamError.messageTooLong(limit: 1024, declared: 1025)) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func hugeDeclaredLengthIsRejectedBeforeAllocation() throws {
        // 2^62: a decoder that allocated for the body would crash or exhaust memory.
        var buffer = try ByteBuffer(plainHexEncodedBytes: "80 80 80 80 80 80 80 80 40")
        #expect(throws: MultistreamError.messageTooLong(limit: 1024, declared: 1 << 62)) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func customLimitApplies() throws {
        var buffer = MultistreamMessage.encode("/yamux/1.0.0")
        #expect(throws: MultistreamError.messageTooLong(limit: 8, declared: 13)) {
            try MultistreamMessageDecoder(maxLength: 8).decode(&buffer)
        }
    }

    @Test func lengthPrefixLongerThanNineBytesIsRejected() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "80 80 80 80 80 80 80 80 80 01")
        #expect(throws: MultistreamError.invalidLengthPrefix(.tooLong)) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func nonMinimalLengthPrefixIsRejected() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "83 00 6e 61 0a")
        #expect(throws: MultistreamError.invalidLengthPrefix(.nonMinimal(byteCount: 2))) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func missingNewlineIsRejected() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "03 6e 61 20")
        #expect(throws: MultistreamError.missingNewline) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func zeroLengthMessageIsRejected() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "00")
        #expect(throws: MultistreamError.missingNewline) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func invalidUTF8IsRejected() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "03 c3 28 0a")
        #expect(throws: MultistreamError.invalidUTF8) {
            try MultistreamMessageDecoder().decode(&buffer)
        }
    }

    @Test func emptyTextIsAValidMessage() throws {
        var buffer = try ByteBuffer(plainHexEncodedBytes: "01 0a")
        #expect(try MultistreamMessageDecoder().decode(&buffer) == "")
    }
}
