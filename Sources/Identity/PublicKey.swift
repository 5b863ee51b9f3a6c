import Foundation

/// A libp2p public key of any supported type (peer-id.md §2).
///
/// Values are validated when created: decoding a key that came from the network either yields a
/// usable key whose `marshal()` reproduces the received bytes exactly, or throws a `KeyError`.
/// Two keys are equal when their type and `rawData` are equal.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    enum Material: Sendable {
        case ed25519(Ed25519PublicKey)
        case secp256k1(Secp256k1PublicKey)
        case ecdsa(ECDSAPublicKey)
        case rsa(RSAPublicKey)
    }

    let material: Material

    init(_ material: Material) {
        self.material = material
    }

    /// Decodes the `PublicKey` protobuf (`08 <type> 12 <len> <data>`).
    public init(marshaled bytes: [UInt8]) throws(KeyError) {
        let (keyType, data) = try KeyProtobuf.decode(bytes)
        try self.init(keyType: keyType, rawData: data)
    }

    /// Builds a key from the contents of the protobuf `Data` field for `keyType`.
    public init(keyType: KeyType, rawData: [UInt8]) throws(KeyError) {
        switch keyType {
        case .ed25519: material = .ed25519(try Ed25519PublicKey(data: rawData))
        case .secp256k1: material = .secp256k1(try Secp256k1PublicKey(data: rawData))
        case .ecdsa: material = .ecdsa(try ECDSAPublicKey(data: rawData))
        case .rsa: material = .rsa(try RSAPublicKey(data: rawData))
        }
    }

    public var keyType: KeyType {
        switch material {
        case .ed25519: .ed25519
        case .secp256k1: .secp256k1
        case .ecdsa: .ecdsa
        case .rsa: .rsa
        }
    }

    /// The protobuf `Data` field: raw Ed25519 key, compressed secp256k1 point, or SPKI DER (ECDSA, RSA).
    public var rawData: [UInt8] {
        switch material {
        case .ed25519(let key): key.raw
        case .secp256k1(let key): key.compressed
        case .ecdsa(let key): key.spki
        case .rsa(let key): key.spki
        }
    }

    /// The deterministic `PublicKey` protobuf; peer IDs are derived from exactly these bytes.
    public func marshal() -> [UInt8] {
        KeyProtobuf.encode(keyType: keyType, data: rawData)
    }

    /// Checks `signature` over `message` with this key's algorithm (peer-id.md §2).
    /// Any malformed signature simply fails verification.
    public func verify(signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        switch material {
        case .ed25519(let key): key.verify(signature: signature, for: message)
        case .secp256k1(let key): key.verify(signature: signature, for: message)
        case .ecdsa(let key): key.verify(signature: signature, for: message)
        case .rsa(let key): key.verify(signature: signature, for: message)
        }
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.keyType == rhs.keyType && lhs.rawData == rhs.rawData
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keyType)
        hasher.combine(rawData)
    }

    public var description: String {
        "\(keyType) public key (\(rawData.count) bytes)"
    }
}
