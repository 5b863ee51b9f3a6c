import Identity
import SwiftASN1

/// The libp2p Public Key Extension: the host key and its signature over the certificate's key, which
/// binds a throwaway TLS key to the peer's identity.
///
///     SignedKey ::= SEQUENCE { publicKey OCTET STRING, signature OCTET STRING }
struct Libp2pKeyExtension: Sendable, Equatable {
    /// 1.3.6.1.4.1.53594.1.1 (IANA private enterprise number 53594 = libp2p).
    static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 53594, 1, 1]
    static let oidText = "1.3.6.1.4.1.53594.1.1"
    /// What the host key signs, in front of the certificate's SubjectPublicKeyInfo DER.
    static let signaturePrefix = Array("libp2p-tls-handshake:".utf8)
    /// A SignedKey is two short octet strings (an RSA-4096 key and signature stay far below this).
    static let maximumEncodedLength = 8 * 1024

    /// The host key as a libp2p PublicKey protobuf.
    var publicKey: [UInt8]
    var signature: [UInt8]

    /// Signs `spki` (the certificate key's DER SubjectPublicKeyInfo) with the host key.
    init(signing spki: [UInt8], with hostKey: PrivateKey) throws {
        publicKey = hostKey.publicKey.marshal()
        signature = try hostKey.sign(Self.signaturePrefix + spki)
    }

    init(publicKey: [UInt8], signature: [UInt8]) {
        self.publicKey = publicKey
        self.signature = signature
    }

    init(derEncoded bytes: ArraySlice<UInt8>) throws(TLSError) {
        guard bytes.count <= Self.maximumEncodedLength else {
            throw .malformedExtension(reason: "\(bytes.count) bytes, more than the \(Self.maximumEncodedLength) allowed")
        }
        do {
            let root = try DER.parse(bytes)
            (publicKey, signature) = try DER.sequence(root, identifier: .sequence) { nodes in
                let key = try ASN1OctetString(derEncoded: &nodes)
                let signature = try ASN1OctetString(derEncoded: &nodes)
                return (Array(key.bytes), Array(signature.bytes))
            }
        } catch {
            throw .malformedExtension(reason: "not a SignedKey SEQUENCE of two OCTET STRINGs (\(error))")
        }
    }

    func derEncoded() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(publicKey)))
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(signature)))
        }
        return serializer.serializedBytes
    }

    /// The host key, once its signature over `spki` checks out.
    func verifiedHostKey(spki: [UInt8]) throws(TLSError) -> PublicKey {
        let hostKey: PublicKey
        do {
            hostKey = try PublicKey(marshaled: publicKey)
        } catch {
            switch error {
            case .unknownKeyType: throw .unsupportedKeyType(reason: "\(error)")
            default: throw .malformedExtension(reason: "host key protobuf: \(error)")
            }
        }
        guard hostKey.verify(signature: signature, for: Self.signaturePrefix + spki) else {
            throw .badExtensionSignature(keyType: hostKey.keyType)
        }
        return hostKey
    }
}
