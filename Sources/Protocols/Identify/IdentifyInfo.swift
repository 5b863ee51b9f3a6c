import Identity
import Multiformats

/// What one peer tells another about itself in identify (protocols.md §2).
public struct IdentifyInfo: Sendable, Equatable {
    public var publicKey: PublicKey
    /// Addresses the peer listens on, most preferred first (trimming drops from the end).
    public var listenAddrs: [Multiaddr]
    /// The *receiver's* address as the sender sees it on this connection.
    public var observedAddr: Multiaddr?
    /// Protocol IDs accepted inbound.
    public var protocols: [String]
    /// Protocol family, e.g. `ipfs/0.1.0`; nil when not sent.
    public var protocolVersion: String?
    /// Implementation, e.g. `go-libp2p/0.36.0`; nil when not sent.
    public var agentVersion: String?
    /// Sending: `.valid(record)` includes the record, anything else sends none.
    /// Receiving: whether a record came and whether it verified.
    public var signedPeerRecord: PeerRecordStatus

    public init(
        publicKey: PublicKey,
        listenAddrs: [Multiaddr] = [],
        observedAddr: Multiaddr? = nil,
        protocols: [String] = [],
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

    /// The peer this information describes.
    public var peerID: PeerID { publicKey.peerID }
}
