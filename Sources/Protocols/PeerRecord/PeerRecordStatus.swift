import Identity
import Multiformats

/// What a peer's identify message said about its signed peer record.
public enum PeerRecordStatus: Sendable, Equatable {
    /// No record was sent.
    case absent
    /// A record that verified against the connection's peer.
    case valid(SignedPeerRecord)
    /// A record was sent but not accepted; the rest of the identify message still counts.
    case invalid(PeerRecordError)

    /// The record if it verified.
    public var record: SignedPeerRecord? {
        if case .valid(let record) = self { return record }
        return nil
    }

    /// Checks identify field 8 as received from `connectionPeer`; nil or empty bytes mean no record.
    init(envelope bytes: [UInt8]?, from connectionPeer: PeerID) {
        guard let bytes, !bytes.isEmpty else {
            self = .absent
            return
        }
        do {
            self = .valid(try SignedPeerRecord(envelope: bytes, from: connectionPeer))
        } catch {
            self = .invalid(error)
        }
    }
}
