import NIOConcurrencyHelpers
import Identity
import Multiformats
import Multistream

/// Our own signed peer records, re-signed only when the addresses change.
///
/// Identify sends a signed record on every request; signing one per connection costs an Ed25519
/// signature and a fresh sequence number each time although the content is the same. go-libp2p
/// likewise keeps its record until its addresses change. A new record (new, higher seq) is made when
/// the address list differs from the cached one, so peers still see every change in order.
public final class SignedPeerRecordCache: Sendable {
    /// Shared by the hosts of this process; keyed by peer ID, so hosts with different identities
    /// never see each other's records. Bounded: beyond `capacity` identities the oldest is dropped.
    public static let shared = SignedPeerRecordCache(capacity: 16)

    private struct Entry {
        var addresses: [Multiaddr]
        var record: SignedPeerRecord
        var lastUse: UInt64
    }

    private struct State {
        var entries: [PeerID: Entry] = [:]
        var uses: UInt64 = 0
    }

    private let capacity: Int
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int) {
        precondition(capacity > 0, "a signed peer record cache needs room for one identity")
        self.capacity = capacity
    }

    /// The record of `addresses` signed by `key`: the cached one if it lists exactly these addresses,
    /// else a newly signed one (which replaces it).
    public func record(addresses: [Multiaddr], signingKey key: PrivateKey) throws(KeyError) -> SignedPeerRecord {
        let peer = key.peerID
        if let cached = state.withLockedValue({ state -> SignedPeerRecord? in
            guard let entry = state.entries[peer], entry.addresses == addresses else { return nil }
            state.uses += 1
            state.entries[peer]?.lastUse = state.uses
            return entry.record
        }) {
            return cached
        }
        // Signed outside the lock; two racing callers may both sign, the later one is kept.
        let record = try SignedPeerRecord.create(addresses: addresses, signingKey: key)
        state.withLockedValue { state in
            state.uses += 1
            if state.entries[peer] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.entries.removeValue(forKey: oldest)
            }
            // Never replace a newer record with an older one (a racing caller signed later).
            if let existing = state.entries[peer], existing.record.record.seq > record.record.seq { return }
            state.entries[peer] = Entry(addresses: addresses, record: record, lastUse: state.uses)
        }
        return record
    }
}
