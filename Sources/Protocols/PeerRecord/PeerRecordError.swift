import Identity
import Multiformats

/// Why a signed peer record was not accepted. Never fatal for the connection: identify reports it in
/// ``PeerRecordStatus/invalid(_:)`` and carries on without the record.
public enum PeerRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The envelope bytes are not a valid `Envelope` protobuf (or lack its public key).
    case malformedEnvelope(reason: String)
    /// The envelope's public key is not a usable libp2p key.
    case invalidPublicKey(KeyError)
    /// The payload type is not the go/py peer-record type `03 01` (rust-libp2p's
    /// `/libp2p/routing-state-record` lands here too: it signs under another domain).
    case unexpectedPayloadType([UInt8])
    /// The signature does not verify under the envelope's key and the peer-record domain.
    case invalidSignature
    /// The payload is not a valid `PeerRecord` protobuf.
    case malformedRecord(reason: String)
    /// The record's `peer_id` is not a valid peer ID.
    case invalidRecordPeerID(PeerIDError)
    /// Address `index` of the record is not a valid binary multiaddr.
    case invalidRecordAddress(index: Int, MultiaddrError)
    /// The record names another peer than the key that signed it.
    case recordPeerMismatch(signer: PeerID, record: PeerID)
    /// The record was signed by another peer than the one on this connection.
    case signerIsNotConnectionPeer(expected: PeerID, signer: PeerID)

    public var description: String {
        switch self {
        case .malformedEnvelope(let reason):
            return "malformed signed envelope: \(reason)"
        case .invalidPublicKey(let error):
            return "signed envelope carries an invalid public key: \(error)"
        case .unexpectedPayloadType(let bytes):
            return "envelope payload type [\(BytesHex.string(bytes, separator: " "))] is not a libp2p peer record (03 01)"
        case .invalidSignature:
            return "peer record signature does not verify"
        case .malformedRecord(let reason):
            return "malformed peer record: \(reason)"
        case .invalidRecordPeerID(let error):
            return "peer record has an invalid peer ID: \(error)"
        case .invalidRecordAddress(let index, let error):
            return "peer record address \(index) is invalid: \(error)"
        case .recordPeerMismatch(let signer, let record):
            return "peer record for \(record) is signed by \(signer)"
        case .signerIsNotConnectionPeer(let expected, let signer):
            return "peer record signed by \(signer) arrived from \(expected)"
        }
    }
}
