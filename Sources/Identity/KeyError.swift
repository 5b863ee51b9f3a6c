/// Why a key could not be decoded, generated or used.
///
/// Decoding errors name the step that failed and what arrived, because keys come from the network
/// (Noise handshake payloads, identify, signed records).
public enum KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The protobuf ended before `field` was complete.
    case truncated(field: String)
    /// The protobuf ended where `field` (required) should have started.
    case missingField(String)
    /// A field tag other than the one required at this position (fields must be `Type` then `Data`).
    case unexpectedTag(got: UInt64, expected: UInt64)
    /// A varint that uses more bytes than needed, or more than 9 bytes.
    case invalidVarint(field: String, reason: String)
    /// A key type number that is not RSA (0), Ed25519 (1), Secp256k1 (2) or ECDSA (3).
    case unknownKeyType(Int)
    /// The `Data` length prefix exceeds the bound for key material.
    case dataTooLong(length: UInt64, limit: Int)
    /// Bytes left over after the `Data` field.
    case trailingBytes(count: Int)
    /// Key material of a length this key type never has.
    case wrongLength(keyType: KeyType, expected: [Int], got: Int)
    /// Key material of the right shape that does not decode to a valid key.
    case invalidKeyData(keyType: KeyType, reason: String)
    /// An RSA modulus below the 2048-bit minimum that go-libp2p also enforces.
    case rsaKeyTooSmall(bits: Int)
    /// An RSA modulus above the 8192-bit maximum that go-libp2p also enforces.
    case rsaKeyTooLarge(bits: Int)
    /// Key generation failed inside the crypto library.
    case generationFailed(keyType: KeyType, reason: String)
    /// Signing failed inside the crypto library.
    case signingFailed(keyType: KeyType, reason: String)

    public var description: String {
        switch self {
        case .truncated(let field):
            return "key protobuf truncated inside field \(field)"
        case .missingField(let field):
            return "key protobuf is missing required field \(field)"
        case .unexpectedTag(let got, let expected):
            return "key protobuf has tag 0x\(String(got, radix: 16)) where tag 0x\(String(expected, radix: 16)) was required"
        case .invalidVarint(let field, let reason):
            return "key protobuf field \(field): \(reason)"
        case .unknownKeyType(let value):
            return "unknown key type \(value) (known: 0 RSA, 1 Ed25519, 2 Secp256k1, 3 ECDSA)"
        case .dataTooLong(let length, let limit):
            return "key data length \(length) exceeds the limit of \(limit) bytes"
        case .trailingBytes(let count):
            return "key protobuf has \(count) trailing byte(s) after the Data field"
        case .wrongLength(let keyType, let expected, let got):
            let numbers = expected.map(String.init)
            let choices = numbers.count > 1
                ? numbers.dropLast().joined(separator: ", ") + " or " + (numbers.last ?? "")
                : numbers.joined()
            return "\(keyType) key data has \(got) bytes, expected \(choices)"
        case .invalidKeyData(let keyType, let reason):
            return "invalid \(keyType) key data: \(reason)"
        case .rsaKeyTooSmall(let bits):
            return "RSA key has \(bits) bits, the minimum is \(RSAKeySizeLimits.minimumBits)"
        case .rsaKeyTooLarge(let bits):
            return "RSA key has \(bits) bits, the maximum is \(RSAKeySizeLimits.maximumBits)"
        case .generationFailed(let keyType, let reason):
            return "generating a \(keyType) key failed: \(reason)"
        case .signingFailed(let keyType, let reason):
            return "signing with the \(keyType) key failed: \(reason)"
        }
    }
}
