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

/// The strict DER subset used for key structures.
@Suite struct DERTests {
    @Test func readsShortAndLongForms() throws {
        var reader = DER.Reader(([0x04, 0x02, 0xAA, 0xBB] + DER.encode(tag: 0x04, content: [UInt8](repeating: 7, count: 300)))[...])
        #expect(Array(try reader.read(expecting: 0x04, "first")) == [0xAA, 0xBB])
        #expect(try reader.read(expecting: 0x04, "second").count == 300)
        #expect(reader.isAtEnd)
    }

    @Test func encodesMinimalLengths() {
        #expect(DER.encode(tag: 0x04, content: [UInt8](repeating: 0, count: 127)).prefix(2).elementsEqual([0x04, 0x7F]))
        #expect(DER.encode(tag: 0x04, content: [UInt8](repeating: 0, count: 128)).prefix(3).elementsEqual([0x04, 0x81, 0x80]))
        #expect(DER.encode(tag: 0x04, content: [UInt8](repeating: 0, count: 256)).prefix(4).elementsEqual([0x04, 0x82, 0x01, 0x00]))
    }

    @Test(arguments: [
        [UInt8]([0x04, 0x81, 0x05, 1, 2, 3, 4, 5]),  // long form for a length below 128
        [0x04, 0x82, 0x00, 0x80] + [UInt8](repeating: 0, count: 128),  // leading zero length byte
        [0x04, 0x80, 0x00, 0x00],  // indefinite length
        [0x04, 0x05, 1, 2],  // length beyond the input
        [0x04],  // no length
        [0x1F, 0x01, 0x00],  // high tag number form
        [0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 0x00],  // four length bytes
    ])
    func rejectsNonDER(_ bytes: [UInt8]) {
        var reader = DER.Reader(bytes[...])
        #expect(throws: DERError.self) { try reader.read() }
    }

    @Test func wrongTagNamesTheField() {
        var reader = DER.Reader([0x02, 0x01, 0x01][...])
        let error = #expect(throws: DERError.self) { try reader.read(expecting: DER.Tag.octetString, "privateKey") }
        #expect(error?.description == "privateKey: tag 0x2, expected 0x4")
    }

    @Test func integerBitLengths() throws {
        #expect(try DER.positiveIntegerBitLength([0x01]) == 1)
        #expect(try DER.positiveIntegerBitLength([0x00, 0x80]) == 8)
        #expect(try DER.positiveIntegerBitLength([0x01, 0x00]) == 9)
        #expect(try DER.positiveIntegerBitLength([0x00]) == 0)
        #expect(throws: DERError.self) { try DER.positiveIntegerBitLength([0x80]) }
        #expect(throws: DERError.self) { try DER.positiveIntegerBitLength([0x00, 0x01]) }
        #expect(throws: DERError.self) { try DER.positiveIntegerBitLength([0x00, 0x00, 0x80]) }
        #expect(throws: DERError.self) { try DER.positiveIntegerBitLength([]) }
    }
}
