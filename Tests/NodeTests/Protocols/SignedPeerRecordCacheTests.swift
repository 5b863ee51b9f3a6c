import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

@Suite struct SignedPeerRecordCacheTests {
    static let first = [try! Multiaddr("/ip4/10.0.0.1/tcp/1")]
    static let second = [try! Multiaddr("/ip4/10.0.0.1/tcp/1"), try! Multiaddr("/ip4/10.0.0.2/tcp/2")]

    @Test func sameAddressesReuseTheSignedRecord() throws {
        let cache = SignedPeerRecordCache(capacity: 4)
        let key = try PrivateKey.generate(.ed25519)
        let a = try cache.record(addresses: Self.first, signingKey: key)
        let b = try cache.record(addresses: Self.first, signingKey: key)
        #expect(a == b)
        let opened = try SignedPeerRecord(envelope: b.envelopeBytes, from: key.peerID)
        #expect(opened.record.addresses == Self.first)
    }

    @Test func changedAddressesAreSignedAgainWithAHigherSeq() throws {
        let cache = SignedPeerRecordCache(capacity: 4)
        let key = try PrivateKey.generate(.ed25519)
        let old = try cache.record(addresses: Self.first, signingKey: key)
        let new = try cache.record(addresses: Self.second, signingKey: key)
        #expect(new.record.addresses == Self.second)
        #expect(new.record.seq > old.record.seq)
        #expect(try cache.record(addresses: Self.second, signingKey: key) == new)
        // Going back to the first list is a change too: a newer record, not the old one.
        let back = try cache.record(addresses: Self.first, signingKey: key)
        #expect(back.record.seq > new.record.seq)
    }

    @Test func identitiesAreKeptApartAndTheOldestIsDroppedBeyondCapacity() throws {
        let cache = SignedPeerRecordCache(capacity: 2)
        let keys = try (0..<3).map { _ in try PrivateKey.generate(.ed25519) }
        let records = try keys.map { try cache.record(addresses: Self.first, signingKey: $0) }
        for (key, record) in zip(keys, records) {
            #expect(record.record.peerID == key.peerID)
        }
        // keys[0] was the least recently used: dropped, so it is signed anew.
        #expect(try cache.record(addresses: Self.first, signingKey: keys[2]) == records[2])
        #expect(try cache.record(addresses: Self.first, signingKey: keys[0]) != records[0])
    }
}
