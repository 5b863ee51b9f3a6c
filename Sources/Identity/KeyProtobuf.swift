import Multiformats

/// The libp2p `PublicKey` / `PrivateKey` protobuf, encoded and decoded by hand (peer-id.md §1).
///
/// Peer IDs hash these exact bytes, so the encoding is the one deterministic form
/// `08 <type> 12 <uvarint len(Data)> <Data>`, and decoding accepts nothing else: both fields present,
/// `Type` before `Data`, minimal varints, a known key type, bounded `Data`, no trailing bytes.
enum KeyProtobuf {
    /// Field 1 (`Type`), wire type 0 (varint).
    static let typeTag: UInt64 = 0x08
    /// Field 2 (`Data`), wire type 2 (length-delimited).
    static let dataTag: UInt64 = 0x12
    /// Upper bound on `Data`: an 8192-bit RSA private key in PKCS#1 DER is about 4.7 KB.
    static let maximumDataLength = 8192

    static func encode(keyType: KeyType, data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 8)
        appendVarint(typeTag, to: &out)
        appendVarint(UInt64(keyType.rawValue), to: &out)
        appendVarint(dataTag, to: &out)
        appendVarint(UInt64(data.count), to: &out)
        out.append(contentsOf: data)
        return out
    }

    static func decode(_ bytes: [UInt8]) throws(KeyError) -> (keyType: KeyType, data: [UInt8]) {
        var input = bytes[...]

        try expectTag(typeTag, fieldName: "Type", in: &input)
        let typeValue = try readVarint(field: "Type", from: &input)
        guard let keyType = KeyType(rawValue: Int(typeValue)) else {
            throw .unknownKeyType(Int(typeValue))
        }

        try expectTag(dataTag, fieldName: "Data", in: &input)
        let length = try readVarint(field: "Data length", from: &input)
        guard length <= UInt64(maximumDataLength) else {
            throw .dataTooLong(length: length, limit: maximumDataLength)
        }
        guard input.count >= Int(length) else { throw .truncated(field: "Data") }
        let data = Array(input.prefix(Int(length)))
        input = input.dropFirst(Int(length))

        guard input.isEmpty else { throw .trailingBytes(count: input.count) }
        return (keyType, data)
    }

    // MARK: - Varints

    private static func expectTag(
        _ expected: UInt64, fieldName: String, in input: inout ArraySlice<UInt8>
    ) throws(KeyError) {
        guard !input.isEmpty else { throw .missingField(fieldName) }
        let tag = try readVarint(field: "\(fieldName) tag", from: &input)
        guard tag == expected else { throw .unexpectedTag(got: tag, expected: expected) }
    }

    private static func readVarint(field: String, from input: inout ArraySlice<UInt8>) throws(KeyError) -> UInt64 {
        let result: UVarint.DecodeResult
        do {
            result = try UVarint.decode(input)
        } catch {
            switch error {
            case .nonMinimal: throw .invalidVarint(field: field, reason: "non-minimal varint encoding")
            case .tooLong: throw .invalidVarint(field: field, reason: "varint longer than \(UVarint.maxByteCount) bytes")
            }
        }
        guard case .value(let value, let byteCount) = result else { throw .truncated(field: field) }
        input = input.dropFirst(byteCount)
        return value
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        UVarint.encode(value, into: &out)
    }
}
