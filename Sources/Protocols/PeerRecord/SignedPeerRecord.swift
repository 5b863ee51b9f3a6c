import Identity
import Multiformats

/// A ``PeerRecord`` inside a verified signed envelope, with the exact envelope bytes to forward.
///
/// Uses the go-libp2p / py-libp2p constants (protocols.md §2): domain `libp2p-peer-record`, payload type
/// bytes `03 01`. Records signed with rust-libp2p's RFC constants do not verify against them.
public struct SignedPeerRecord: Sendable, Hashable {
    public static let domain = "libp2p-peer-record"
    /// The multicodec 0x0301 as two raw bytes, not as its uvarint.
    public static let payloadType: [UInt8] = [0x03, 0x01]

    public let record: PeerRecord
    public let publicKey: PublicKey
    /// The serialized `Envelope`, as sent in identify field 8.
    public let envelopeBytes: [UInt8]

    /// Signs a record of `addresses` for the peer of `key`.
    ///
    /// - Parameter seq: defaults to the process-wide ``PeerRecordSequence`` (Unix time in nanoseconds,
    ///   strictly increasing).
    public static func create(
        addresses: [Multiaddr],
        signingKey key: PrivateKey,
        seq: UInt64 = PeerRecordSequence.shared.next()
    ) throws(KeyError) -> SignedPeerRecord {
        let record = PeerRecord(peerID: key.peerID, seq: seq, addresses: addresses)
        let envelope = try SignedEnvelope.seal(
            payload: record.marshal(),
            payloadType: payloadType,
            domain: domain,
            key: key
        )
        return SignedPeerRecord(record: record, publicKey: key.publicKey, envelopeBytes: envelope.marshal())
    }

    /// Opens and checks a received envelope: decodable, peer-record payload type, valid signature under
    /// the peer-record domain, and a record naming the signer.
    public init(envelope bytes: [UInt8]) throws(PeerRecordError) {
        let envelope = try SignedEnvelope(marshaled: bytes)
        guard envelope.payloadType == Self.payloadType else {
            throw .unexpectedPayloadType(envelope.payloadType)
        }
        guard envelope.verify(domain: Self.domain) else { throw .invalidSignature }
        let record = try PeerRecord(marshaled: envelope.payload)
        let signer = envelope.publicKey.peerID
        guard record.peerID == signer else { throw .recordPeerMismatch(signer: signer, record: record.peerID) }
        self.init(record: record, publicKey: envelope.publicKey, envelopeBytes: bytes)
    }

    /// As ``init(envelope:)``, and the signer must also be `connectionPeer`.
    public init(envelope bytes: [UInt8], from connectionPeer: PeerID) throws(PeerRecordError) {
        try self.init(envelope: bytes)
        guard record.peerID == connectionPeer else {
            throw .signerIsNotConnectionPeer(expected: connectionPeer, signer: record.peerID)
        }
    }

    private init(record: PeerRecord, publicKey: PublicKey, envelopeBytes: [UInt8]) {
        self.record = record
        self.publicKey = publicKey
        self.envelopeBytes = envelopeBytes
    }
}
