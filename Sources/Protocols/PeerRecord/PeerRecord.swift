import Foundation
import Identity
import Multiformats

/// The routing record a peer signs about itself (protocols.md §2, RFC 0003): who it is, the addresses it
/// can be reached at, and a sequence number that orders its records.
public struct PeerRecord: Sendable, Hashable {
    public var peerID: PeerID
    /// Strictly increasing per peer; receivers keep the record with the highest value.
    public var seq: UInt64
    public var addresses: [Multiaddr]

    public init(peerID: PeerID, seq: UInt64, addresses: [Multiaddr]) {
        self.peerID = peerID
        self.seq = seq
        self.addresses = addresses
    }
}

extension PeerRecord {
    /// The `PeerRecord` protobuf: the envelope payload that gets signed.
    func marshal() -> [UInt8] {
        var message = Record_Pb_PeerRecord()
        message.peerID = Data(peerID.bytes)
        message.seq = seq
        message.addresses = addresses.map { address in
            var info = Record_Pb_PeerRecord.AddressInfo()
            info.multiaddr = Data(address.bytes)
            return info
        }
        return ProtobufEncoding.bytes(of: message)
    }

    /// Decodes and validates a `PeerRecord` payload: the peer ID and every address must parse.
    init(marshaled bytes: [UInt8]) throws(PeerRecordError) {
        let message: Record_Pb_PeerRecord
        do {
            message = try Record_Pb_PeerRecord(serializedBytes: bytes)
        } catch {
            throw .malformedRecord(reason: "\(error)")
        }
        do {
            peerID = try PeerID(multihash: Array(message.peerID))
        } catch {
            throw .invalidRecordPeerID(error)
        }
        seq = message.seq
        var addresses: [Multiaddr] = []
        addresses.reserveCapacity(message.addresses.count)
        for (index, info) in message.addresses.enumerated() {
            do {
                addresses.append(try Multiaddr(bytes: info.multiaddr))
            } catch {
                throw .invalidRecordAddress(index: index, error)
            }
        }
        self.addresses = addresses
    }
}
