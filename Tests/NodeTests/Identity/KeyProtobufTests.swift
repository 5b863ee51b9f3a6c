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

/// peer-id.md §1: the key protobuf decoder accepts only `08 <type> 12 <len> <data>` with a known type.
@Suite struct KeyProtobufTests {
    static let ed25519Data = Array(KeyVectors.ed25519Public.dropFirst(4))

    @Test func encodesTheDeterministicForm() {
        #expect(KeyProtobuf.encode(keyType: .ed25519, data: Self.ed25519Data) == KeyVectors.ed25519Public)
        // RSA's Type = 0 is still written, and long lengths use a multi-byte varint.
        let data = [UInt8](repeating: 0xAB, count: 300)
        #expect(Array(KeyProtobuf.encode(keyType: .rsa, data: data).prefix(5)) == [0x08, 0x00, 0x12, 0xAC, 0x02])
    }

    @Test func decodesItsOwnEncodingForEveryType() throws {
        for keyType in KeyType.allCases {
            let data: [UInt8] = Array(0..<200)
            let decoded = try KeyProtobuf.decode(KeyProtobuf.encode(keyType: keyType, data: data))
            #expect(decoded.keyType == keyType)
            #expect(decoded.data == data)
        }
    }

    @Test func emptyInputIsMissingType() {
        #expect(throws: KeyError.missingField("Type")) { try PublicKey(marshaled: []) }
    }

    @Test func typeTagAloneIsTruncated() {
        #expect(throws: KeyError.truncated(field: "Type")) { try PublicKey(marshaled: [0x08]) }
    }

    @Test func typeWithoutDataIsMissingData() {
        #expect(throws: KeyError.missingField("Data")) { try PublicKey(marshaled: [0x08, 0x01]) }
        #expect(throws: KeyError.missingField("Data")) { try PrivateKey(marshaled: [0x08, 0x01]) }
    }

    @Test func dataWithoutLengthIsTruncated() {
        #expect(throws: KeyError.truncated(field: "Data length")) { try PublicKey(marshaled: [0x08, 0x01, 0x12]) }
        #expect(throws: KeyError.truncated(field: "Data length")) { try PublicKey(marshaled: [0x08, 0x01, 0x12, 0x80]) }
    }

    @Test func shortDataIsTruncated() {
        let bytes = Array(KeyVectors.ed25519Public.dropLast())
        #expect(throws: KeyError.truncated(field: "Data")) { try PublicKey(marshaled: bytes) }
    }

    @Test(arguments: [4, 5, 127])
    func unknownKeyTypesAreRejected(_ value: Int) {
        let bytes = [0x08, UInt8(value), 0x12, 0x20] + Self.ed25519Data
        #expect(throws: KeyError.unknownKeyType(value)) { try PublicKey(marshaled: bytes) }
        #expect(throws: KeyError.unknownKeyType(value)) { try PrivateKey(marshaled: bytes) }
    }

    @Test func multiByteKeyTypeIsRejectedAsUnknown() {
        let bytes: [UInt8] = [0x08, 0x80, 0x01, 0x12, 0x20] + Self.ed25519Data
        #expect(throws: KeyError.unknownKeyType(128)) { try PublicKey(marshaled: bytes) }
    }

    @Test func nonMinimalTypeVarintIsRejected() {
        let bytes: [UInt8] = [0x08, 0x81, 0x00, 0x12, 0x20] + Self.ed25519Data
        #expect(throws: KeyError.invalidVarint(field: "Type", reason: "non-minimal varint encoding")) {
            try PublicKey(marshaled: bytes)
        }
    }

    @Test func nonMinimalLengthVarintIsRejected() {
        let bytes: [UInt8] = [0x08, 0x01, 0x12, 0xA0, 0x00] + Self.ed25519Data
        #expect(throws: KeyError.invalidVarint(field: "Data length", reason: "non-minimal varint encoding")) {
            try PublicKey(marshaled: bytes)
        }
    }

    @Test func tenByteVarintIsRejected() {
        let bytes: [UInt8] = [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01, 0x12, 0x00]
        #expect(throws: KeyError.invalidVarint(field: "Type", reason: "varint longer than 9 bytes")) {
            try PublicKey(marshaled: bytes)
        }
    }

    @Test func oversizedDataLengthIsRejectedBeforeReading() {
        // Declares 65535 bytes of data but carries none: the bound fires first, nothing is buffered.
        #expect(throws: KeyError.dataTooLong(length: 65535, limit: 8192)) {
            try PublicKey(marshaled: [0x08, 0x00, 0x12, 0xFF, 0xFF, 0x03])
        }
    }

    @Test func trailingBytesAreRejected() {
        #expect(throws: KeyError.trailingBytes(count: 1)) { try PublicKey(marshaled: KeyVectors.ed25519Public + [0x00]) }
        #expect(throws: KeyError.trailingBytes(count: 2)) {
            try PrivateKey(marshaled: KeyVectors.secp256k1Private + [0x08, 0x01])
        }
    }

    @Test func fieldsInTheWrongOrderAreRejected() {
        let bytes: [UInt8] = [0x12, 0x20] + Self.ed25519Data + [0x08, 0x01]
        #expect(throws: KeyError.unexpectedTag(got: 0x12, expected: 0x08)) { try PublicKey(marshaled: bytes) }
    }

    @Test func repeatedTypeFieldIsRejected() {
        let bytes: [UInt8] = [0x08, 0x01, 0x08, 0x01, 0x12, 0x20] + Self.ed25519Data
        #expect(throws: KeyError.unexpectedTag(got: 0x08, expected: 0x12)) { try PublicKey(marshaled: bytes) }
    }

    @Test func unknownExtraFieldIsRejected() {
        let bytes: [UInt8] = [0x08, 0x01, 0x18, 0x00, 0x12, 0x20] + Self.ed25519Data
        #expect(throws: KeyError.unexpectedTag(got: 0x18, expected: 0x12)) { try PublicKey(marshaled: bytes) }
    }

    @Test func everyPrefixOfAValidKeyIsRejected() {
        for length in 0..<KeyVectors.secp256k1Public.count {
            #expect(throws: KeyError.self) { try PublicKey(marshaled: Array(KeyVectors.secp256k1Public.prefix(length))) }
        }
    }

    @Test func keyTypeNamesRoundTrip() {
        for keyType in KeyType.allCases {
            #expect(KeyType(name: keyType.name) == keyType)
        }
        #expect(KeyType(name: "Ed25519") == .ed25519)
        #expect(KeyType(name: "x25519") == nil)
        #expect(KeyType.allCases.map(\.rawValue) == [0, 1, 2, 3])
    }
}
