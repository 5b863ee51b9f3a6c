import NIOConcurrencyHelpers
import Identity
import Multiformats

/// What the node knows about other peers. Bounded: past `capacity` entries the peer seen least
/// recently is forgotten, so a stream of new peer IDs cannot grow memory without limit.
public final class Peerstore: Sendable {
    public struct Record: Sendable, Hashable {
        public var publicKey: PublicKey?
        public var addresses: [Multiaddr: ContinuousClock.Instant] = [:]
        public var protocols: [String] = []
        public var agentVersion: String?
        public var protocolVersion: String?
        /// Exponentially weighted moving average of round-trip times.
        public var latency: Duration?
        public var lastSeen: ContinuousClock.Instant = .now
    }

    /// Addresses learned from a live connection or identify stay this long after they were last confirmed.
    public static let addressTTL: Duration = .seconds(3600)
    /// Protocol lists longer than this are cut (go keeps 1024 per peer).
    public static let maxProtocolsPerPeer = 1024
    public static let maxAddressesPerPeer = 64
    /// Weight of the newest sample in the latency average (go uses 0.1).
    static let latencySmoothing = 0.1

    public let capacity: Int
    private let records = NIOLockedValueBox([PeerID: Record]())

    public init(capacity: Int = 10_000) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public func record(for peer: PeerID) -> Record? {
        records.withLockedValue { $0[peer] }
    }

    public var count: Int { records.withLockedValue { $0.count } }

    public func addAddresses(_ addresses: [Multiaddr], for peer: PeerID, now: ContinuousClock.Instant = .now) {
        update(peer, now: now) { record in
            for address in addresses { record.addresses[address.withoutPeerID] = now + Self.addressTTL }
            if record.addresses.count > Self.maxAddressesPerPeer {
                let keep = record.addresses.sorted { $0.value > $1.value }.prefix(Self.maxAddressesPerPeer)
                record.addresses = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
        }
    }

    /// Addresses whose TTL has not run out, freshest first.
    public func addresses(for peer: PeerID, now: ContinuousClock.Instant = .now) -> [Multiaddr] {
        records.withLockedValue { records in
            guard let record = records[peer] else { return [] }
            return record.addresses.filter { $0.value > now }.sorted { $0.value > $1.value }.map(\.key)
        }
    }

    public func setPublicKey(_ key: PublicKey, for peer: PeerID) {
        update(peer) { $0.publicKey = key }
    }

    /// Stores the peer's protocols; returns what was added and removed compared with before.
    @discardableResult
    public func setProtocols(_ protocols: [String], for peer: PeerID) -> (added: [String], removed: [String]) {
        let kept = Array(protocols.prefix(Self.maxProtocolsPerPeer))
        var change: (added: [String], removed: [String]) = ([], [])
        update(peer) { record in
            let old = Set(record.protocols)
            let new = Set(kept)
            change = (kept.filter { !old.contains($0) }, record.protocols.filter { !new.contains($0) })
            record.protocols = kept
        }
        return change
    }

    public func setVersions(agent: String?, protocolVersion: String?, for peer: PeerID) {
        update(peer) { record in
            if let agent { record.agentVersion = agent }
            if let protocolVersion { record.protocolVersion = protocolVersion }
        }
    }

    public func recordLatency(_ rtt: Duration, for peer: PeerID) {
        update(peer) { record in
            guard let previous = record.latency else {
                record.latency = rtt
                return
            }
            record.latency = previous * (1 - Self.latencySmoothing) + rtt * Self.latencySmoothing
        }
    }

    private func update(_ peer: PeerID, now: ContinuousClock.Instant = .now, _ change: (inout Record) -> Void) {
        records.withLockedValue { records in
            var record = records[peer] ?? Record()
            change(&record)
            record.lastSeen = now
            records[peer] = record
            if records.count > capacity, let oldest = records.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
                records.removeValue(forKey: oldest.key)
            }
        }
    }
}
