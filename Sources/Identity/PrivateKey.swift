import Foundation

/// A libp2p private (identity) key of any supported type (peer-id.md §2).
///
/// The marshaled form is the on-disk format only; it is never sent to peers.
/// `description` deliberately shows no key material.
public struct PrivateKey: Sendable, CustomStringConvertible {
    enum Material: Sendable {
        case ed25519(Ed25519PrivateKey)
        case secp256k1(Secp256k1PrivateKey)
        case ecdsa(ECDSAPrivateKey)
        case rsa(RSAPrivateKey)
    }

    let material: Material

    /// The public key, derived from the private material (never taken from the file).
    public let publicKey: PublicKey

    private init(_ material: Material) {
        self.material = material
        switch material {
        case .ed25519(let key): publicKey = PublicKey(.ed25519(key.publicKey))
        case .secp256k1(let key): publicKey = PublicKey(.secp256k1(key.publicKey))
        case .ecdsa(let key): publicKey = PublicKey(.ecdsa(key.publicKey))
        case .rsa(let key): publicKey = PublicKey(.rsa(key.publicKey))
        }
    }

    /// A new random key. RSA keys are 2048 bits.
    public static func generate(_ keyType: KeyType) throws(KeyError) -> PrivateKey {
        switch keyType {
        case .ed25519: PrivateKey(.ed25519(Ed25519PrivateKey.generate()))
        case .secp256k1: PrivateKey(.secp256k1(try Secp256k1PrivateKey.generate()))
        case .ecdsa: PrivateKey(.ecdsa(ECDSAPrivateKey.generate()))
        case .rsa: PrivateKey(.rsa(try RSAPrivateKey.generate()))
        }
    }

    /// Decodes the `PrivateKey` protobuf (`08 <type> 12 <len> <data>`).
    public init(marshaled bytes: [UInt8]) throws(KeyError) {
        let (keyType, data) = try KeyProtobuf.decode(bytes)
        try self.init(keyType: keyType, rawData: data)
    }

    /// Builds a key from the contents of the protobuf `Data` field for `keyType`.
    public init(keyType: KeyType, rawData: [UInt8]) throws(KeyError) {
        switch keyType {
        case .ed25519: self.init(.ed25519(try Ed25519PrivateKey(data: rawData)))
        case .secp256k1: self.init(.secp256k1(try Secp256k1PrivateKey(data: rawData)))
        case .ecdsa: self.init(.ecdsa(try ECDSAPrivateKey(data: rawData)))
        case .rsa: self.init(.rsa(try RSAPrivateKey(data: rawData)))
        }
    }

    public var keyType: KeyType { publicKey.keyType }

    /// The protobuf `Data` field in canonical form: Ed25519 seed ‖ public (64 bytes), secp256k1 scalar,
    /// SEC1 ECPrivateKey DER, or PKCS#1 RSAPrivateKey DER.
    public var rawData: [UInt8] {
        switch material {
        case .ed25519(let key): key.data
        case .secp256k1(let key): key.data
        case .ecdsa(let key): key.data
        case .rsa(let key): key.data
        }
    }

    /// The deterministic `PrivateKey` protobuf, as stored in the identity file.
    public func marshal() -> [UInt8] {
        KeyProtobuf.encode(keyType: keyType, data: rawData)
    }

    /// Signs `message` with this key's algorithm (peer-id.md §2): Ed25519 over the message,
    /// ECDSA/secp256k1 DER over SHA-256(message), RSA PKCS#1 v1.5 with SHA-256.
    public func sign(_ message: some DataProtocol) throws(KeyError) -> [UInt8] {
        switch material {
        case .ed25519(let key): try key.sign(message)
        case .secp256k1(let key): try key.sign(message)
        case .ecdsa(let key): try key.sign(message)
        case .rsa(let key): try key.sign(message)
        }
    }

    public var description: String {
        "\(keyType) private key"
    }
}
