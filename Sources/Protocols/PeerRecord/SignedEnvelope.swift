import Foundation
import Identity
import Multiformats

/// The signed envelope of RFC 0002 (protocols.md §2): a payload, its type, the signer's public key and a
/// signature bound to a domain string that is never sent.
struct SignedEnvelope: Sendable, Equatable {
    let publicKey: PublicKey
    let payloadType: [UInt8]
    let payload: [UInt8]
    let signature: [UInt8]

    /// What the signature covers: `uvarint(len) ‖ bytes` for domain, payload type and payload in turn.
    static func signedBytes(domain: String, payloadType: [UInt8], payload: [UInt8]) -> [UInt8] {
        let domainBytes = Array(domain.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(domainBytes.count + payloadType.count + payload.count + 3 * UVarint.maxByteCount)
        for part in [domainBytes, payloadType, payload] {
            UVarint.encode(UInt64(part.count), into: &out)
            out.append(contentsOf: part)
        }
        return out
    }

    /// Signs `payload` with `key` under `domain`.
    static func seal(
        payload: [UInt8],
        payloadType: [UInt8],
        domain: String,
        key: PrivateKey
    ) throws(KeyError) -> SignedEnvelope {
        let message = signedBytes(domain: domain, payloadType: payloadType, payload: payload)
        let signature = try key.sign(message)
        return SignedEnvelope(publicKey: key.publicKey, payloadType: payloadType, payload: payload, signature: signature)
    }

    /// The `Envelope` protobuf.
    func marshal() -> [UInt8] {
        var key = Crypto_Pb_PublicKey()
        if let type = Crypto_Pb_KeyType(rawValue: publicKey.keyType.rawValue) {
            key.type = type
        }
        key.data = Data(publicKey.rawData)
        var message = Record_Pb_Envelope()
        message.publicKey = key
        message.payloadType = Data(payloadType)
        message.payload = Data(payload)
        message.signature = Data(signature)
        return ProtobufEncoding.bytes(of: message)
    }

    /// Decodes an `Envelope` protobuf; the signature is not checked here (see ``verify(domain:)``).
    init(marshaled bytes: [UInt8]) throws(PeerRecordError) {
        let message: Record_Pb_Envelope
        do {
            message = try Record_Pb_Envelope(serializedBytes: bytes)
        } catch {
            throw .malformedEnvelope(reason: "\(error)")
        }
        guard message.hasPublicKey else { throw .malformedEnvelope(reason: "no public key") }
        guard let keyType = KeyType(rawValue: message.publicKey.type.rawValue) else {
            throw .invalidPublicKey(.unknownKeyType(message.publicKey.type.rawValue))
        }
        do {
            publicKey = try PublicKey(keyType: keyType, rawData: Array(message.publicKey.data))
        } catch {
            throw .invalidPublicKey(error)
        }
        payloadType = Array(message.payloadType)
        payload = Array(message.payload)
        signature = Array(message.signature)
    }

    private init(publicKey: PublicKey, payloadType: [UInt8], payload: [UInt8], signature: [UInt8]) {
        self.publicKey = publicKey
        self.payloadType = payloadType
        self.payload = payload
        self.signature = signature
    }

    /// Whether the signature is valid for this envelope's key under `domain`.
    func verify(domain: String) -> Bool {
        let message = Self.signedBytes(domain: domain, payloadType: payloadType, payload: payload)
        return publicKey.verify(signature: signature, for: message)
    }
}
