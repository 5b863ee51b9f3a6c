import Identity
import Multiformats

/// The fields of a received identify message; nil (or `.absent`) means the message did not carry the
/// field, which for identify/push means "unchanged".
///
/// Repeated fields cannot say "now empty" on the wire, so an empty list is read as "unchanged" too.
public struct IdentifyUpdate: Sendable, Equatable {
    /// Checked against the connection's peer before it gets here.
    public var publicKey: PublicKey?
    /// The parsable addresses, if the message listed any (possibly all unparsable, then empty).
    public var listenAddrs: [Multiaddr]?
    public var observedAddr: Multiaddr?
    public var protocols: [String]?
    public var protocolVersion: String?
    public var agentVersion: String?
    public var signedPeerRecord: PeerRecordStatus

    public init(
        publicKey: PublicKey? = nil,
        listenAddrs: [Multiaddr]? = nil,
        observedAddr: Multiaddr? = nil,
        protocols: [String]? = nil,
        protocolVersion: String? = nil,
        agentVersion: String? = nil,
        signedPeerRecord: PeerRecordStatus = .absent
    ) {
        self.publicKey = publicKey
        self.listenAddrs = listenAddrs
        self.observedAddr = observedAddr
        self.protocols = protocols
        self.protocolVersion = protocolVersion
        self.agentVersion = agentVersion
        self.signedPeerRecord = signedPeerRecord
    }
}

extension IdentifyInfo {
    /// Full information from a complete identify response (`publicKey` resolved by the caller).
    init(publicKey: PublicKey, update: IdentifyUpdate) {
        self.init(
            publicKey: publicKey,
            listenAddrs: update.listenAddrs ?? [],
            observedAddr: update.observedAddr,
            protocols: update.protocols ?? [],
            protocolVersion: update.protocolVersion,
            agentVersion: update.agentVersion,
            signedPeerRecord: update.signedPeerRecord
        )
    }

    /// This information with a pushed update merged in: present fields replace, missing ones stay.
    ///
    /// A pushed record replaces the current one only if it verified and its `seq` is higher (or there is
    /// no verified record yet); an invalid pushed record leaves the current one in place.
    public func applying(_ update: IdentifyUpdate) -> IdentifyInfo {
        var merged = self
        if let publicKey = update.publicKey { merged.publicKey = publicKey }
        if let listenAddrs = update.listenAddrs { merged.listenAddrs = listenAddrs }
        if let observedAddr = update.observedAddr { merged.observedAddr = observedAddr }
        if let protocols = update.protocols { merged.protocols = protocols }
        if let protocolVersion = update.protocolVersion { merged.protocolVersion = protocolVersion }
        if let agentVersion = update.agentVersion { merged.agentVersion = agentVersion }
        if let pushed = update.signedPeerRecord.record {
            let currentSeq = signedPeerRecord.record?.record.seq
            if currentSeq.map({ pushed.record.seq > $0 }) ?? true {
                merged.signedPeerRecord = .valid(pushed)
            }
        }
        return merged
    }
}
